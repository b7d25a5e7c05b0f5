// The command line: `image-gate [options] [context]`, the same pipeline as the action on a
// developer's machine. Every input is an option of the same name (--max-size 500MB); list inputs
// repeat (--tags a --tags b); boolean inputs may stand alone (--no-cache). It prints the report
// table and exits non-zero when a check fails. No job summary, no comment: those need a runner.
// Besides the inputs: --help and --version.
import { parseArgs } from 'node:util'
import { closest, DEFAULTS, INPUT_NAMES, row, type InputName } from '../inputs/inputs.js'
import { bool } from '../inputs/parse.js'
import { VERSION } from './version.js'

// the inputs that only mean something on a runner are not options
const OPTIONS = INPUT_NAMES.filter(name => !row(name).runnerOnly)
const BOOLEAN = new Set<string>(OPTIONS.filter(name => row(name).parse === bool))
const PARSE_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
  ...Object.fromEntries(OPTIONS.map(name => [name, { type: 'string', multiple: true }]))
} as const

export const USAGE = `usage: image-gate [options] [context]

Builds the Dockerfile in context (default .) with docker buildx, runs the image until Docker reports
it healthy, checks its size and that it runs as a non-root user, and prints the report on stdout.
Exit code 0 when every check passed, 1 when one failed or the run could not start (the reason on
stderr), 2 for bad usage (an unknown option, a bad value; on stderr).

options (the action's inputs; see the README):
${OPTIONS.map(optionHelp).join('\n')}
  -h, --help
  -V, --version`

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

/**
 * argv → input values; a boolean input given alone means true. Throws Answer for --help and
 * --version, a one-line UsageError on bad usage.
 */
export function parseCommandLine(argv: string[]): Record<string, string> {
  const args = argv.flatMap((arg, i) => {
    const name = arg.startsWith('--') && !arg.includes('=') ? arg.slice(2) : ''
    const next = argv[i + 1]
    const valueFollows = next !== undefined && /^(true|false|True|False|TRUE|FALSE)$/.test(next)
    return BOOLEAN.has(name) && !valueFollows ? [arg, 'true'] : [arg]
  })
  const { values, positionals } = parse(args)
  if (values.help) throw new Answer(USAGE)
  if (values.version) throw new Answer(VERSION)
  if (positionals.length > 1) throw new UsageError(`one context at most; got ${positionals.length}: ${positionals.join(' ')}`)
  const inputs: Record<string, string> = {}
  for (const name of OPTIONS) {
    const given = (values as Record<string, unknown>)[name] as string[] | undefined
    if (given) inputs[name] = given.join('\n')
  }
  if (positionals[0] !== undefined) {
    if (inputs.context !== undefined) throw new UsageError('give the context once: as --context or as the last argument')
    inputs.context = positionals[0]
  }
  return inputs
}

/** node's parseArgs, its errors made UsageErrors of one line. */
function parse(args: string[]) {
  try {
    return parseArgs({ args, allowPositionals: true, options: PARSE_OPTIONS })
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw unknownOption(args)
    // node's first line ("Option '--max-size <value>' argument missing"); the rest tells of `--`
    throw new UsageError((err as Error).message.split('\n')[0])
  }
}

/**
 * The unknown option, with the one meant when one is close (--max-szie: --max-size), as the action
 * does for its inputs; an input that needs a runner says so.
 */
function unknownOption(args: string[]): UsageError {
  const { tokens } = parseArgs({ args, allowPositionals: true, strict: false, tokens: true, options: PARSE_OPTIONS })
  const token = tokens.find(t => t.kind === 'option' && !(t.name in PARSE_OPTIONS))
  const raw = token?.kind === 'option' ? token.rawName : '?'
  const name = raw.startsWith('--') ? raw.slice(2) : ''
  if ((INPUT_NAMES as string[]).includes(name)) return new UsageError(`unknown option ${raw}; ${name} is an input of the action only, on a GitHub runner`)
  const meant = name ? closest(name, Object.keys(PARSE_OPTIONS)) : undefined
  return new UsageError(`unknown option ${raw}${meant ? `; did you mean --${meant}?` : ''}`)
}

/** Bad usage, in one line: the command prints it and exits 2. */
export class UsageError extends Error {}

/** --help or --version: print `text` and exit 0. */
export class Answer extends Error {
  constructor(readonly text: string) {
    super(text)
  }
}
