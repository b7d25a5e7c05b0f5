import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { deployedSource } from '../../../src/deploy/apply.js'
import { readInputs, type InputSource } from '../../../src/inputs/inputs.js'
import { renderMarkdown } from '../../../src/render/markdown.js'
import { renderText } from '../../../src/render/text.js'
import { newReport } from '../../../src/report/report.js'
import { lineOf } from './real-parsers.js'

// A deployment file fills the inputs that were not given, through their own parsers, and the
// report says which line each came from and which an input given replaced.

const root = new URL('../../../', import.meta.url).pathname
const MANIFEST = 'examples/tynebase-backend/k8s/deployment.yaml'
const FLY = 'examples/tynebase-backend/fly.toml'
const context = 'examples/tynebase-backend'

/** Inputs as the runner gives them: every input of action.yml (empty when its default is), plus `given`. */
function source(given: Record<string, string>): InputSource {
  return Object.assign((name: string) => given[name] ?? '', { given: () => Object.keys(given) })
}

function read(given: Record<string, string>, cwd = root) {
  const deployed = deployedSource(source({ context, ...given }), cwd)
  return { inputs: readInputs(deployed.source, cwd), deployment: deployed.deployment }
}

describe('kubernetes-manifest', () => {
  const text = readFileSync(root + MANIFEST, 'utf8')
  const at = (needle: string) => lineOf(text, needle)

  it("runs the api container as its Deployment says, with no other input than the file", () => {
    const { inputs, deployment } = read({ 'kubernetes-manifest': MANIFEST })
    expect(inputs).toMatchObject({
      runMemory: { text: '256Mi', bytes: 256 * 1024 * 1024 },
      readOnly: true,
      runProfile: 'restricted',
      env: ['PORT=8080', 'WORKER_INTERVAL_MS=2000'],
      command: ['node', 'dist/server.js'],
      healthCmd: 'wget -q --spider http://127.0.0.1:8080/health',
      healthStartPeriod: 2,
      stopTimeout: 20
    })
    expect(deployment).toMatchObject({ file: MANIFEST, kind: 'kubernetes' })
    expect(deployment!.settings).toContainEqual({
      input: 'run-memory',
      value: '256Mi',
      line: at('memory: 256Mi'),
      key: 'spec.template.spec.containers[api].resources.limits.memory',
      use: 'file'
    })
    // env by its variables' names only: a value in a manifest may be a secret it should not hold
    expect(deployment!.settings.find(s => s.input === 'env')).toMatchObject({ value: 'PORT, WORKER_INTERVAL_MS', use: 'file' })
    expect(deployment!.notes.map(n => n.text).join('\n')).toContain('secretKeyRef')
  })

  it('lets an input given explicitly win, and says so', () => {
    const { inputs, deployment } = read({ 'kubernetes-manifest': MANIFEST, 'stop-timeout': '30', 'run-memory': '512Mi' })
    expect(inputs.stopTimeout).toBe(30)
    expect(inputs.runMemory).toMatchObject({ text: '512Mi' })
    expect(deployment!.settings.find(s => s.input === 'stop-timeout')).toMatchObject({ value: '20', use: 'input' })
    expect(deployment!.settings.find(s => s.input === 'read-only')).toMatchObject({ value: 'true', use: 'file' })
    const markdown = renderMarkdown({ ...newReport('app'), deployment })
    expect(markdown).toContain(`**Settings from \`${MANIFEST}\`** (kubernetes-manifest)`)
    expect(markdown).toContain(`| run-memory | ~~\`256Mi\`~~ the input given wins | line ${at('memory: 256Mi')} \`spec.template.spec.containers[api].resources.limits.memory\` |`)
    expect(markdown).toContain(`| read-only | \`true\` | line ${at('readOnlyRootFilesystem')} \`spec.template.spec.containers[api].securityContext.readOnlyRootFilesystem\` |`)
    const text = renderText({ ...newReport('app'), deployment })
    expect(text).toMatch(new RegExp(`stop-timeout +20 +line ${at('terminationGracePeriodSeconds')} \\(spec.template.spec.terminationGracePeriodSeconds\\)  \\(not used: the input given wins\\)`))
  })

  it('takes the defaults where neither the file nor an input says', () => {
    const { inputs } = read({})
    expect(inputs).toMatchObject({ stopTimeout: 10, readOnly: false, runProfile: 'docker', healthStartPeriod: 30 })
  })

  it('refuses a typo in one line naming the file, the line and the key', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-deploy-'))
    writeFileSync(path.join(dir, 'k8s.yaml'), text.replace('memory: 256Mi', 'memory: 256Mx'))
    expect(() => read({ 'kubernetes-manifest': path.join(dir, 'k8s.yaml') })).toThrow(
      new RegExp(`^${path.join(dir, 'k8s.yaml')}:${at('memory: 256Mi')}: .*memory.*256Mx`)
    )
    expect(() => read({ 'kubernetes-manifest': MANIFEST, 'kubernetes-container': 'apj' })).toThrow(/apj/)
  })

  it('refuses two deployment files, a container without a manifest, and a file that is not there', () => {
    expect(() => read({ 'kubernetes-manifest': MANIFEST, 'fly-config': FLY })).toThrow(
      'Inputs "kubernetes-manifest" and "fly-config" both name a deployment file: give the one the image runs by.'
    )
    expect(() => read({ 'kubernetes-container': 'api' })).toThrow('Input "kubernetes-container" names a container of kubernetes-manifest, which is not given.')
    expect(() => read({ 'kubernetes-manifest': 'k8s/nope.yaml' })).toThrow('Input "kubernetes-manifest" must name a file; "k8s/nope.yaml" does not exist.')
  })
})

describe('fly-config', () => {
  it("runs the app process as fly.toml says, with the worker as a smoke run", () => {
    const { inputs, deployment } = read({ 'fly-config': FLY })
    expect(inputs).toMatchObject({
      command: ['node', 'dist/server.js'],
      smokeCommands: [['node', 'dist/worker.js']],
      env: ['PORT=8080', 'WORKER_INTERVAL_MS=2000'],
      stopTimeout: 15,
      runMemory: { text: '512Mi', bytes: 512 * 1024 * 1024 },
      healthCmd: 'wget -q --spider http://127.0.0.1:8080/health',
      healthStartPeriod: 10
    })
    expect(deployment).toMatchObject({ file: FLY, kind: 'fly' })
    expect(deployment!.settings.map(s => s.input).sort()).toEqual(['command', 'env', 'health-cmd', 'health-start-period', 'run-memory', 'smoke-commands', 'stop-timeout'])
  })
})
