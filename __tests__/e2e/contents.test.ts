import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { type ActionRun, activeCommands, checkRow, EXAMPLES, fixture, leftovers, removeImages, row, runAction, SERVE } from './action.js'

// The contents check on real images (busybox from scratch, built by buildkit, saved by the engine):
// a .env holding a password, a devDependency in node_modules, a file deleted in a later layer, a
// clean image, and allow-paths. The password must appear in no output at all.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/contents'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const PASSWORD = 'e2e-hunter2-do-not-print-7c1f'
afterEach(() => expect(leftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A fixture whose build context also holds these files (paths relative to the context). */
function withFiles(lines: string[], files: Record<string, string>): string {
  const context = fixture(lines)
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(context, name)), { recursive: true })
    writeFileSync(path.join(context, name), content)
  }
  return context
}

const contentsRow = (run: ActionRun) => checkRow(run, 'contents')

/** Everything the run wrote anywhere: log, summary, outputs (the report among them). */
const everything = (run: ActionRun) => [run.stdout, run.stderr, run.summary, ...Object.values(run.outputs)].join('\n')

describe('contents', () => {
  it('fails an image that copies a .env holding a password, naming .env and the COPY line, and never prints the password', async () => {
    const context = withFiles([...NON_ROOT.slice(0, 1), 'WORKDIR /app', 'COPY app/ .', NON_ROOT[1], ...SERVE], {
      'app/.env': `DB_PASSWORD=${PASSWORD}\n`,
      'app/.env.example': 'DB_PASSWORD=changeme\n',
      'app/index.html': 'ok\n'
    })
    const run = await runAction({ context, tags: `${TAG}:env` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'contents-findings': '1' })
    const contents = contentsRow(run)
    expect(contents).toMatchObject({ status: 'fail', value: '1 secret' })
    expect(contents.detail).toMatch(/^\/app\/\.env \(environment file, \d+ B, from COPY app\/ \.\)\. Keep secrets out of the build context/)
    expect(row(run.summary, 'contents')).toContain('| ❌ | contents | 1 secret |')
    expect(run.summary).toContain('| secret | /app/.env | environment file |')
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: contents (1 secret)')
    // the annotation sits on the COPY line, with the .dockerignore entry
    const lines = readFileSync(path.join(context, 'Dockerfile'), 'utf8').split('\n')
    const annotations = activeCommands(run.stdout).filter(l => /^::error .*file=/.test(l))
    expect(annotations).toHaveLength(1)
    const line = Number(/line=(\d+)/.exec(annotations[0])![1])
    expect(lines[line - 1]).toBe('COPY app/ .')
    expect(annotations[0]).toContain('title=image-gate%3A this COPY puts a secret into the image')
    expect(annotations[0]).toMatch(/::\/app\/\.env \(environment file, 42 B, from COPY app\/ \.\)\. Add \*\*\/\.env to \.dockerignore\.$/)
    expect(everything(run)).not.toContain(PASSWORD)
    expect(JSON.stringify(run.report)).not.toContain(PASSWORD)
  })

  it('still fails when a later RUN deletes the file, and says so; with compressed-size: false too', async () => {
    const context = withFiles(['WORKDIR /app', 'COPY app/ .', 'RUN rm -f .env', ...NON_ROOT, ...SERVE], { 'app/.env': `TOKEN=${PASSWORD}\n` })
    const run = await runAction({ context, tags: `${TAG}:deleted`, 'compressed-size': 'false' })
    expect(run.outputs['compressed-size']).toBe('')
    expect(run.report.contents.findings).toEqual([
      { kind: 'secret', what: 'environment file', path: '/app/.env', size: `TOKEN=${PASSWORD}\n`.length, instruction: 'COPY app/ .', deletedBy: 'RUN rm -f .env' }
    ])
    expect(contentsRow(run).detail).toContain('deleted in a later layer (RUN rm -f .env), but that only hides it: it still ships in the layer that added it')
    expect(everything(run)).not.toContain(PASSWORD)
  })

  it("fails an image whose node_modules holds a devDependency, naming it and its size", async () => {
    const pkg = JSON.stringify({ name: 'app', dependencies: { 'tiny-server': '1.0.0' }, devDependencies: { 'tiny-compiler': '1.0.0', 'not-installed': '1.0.0' } })
    const context = withFiles(['WORKDIR /app', 'COPY app/ .', ...NON_ROOT, ...SERVE], {
      'app/package.json': pkg,
      'app/node_modules/tiny-server/index.js': 'module.exports = 1\n',
      'app/node_modules/tiny-compiler/package.json': '{"name":"tiny-compiler"}',
      'app/node_modules/tiny-compiler/lib/compile.js': 'x'.repeat(20_000)
    })
    const run = await runAction({ context, tags: `${TAG}:devdeps` })
    expect(run.outputs).toMatchObject({ passed: 'false', 'contents-findings': '1' })
    expect(run.report.contents.findings).toEqual([
      { kind: 'dev-dependency', what: 'devDependency of /app/package.json', path: '/app/node_modules/tiny-compiler', size: 20_024, instruction: 'COPY app/ .' }
    ])
    expect(contentsRow(run)).toMatchObject({ status: 'fail', value: '1 dev dependency (20.0 kB)' })
    expect(contentsRow(run).detail).toContain('npm ci --omit=dev')
  })

  it('passes a clean image, saying how much it read', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:clean` })
    expect(run.outputs).toMatchObject({ passed: 'true', 'contents-findings': '0' })
    expect(contentsRow(run)).toMatchObject({ status: 'pass', value: 'clean' })
    expect(contentsRow(run).detail).toMatch(/^Read \d+ files in 4 layers: no secrets, devDependencies or build tools\.$/)
  })

  it.each(['focus-flow-backend', 'tynebase-backend'])('finds nothing in examples/%s (a production install, on the node:18-alpine stand-in)', async example => {
    const run = await runAction({ context: path.join(EXAMPLES, example), tags: `${TAG}:${example}` })
    expect(contentsRow(run)).toMatchObject({ status: 'pass', value: 'clean' })
    expect(run.report.contents.files).toBeGreaterThan(1_000) // npm's own files among them
  })

  it('lets a file allow-paths lists through, and refuses one forbid-paths lists', async () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(4)}\n-----END PRIVATE KEY-----\n`
    const context = withFiles(['WORKDIR /app', 'COPY app/ .', ...NON_ROOT, ...SERVE], { 'app/test/fixtures/client.key': key, 'app/npm-debug.log': 'npm ERR!\n' })
    const allowed = await runAction({ context, tags: `${TAG}:allow`, 'allow-paths': 'app/test/fixtures/*.key' })
    expect(allowed.outputs).toMatchObject({ passed: 'true', 'contents-findings': '0' })
    expect(contentsRow(allowed).detail).toContain('allow-paths let 1 through.')
    const forbidden = await runAction({ context, tags: `${TAG}:allow`, 'allow-paths': '/app/test/**', 'forbid-paths': '*.log' })
    expect(forbidden.report.contents.findings.map(f => [f.kind, f.path])).toEqual([['forbidden', '/app/npm-debug.log']])
    expect(everything(forbidden)).not.toContain('MIIEvQ')
  })
})
