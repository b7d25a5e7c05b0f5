import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { stringify } from 'yaml'
import { INPUT_NAMES, row, type InputName } from '../src/inputs/table.js'

// Writes action.yml's inputs and the README's input table from the input table
// (src/inputs/table.ts), so the three cannot drift: `npm run bundle` runs it (scripts/bundle.sh),
// and CI runs it into a scratch folder and compares (scripts/test.sh).
//   generate-docs ROOT [OUT]: reads ROOT/action.yml and ROOT/README.md, writes them to OUT (default ROOT)
// Everything else in both files is kept as it is: in action.yml all but the inputs: block, in the
// README all but the lines between the two markers.

const SOURCE = 'src/inputs/table.ts by npm run bundle (scripts/generate-docs.ts)'
const BEGIN = `<!-- input table: begin. Written from ${SOURCE}: edit the table there. -->`
const END = '<!-- input table: end -->'

/** A YAML scalar on one line: plain where YAML reads it back as the same string, else quoted. */
function scalar(value: string): string {
  return stringify(value, { lineWidth: 0, singleQuote: true }).trimEnd()
}

/** action.yml's inputs: block, each input as the runner reads it (every input optional). */
function actionInputs(): string[] {
  const lines = ['inputs:', `  # Written from ${SOURCE}: edit the table, not these lines.`]
  for (const name of INPUT_NAMES) {
    const { section, description, default: declared } = row(name)
    if (section) lines.push(`  # ${section}`)
    lines.push(`  ${name}:`, `    description: ${scalar(description)}`, '    required: false', `    default: ${scalar(declared)}`)
  }
  return lines
}

/**
 * The default column: the default (or what it is worked out to, shown) as code; a shown default
 * that is words rather than a value ("first stage") as plain text.
 */
function defaultCell(name: InputName): string {
  const { shown, default: declared } = row(name)
  const value = shown ?? declared
  if (!value) return ''
  return shown !== undefined && /\s/.test(shown) ? shown : `\`${value}\``
}

/** The README's input table: name, default, and the README's meaning (or action.yml's description). */
function readmeTable(): string[] {
  const cells = (...texts: string[]): string => `|${texts.map(text => (text ? ` ${text} ` : ' ')).join('|')}|`
  return [
    '| input | default | meaning |',
    '|---|---|---|',
    ...INPUT_NAMES.map(name => cells(`\`${name}\``, defaultCell(name), row(name).readme ?? row(name).description))
  ]
}

/** action.yml with its inputs: block (up to the next top-level key) replaced. */
function withInputs(action: string): string {
  const lines = action.split('\n')
  const start = lines.indexOf('inputs:')
  if (start < 0) throw new Error('action.yml has no top-level inputs: line')
  let end = lines.findIndex((line, i) => i > start && /^\S/.test(line))
  if (end < 0) end = lines.length
  // the blank lines before the next key stay where they are
  while (end > start + 1 && lines[end - 1] === '') end--
  return [...lines.slice(0, start), ...actionInputs(), ...lines.slice(end)].join('\n')
}

/** The README with the lines between its two markers replaced. */
function withTable(readme: string): string {
  const lines = readme.split('\n')
  const begin = lines.indexOf(BEGIN)
  const end = lines.indexOf(END)
  if (begin < 0 || end < begin) throw new Error(`README.md needs the input table between the lines\n${BEGIN}\nand\n${END}`)
  return [...lines.slice(0, begin + 1), '', ...readmeTable(), '', ...lines.slice(end)].join('\n')
}

function main(root: string, out: string): void {
  const read = (file: string): string => readFileSync(path.join(root, file), 'utf8')
  writeFileSync(path.join(out, 'action.yml'), withInputs(read('action.yml')))
  writeFileSync(path.join(out, 'README.md'), withTable(read('README.md')))
}

const [root, out = root] = process.argv.slice(2)
if (!root) throw new Error('usage: generate-docs ROOT [OUT]')
main(root, out)
