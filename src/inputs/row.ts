import type { Parser } from './parse.js'

// One row of the input table (table.ts, table-run.ts).

export interface Row {
  default: string
  description: string
  parse: Parser<unknown>
  /** the Inputs field it fills, where that is not the name in camelCase */
  field?: string
  /** the README's default column (and --help) where the real default is worked out at run time */
  shown?: string
  /** means something only on a runner (job summary, pull-request comment): no command-line option */
  runnerOnly?: true
  /** the README's meaning column, in Markdown, where it says more than description (action.yml's) */
  readme?: string
  /** the title of the part of the table this input starts (a comment above it in action.yml) */
  section?: string
}
