import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from '@actions/workflow-parser'
import { parseAction } from '@actions/workflow-parser/actions/action-parser'
import { parse as parseYaml } from 'yaml'
import { readmeWorkflows, workflowFiles } from '../../scripts/workflows.mjs'

// GitHub's own parser (the one behind its workflow editor and language server) must accept
// action.yml, our workflows and the README's examples, or the runner refuses them: it evaluates the
// ${{ }} in an action's input descriptions, where no context exists, and fails to load the action.

const root = new URL('../../', import.meta.url)
const actionYml = readFileSync(new URL('action.yml', root), 'utf8')

/** The messages GitHub's parser reports for an action.yml. */
function actionErrors(content: string): string[] {
  const result = parseAction({ name: 'action.yml', content }, new NoOperationTraceWriter())
  return result.context.errors.getErrors().map(e => e.message)
}

/** The messages GitHub's parser reports for a workflow, parsed and then converted as the runner does. */
async function workflowErrors(name: string, content: string): Promise<string[]> {
  const parsed = parseWorkflow({ name, content }, new NoOperationTraceWriter())
  const errors = parsed.context.errors.getErrors().map(e => e.message)
  if (errors.length > 0 || !parsed.value) return errors
  const template = await convertWorkflowTemplate(parsed.context, parsed.value)
  return (template.errors ?? []).map(e => e.Message)
}

describe("GitHub's parser", () => {
  it('accepts action.yml', () => {
    expect(actionErrors(actionYml)).toEqual([])
  })

  it('rejects an expression in an input description, as the runner does', () => {
    const broken = actionYml.replace(
      /^( {4}description: )Build context, a local directory\.$/m,
      '$1"Build context, e.g. ${{ job.x }}."'
    )
    expect(broken).not.toBe(actionYml)
    expect(actionErrors(broken)).toEqual([expect.stringMatching(/Unrecognized named-value: 'job'/)])
  })

  it('still reads the default ${{ github.token }}, where that context exists', () => {
    expect(actionYml).toMatch(/^ {4}default: \$\{\{ github\.token \}\}$/m)
  })

  it.each(workflowFiles().map(w => [w.path, w.text]))('accepts %s', async (path, text) => {
    expect(await workflowErrors(path, text)).toEqual([])
  })

  // each block starting on the line of README.md or docs/ in its name, wrapped in a workflow when it is only a part
  it.each(readmeWorkflows().map(w => [`${w.path} (${w.kind})`, w.text]))('accepts the example at %s', async (path, text) => {
    expect(await workflowErrors(path, text)).toEqual([])
  })

  it('finds the README examples', () => {
    const kinds = readmeWorkflows().map(w => w.kind)
    expect(kinds.filter(k => k === 'workflow').length).toBeGreaterThanOrEqual(4)
    expect(kinds).toEqual(expect.arrayContaining(['jobs', 'steps']))
    // the eleven the README held before its recipes moved to docs/, wherever they are now
    expect(kinds.length).toBeGreaterThanOrEqual(11)
    const files = [...new Set(readmeWorkflows().map(w => w.file))]
    expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/recipes/forks.md', 'docs/recipes/push-and-release.md']))
    for (const file of files) expect(file).toMatch(/^(README\.md|docs\/.+\.md)$/)
  })

  it('names the file and line each example starts on', () => {
    for (const { file, path, line, shift, text } of readmeWorkflows()) {
      const lines = readFileSync(new URL(file, root), 'utf8').split('\n')
      expect([path, lines[line - 2]]).toEqual([`${file}:${line}`, '```yaml'])
      // line N of text, past the wrapping, is line `line + N - 1 - shift` of the file
      const body = text.split('\n').slice(shift, -1)
      expect([path, lines.slice(line - 1, line - 1 + body.length)]).toEqual([path, body])
    }
  })

  it('the release example attests the very index the gate pushed', () => {
    type Step = { id?: string; uses?: string; with?: Record<string, unknown> }
    const release = readmeWorkflows().find(w => /^name: release$/m.test(w.text))
    const doc = parseYaml(release?.text ?? '') as { permissions: Record<string, string>; jobs: Record<string, { steps: Step[] }> }
    const steps = Object.values(doc.jobs)[0].steps
    const gate = steps.findIndex(s => s.uses?.startsWith('image-gate/image-gate@'))
    expect(steps[gate]).toMatchObject({ id: 'gate', with: { push: true } })
    const attest = steps.slice(gate + 1).find(s => s.uses?.startsWith('actions/attest@'))
    expect(attest?.with).toMatchObject({ 'subject-digest': '${{ steps.gate.outputs.digest }}', 'push-to-registry': true })
    expect(doc.permissions).toMatchObject({ 'id-token': 'write', attestations: 'write' })
  })

  it('catches a mistake in a workflow', async () => {
    const [example] = workflowFiles()
    const broken = example.text.replace(/runs-on:/, 'runs-onn:')
    expect(await workflowErrors(example.path, broken)).toEqual(
      expect.arrayContaining([expect.stringMatching(/Unexpected value 'runs-onn'/)])
    )
  })
})

describe('action.yml for the Marketplace', () => {
  it('has a description under 125 characters', () => {
    const description = /^description: (.*)$/m.exec(actionYml)?.[1] ?? ''
    expect(description.length).toBeGreaterThan(20)
    expect(description.length).toBeLessThan(125)
  })
})
