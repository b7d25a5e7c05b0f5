// The command line: `image-gate [options] [context]`, the same pipeline as the action on a
// developer's machine. Every input is an option of the same name (--max-size 500MB); list inputs
// repeat (--tags a --tags b); boolean inputs may stand alone (--no-cache). It prints the report
// table and exits non-zero when a check fails. No job summary, no comment: those need a runner.
import { parseArgs } from 'node:util'
import { DEFAULTS, INPUT_NAMES, row, type InputName } from '../inputs/inputs.js'
import { bool } from '../inputs/parse.js'

// the inputs that only mean something on a runner are not options
const OPTIONS = INPUT_NAMES.filter(name => !row(name).runnerOnly)
const BOOLEAN = new Set<string>(OPTIONS.filter(name => row(name).parse === bool))

export const USAGE = `usage: image-gate [options] [context]

Builds the Dockerfile in context (default .) with docker buildx, runs the image until Docker reports
it healthy, checks its size and that it runs as a non-root user, and prints the report.
Exit code 0 when every check passed, 1 when one failed or the run could not start, 2 for bad usage.

options (the action's inputs; see the README):
${OPTIONS.map(optionHelp).join('\n')}
  -h, --help`

/** `  --name VALUE  (default x)`, then the input's description, wrapped. */
function optionHelp(name: InputName): string {
  const { shown = DEFAULTS[name], description } = row(name)
  const head = `  --${name}${BOOLEAN.has(name) ? '[=true|false]' : ' VALUE'}${shown ? `  (default ${shown})` : ''}`
  return [head, ...wrap(description, 94).map(line => `      ${line}`)].join('\n')
}

function wrap(text: string, width: number): string[] {
  const lines = ['']
  for (const word of text.split(' ')) {
    const last = lines.length - 1
    if (lines[last] && lines[last].length + 1 + word.length > width) lines.push(word)
    else lines[last] = lines[last] ? `${lines[last]} ${word}` : word
  }
  return lines
}

/** argv → input values; a boolean input given alone means true. Throws a one-line Error on bad usage. */
export function parseCommandLine(argv: string[]): Record<string, string> {
  const args = argv.flatMap((arg, i) => {
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : ''
    const next = argv[i + 1]
    const valueFollows = next !== undefined && /^(true|false|True|False|TRUE|FALSE)$/.test(next)
    return BOOLEAN.has(name) && !valueFollows ? [arg, 'true'] : [arg]
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

/** --help was asked for: print USAGE. */
export class UsageHelp extends Error {}
