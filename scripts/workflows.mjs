// The workflows this repository ships or shows: every file under .github/workflows/, and every YAML
// example in README.md and docs/**/*.md that is a workflow or part of one. A part (a job or some steps)
// is wrapped in the least a whole workflow needs, so GitHub's parser and actionlint can check it as it
// would run. Used by scripts/actionlint.mjs and __tests__/unit/github-parser.test.ts.
import { readdirSync, readFileSync } from 'node:fs'

const root = new URL('../', import.meta.url)

/** .github/workflows/*.yml: { path, text } with the path relative to the repository. */
export function workflowFiles() {
  const dir = new URL('.github/workflows/', root)
  return readdirSync(dir)
    .filter(name => /\.ya?ml$/.test(name))
    .sort()
    .map(name => ({ path: `.github/workflows/${name}`, text: readFileSync(new URL(name, dir), 'utf8') }))
}

/** README.md, then every Markdown file under docs/ in path order: the paths relative to the repository. */
export function markdownFiles() {
  const docs = readdirSync(new URL('docs/', root), { recursive: true })
    .filter(name => name.endsWith('.md'))
    .map(name => `docs/${name.split('\\').join('/')}`)
    .sort()
  return ['README.md', ...docs]
}

/**
 * The ```yaml blocks of README.md and the docs, as whole workflows: { file, path, line, text, shift }.
 * file is the Markdown file, line the block's first line in it, path `file:line`; shift is how many
 * lines the wrapping added before the block's text, so a finding on line N of text is on line
 * `line + N - 1 - shift` of file. kind says what the block was: 'workflow' (has on: and jobs:), 'jobs'
 * (jobs: only) or 'steps' (a list of steps).
 */
export function readmeWorkflows() {
  return markdownFiles().flatMap(file => markdownWorkflows(readFileSync(new URL(file, root), 'utf8'), file))
}

/** One Markdown text's ```yaml blocks that are workflows or parts of one, as readmeWorkflows gives them. */
export function markdownWorkflows(markdown, file = 'README.md') {
  const blocks = []
  const lines = markdown.split('\n')
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```yaml') continue
    const end = lines.indexOf('```', i + 1)
    blocks.push({ line: i + 2, body: lines.slice(i + 1, end).join('\n') + '\n' })
    i = end
  }
  return blocks.flatMap(({ line, body }) => {
    const head = (prefix, kind) => ({ file, path: `${file}:${line}`, line, kind, text: prefix + body, shift: prefix.split('\n').length - 1 })
    if (/^on:/m.test(body) && /^jobs:/m.test(body)) return [head('', 'workflow')]
    if (/^jobs:/m.test(body)) return [head('name: readme example\non: pull_request\n', 'jobs')]
    // steps, indented as they sit under a job's steps:
    if (/^ {6}- /.test(body)) return [head('name: readme example\non: pull_request\njobs:\n  example:\n    runs-on: ubuntu-latest\n    steps:\n', 'steps')]
    return []
  })
}
