// The command line: `image-gate [options] [context]`, the same pipeline as the action on a
// developer's machine. Every input is an option of the same name (--max-size 500MB); list inputs
// repeat (--tags a --tags b); boolean inputs may stand alone (--no-cache). It prints the report
// table and exits non-zero when a check fails. No job summary, no comment: those need a runner.
import { parseArgs } from 'node:util'
import { DEFAULTS } from '../inputs/inputs.js'
import { run } from '../pipeline.js'

const BOOLEAN = Object.keys(DEFAULTS).filter(name => DEFAULTS[name] === 'true' || DEFAULTS[name] === 'false')
// inputs that only mean something on a runner
const RUNNER_ONLY = new Set(['github-token', 'comment', 'comment-key', 'comment-from', 'summary'])
const OPTIONS = Object.keys(DEFAULTS).filter(name => !RUNNER_ONLY.has(name))

const USAGE = `usage: image-gate [options] [context]

Builds the Dockerfile in context (default .) with docker buildx, runs the image until Docker reports
it healthy, checks its size and that it runs as a non-root user, and prints the report.
Exit code 0 when every check passed, 1 when one failed or the run could not start, 2 for bad usage.

options (the action's inputs; see the README):
${OPTIONS.map(name => `  --${name}${BOOLEAN.includes(name) ? '[=true|false]' : ' VALUE'}${DEFAULTS[name] ? `  (default ${DEFAULTS[name]})` : ''}`).join('\n')}
  -h, --help`

/** argv → input values; a boolean input given alone means true. Throws a one-line Error on bad usage. */
export function parseCommandLine(argv: string[]): Record<string, string> {
  const args = argv.flatMap((arg, i) => {
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : ''
    const next = argv[i + 1]
    const valueFollows = next !== undefined && /^(true|false|True|False|TRUE|FALSE)$/.test(next)
    return BOOLEAN.includes(name) && !valueFollows ? [arg, 'true'] : [arg]
  })
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(OPTIONS.map(name => [name, { type: 'string' as const, multiple: true }]))
    }
  })
  if (values.help) throw new UsageHelp()
  if (positionals.length > 1) throw new Error(`one context at most; got ${positionals.length}: ${positionals.join(' ')}`)
  const inputs: Record<string, string> = {}
  for (const name of OPTIONS) {
    const given = (values as Record<string, unknown>)[name] as string[] | undefined
    if (given) inputs[name] = given.join('\n')
  }
  if (positionals[0] !== undefined) {
    if (inputs.context !== undefined) throw new Error('give the context once: as --context or as the last argument')
    inputs.context = positionals[0]
  }
  return inputs
}

class UsageHelp extends Error {}

/**
 * The pipeline speaks GitHub's workflow-command protocol on stdout (::warning::, ::group::, the
 * stop-commands markers around untrusted output). On a terminal, show those as plain text.
 */
export function forTerminal(line: string): string | undefined {
  const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line)
  if (!command) return /^::[0-9a-z-]+::$/.test(line) ? undefined : line // the end-of-stop-commands marker
  const [, name, props = '', text] = command
  const unescape = (v: string) => v.replace(/%0A/g, '\n').replace(/%0D/g, '').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')
  if (name === 'error' || name === 'warning' || name === 'notice') {
    // an annotation: file:line first, as compilers print it
    const file = /(?:^|,)file=([^,]*)/.exec(props)?.[1]
    const at = file ? `${unescape(file)}:${/(?:^|,)line=(\d+)/.exec(props)?.[1] ?? 1}: ` : ''
    return `${at}${name}: ${unescape(text)}`
  }
  if (name === 'group') return `── ${text}`
  return undefined // endgroup, debug, add-mask, set-output, save-state, stop-commands
}

function adaptStdout(): void {
  const write = process.stdout.write.bind(process.stdout)
  let pending = ''
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    pending += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    // blank lines too: @actions/core writes one before each command it issues
    const shown = lines.map(forTerminal).filter((l): l is string => l !== undefined && l.trim() !== '')
    return shown.length ? write(`${shown.join('\n')}\n`, ...(rest as [])) : true
  }) as typeof process.stdout.write
}

export async function main(argv: string[]): Promise<void> {
  let inputs: Record<string, string>
  try {
    inputs = parseCommandLine(argv)
  } catch (err) {
    if (err instanceof UsageHelp) {
      console.log(USAGE)
      return
    }
    const message = (err as Error).message.split('\n')[0].replace(/\. To specify a positional argument.*$/, '')
    console.error(`image-gate: ${message} (see image-gate --help)`)
    process.exitCode = 2
    return
  }
  if (!process.env.GITHUB_ACTIONS) adaptStdout()
  await run(name => inputs[name] ?? '')
}

