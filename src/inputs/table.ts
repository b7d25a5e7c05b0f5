import type { Row } from './row.js'
import { BUILD_INPUTS } from './table-build.js'
import { CHECK_INPUTS } from './table-checks.js'
import { DEPLOY_INPUTS } from './table-deploy.js'
import { REPORT_INPUTS } from './table-report.js'
import { RUN_INPUTS } from './table-run.js'

export type { Row }

// Every input of the action, declared once, a section a file (table-build, -run, -deploy,
// -checks, -report): its name as action.yml spells it, its default and description as action.yml declares
// them, the README's longer Markdown (readme, where it says more), and the parser that turns its
// text into the value the pipeline uses. action.yml's inputs and the README's input table are
// written from here (scripts/generate-docs.ts, run by npm run bundle); the Inputs type, the
// defaults, the command-line options, the typo check and the test fixture come from here too.

export const INPUT_TABLE = {
  ...BUILD_INPUTS,
  ...RUN_INPUTS,
  ...DEPLOY_INPUTS,
  ...CHECK_INPUTS,
  ...REPORT_INPUTS
} as const satisfies Record<string, Row>

export type InputName = keyof typeof INPUT_TABLE

/** Every input's name, in the table's (and action.yml's) order. */
export const INPUT_NAMES = Object.keys(INPUT_TABLE) as InputName[]

export function row(name: InputName): Row {
  return INPUT_TABLE[name]
}

type Table = typeof INPUT_TABLE
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S
type FieldOf<K extends InputName> = Table[K] extends { field: infer F extends string } ? F : Camel<K>
type ValueOf<K extends InputName> = ReturnType<Table[K]['parse']>
type Flat<T> = { [K in keyof T]: T[K] }

/**
 * The inputs as the pipeline uses them: one field per row, typed by what its parser returns. A
 * parser that may return undefined (not set: reported, not judged) makes an optional field.
 */
export type Inputs = Flat<
  { [K in InputName as undefined extends ValueOf<K> ? never : FieldOf<K>]: ValueOf<K> } & {
    [K in InputName as undefined extends ValueOf<K> ? FieldOf<K> : never]?: Exclude<ValueOf<K>, undefined>
  }
>

/** The Inputs field an input fills: max-size → maxSize. */
export function fieldOf(name: InputName): keyof Inputs {
  const { field } = row(name)
  return (field ?? name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())) as keyof Inputs
}

/**
 * The value an input takes when it is not given. An expression default (github-token's
 * ${{ github.token }}) is the runner's to fill in: off the runner there is nothing to fill it with.
 */
export function fallback(name: InputName): string {
  const declared = row(name).default
  return declared.startsWith('${{') ? '' : declared
}

/** Input name → the value it takes when not given (kept for the code that read the old record). */
export const DEFAULTS: Record<string, string> = Object.fromEntries(INPUT_NAMES.map(name => [name, fallback(name)]))
