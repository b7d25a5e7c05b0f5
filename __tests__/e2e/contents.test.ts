import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { activeCommands, checkRow, EXAMPLES, fixture, removeImages, row, runAction, SERVE, takeLeftovers, type ActionRun } from './action.js'

// The contents check on real images (busybox from scratch, built by buildkit, saved by the engine):
// a .env holding a password, a devDependency in node_modules, a file deleted in a later layer, a
// clean image, and allow-paths. The password must appear in no output at all.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/contents'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const PASSWORD = 'e2e-hunter2-do-not-print-7c1f'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
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
    expect(run.report.runs[0].contents.findings).toEqual([
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
    expect(run.report.runs[0].contents.findings).toEqual([
      { kind: 'dev-dependency', what: 'devDependency of /app/package.json', path: '/app/node_modules/tiny-compiler', size: 20_024, instruction: 'COPY app/ .', ecosystem: 'node' }
    ])
    expect(contentsRow(run)).toMatchObject({ status: 'fail', value: '1 dev dependency (20.0 kB)' })
    expect(contentsRow(run).detail).toContain('npm ci --omit=dev')
  })

  it('passes a production install that keeps semver, a devDependency jsonwebtoken needs; fails the typescript npm marked dev-only', async () => {
    const pkg = JSON.stringify({ name: 'app', dependencies: { jsonwebtoken: '^9' }, devDependencies: { semver: '^7', typescript: '^5' } })
    const files = {
      'app/package.json': pkg,
      'app/node_modules/jsonwebtoken/package.json': JSON.stringify({ name: 'jsonwebtoken', dependencies: { semver: '^7' } }),
      'app/node_modules/jsonwebtoken/index.js': 'module.exports = {}\n',
      'app/node_modules/semver/package.json': '{"name":"semver"}',
      'app/node_modules/semver/index.js': 'x'.repeat(5_000)
    }
    // as `npm ci --omit=dev` leaves it, without a hidden lockfile: the dependency graph decides
    const graph = await runAction({ context: withFiles(['WORKDIR /app', 'COPY app/ .', ...NON_ROOT, ...SERVE], files), tags: `${TAG}:semver` })
    expect(graph.outputs).toMatchObject({ passed: 'true', 'contents-findings': '0' })
    expect(contentsRow(graph)).toMatchObject({ status: 'pass', value: 'clean' })
    // as a full `npm ci` leaves it: npm's hidden lockfile marks typescript dev-only, semver not
    const lock = { lockfileVersion: 3, packages: { 'node_modules/jsonwebtoken': {}, 'node_modules/semver': {}, 'node_modules/typescript': { dev: true } } }
    const full = withFiles(['WORKDIR /app', 'COPY app/ .', ...NON_ROOT, ...SERVE], {
      ...files,
      'app/node_modules/typescript/package.json': '{"name":"typescript"}',
      'app/node_modules/typescript/lib/tsc.js': 'y'.repeat(20_000),
      'app/node_modules/.package-lock.json': JSON.stringify(lock)
    })
    const run = await runAction({ context: full, tags: `${TAG}:semver` })
    expect(run.report.runs[0].contents.findings.map(f => [f.kind, f.path])).toEqual([['dev-dependency', '/app/node_modules/typescript']])
    expect(contentsRow(run)).toMatchObject({ status: 'fail', value: '1 dev dependency (20.0 kB)' })
  })

  it('counts a .git that RUN chown -R rewrote once, naming both layers', async () => {
    const chown = 'RUN chown -R 10001:10001 /app'
    const context = withFiles(['COPY app/ /app/', NON_ROOT[0], chown, NON_ROOT[1], ...SERVE], {
      'app/.git/HEAD': 'ref: refs/heads/main\n',
      'app/.git/config': '[core]\n\trepositoryformatversion = 0\n',
      'app/index.html': 'ok\n'
    })
    const run = await runAction({ context, tags: `${TAG}:git-chown` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'contents-findings': '1' })
    const size = 'ref: refs/heads/main\n'.length + '[core]\n\trepositoryformatversion = 0\n'.length
    expect(run.report.runs[0].contents.findings).toEqual([
      { kind: 'secret', what: 'git repository (.git)', path: '/app/.git', size, instruction: 'COPY app/ /app/', alsoIn: [chown] }
    ])
    expect(row(run.summary, 'contents')).toBe(
      `| ❌ | contents | 1 secret | no secrets, dev dependencies or build tools | /app/.git (git repository (.git), ${size} B, from COPY app/ /app/ and again from RUN chown -R 10001:10001 /app). Keep secrets out of the build context (.dockerignore: &#42;&#42;/.env, &#42;&#42;/&#42;.pem, .git) and pass build-time credentials as build secrets (RUN --mount=type=secret); deleting a file in a later layer does not take it out of the image. |`
    )
    expect(run.summary).toContain(`| secret | /app/.git | git repository (.git) | ${size} B | COPY app/ /app/, again by RUN chown -R 10001:10001 /app |`)
    // one annotation, on the COPY that added it, saying what the chown did
    const annotations = activeCommands(run.stdout).filter(l => /^::error .*file=/.test(l))
    expect(annotations).toHaveLength(1)
    expect(annotations[0]).toContain('title=image-gate%3A this COPY puts a secret into the image')
    expect(annotations[0]).toMatch(/Add \.git to \.dockerignore\. A later layer wrote it again \(a chown -R or chmod -R copies every file it touches\): COPY --chown sets the owner without a second copy\.$/)
  })

  it('fails a Python image with pytest in site-packages: a dev dependency, with the Python fix', async () => {
    const site = 'usr/local/lib/python3.11/site-packages'
    const metadata = 'Metadata-Version: 2.1\nName: pytest\nVersion: 8.0.0\nRequires-Dist: iniconfig\nRequires-Dist: pluggy<2.0,>=1.3.0\n\npytest: simple powerful testing with Python\n'
    const record = `_pytest/python.py,sha256=x,${'p'.repeat(3_000).length}\npytest-8.0.0.dist-info/METADATA,sha256=y,${metadata.length}\npytest-8.0.0.dist-info/RECORD,,\n`
    const context = withFiles(['COPY site/ /usr/local/lib/python3.11/site-packages/', 'COPY app/ /app/', ...NON_ROOT, ...SERVE], {
      'site/pytest-8.0.0.dist-info/METADATA': metadata,
      'site/pytest-8.0.0.dist-info/RECORD': record,
      'site/_pytest/python.py': 'p'.repeat(3_000),
      'app/requirements.txt': 'flask==3.0.2\npytest==8.0.0\n'
    })
    const run = await runAction({ context, tags: `${TAG}:pytest` })
    expect(run.outputs).toMatchObject({ passed: 'false', 'contents-findings': '1' })
    const size = 3_000 + metadata.length
    expect(run.report.runs[0].contents.findings).toEqual([
      { kind: 'dev-dependency', what: 'Python test runner pytest 8.0.0', path: `/${site}/pytest-8.0.0.dist-info`, size, instruction: `COPY site/ /${site}/`, ecosystem: 'python' }
    ])
    expect(row(run.summary, 'contents')).toBe(
      `| ❌ | contents | 1 dev dependency (${(size / 1000).toFixed(2)} kB) | no secrets, dev dependencies or build tools | /${site}/pytest-8.0.0.dist-info (Python test runner pytest 8.0.0, ${(size / 1000).toFixed(2)} kB, from COPY site/ /${site}/). ` +
        'Install only what the app runs with in the final stage: keep test and lint tools in dev requirements (requirements-dev.txt, a dev extra or group) that only a build or test stage installs (poetry install --only main, uv sync --no-dev). |'
    )
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
    expect(run.report.runs[0].contents.files).toBeGreaterThan(1_000) // npm's own files among them
  })

  it('never loses a token among 250 forbidden files of the same layer, even when allow-paths lets them through', async () => {
    // the classic mistake: a build secret written into a layer, which npm ci fills with source maps
    const write = [
      'RUN --mount=type=secret,id=npm mkdir -p /root && for i in $(seq 1 250); do mkdir -p /app/node_modules/p$i;',
      "echo '{}' > /app/node_modules/p$i/index.js.map; done; echo \"//npm.pkg/:_authToken=$(cat /run/secrets/npm)\" > /root/.npmrc"
    ].join(' ')
    const context = fixture([write, ...NON_ROOT, ...SERVE])
    const secrets = `npm=${PASSWORD}`
    const run = await runAction({ context, tags: `${TAG}:capped`, secrets, 'forbid-paths': '**/*.map', 'allow-paths': '**/node_modules/**' })
    expect(run.outputs).toMatchObject({ passed: 'false', 'contents-findings': '1' })
    expect(contentsRow(run)).toMatchObject({ status: 'fail', value: '1 secret' })
    expect(contentsRow(run).detail).toMatch(/^\/root\/\.npmrc \(npm auth token, \d+ B, from RUN mkdir -p \/root/)
    expect(contentsRow(run).detail).toContain('allow-paths let 250 through.')
    const listed = await runAction({ context, tags: `${TAG}:capped`, secrets, 'forbid-paths': '**/*.map' })
    expect(listed.outputs['contents-findings']).toBe('251')
    expect(listed.report.runs[0].contents.findings[0]).toMatchObject({ kind: 'secret', path: '/root/.npmrc' })
    expect(contentsRow(listed).detail).toContain('; and 248 more (the first 40 listed below).')
    // the runner is told to mask it (add-mask), and nothing else shows it
    for (const r of [run, listed]) expect(everything(r).split('\n').filter(line => line.includes(PASSWORD))).toEqual([`::add-mask::${PASSWORD}`])
  })

  it('passes an image whose .ssh holds only known_hosts (as the RUN --mount=type=ssh recipe leaves it), and fails one with a private key there', async () => {
    const hostKey = 'github.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl'
    const knownHosts = `RUN mkdir -p /root/.ssh && echo '${hostKey}' >> /root/.ssh/known_hosts`
    const clean = await runAction({ context: fixture([knownHosts, ...NON_ROOT, ...SERVE]), tags: `${TAG}:known-hosts` })
    expect(clean.outputs).toMatchObject({ passed: 'true', 'contents-findings': '0' })
    expect(contentsRow(clean)).toMatchObject({ status: 'pass', value: 'clean' })
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW'.repeat(4)}\n-----END OPENSSH PRIVATE KEY-----\n`
    const context = withFiles([knownHosts, 'COPY deploy_key /root/.ssh/deploy_key', ...NON_ROOT, ...SERVE], { deploy_key: key })
    const leaked = await runAction({ context, tags: `${TAG}:ssh-key` })
    expect(leaked.report.runs[0].contents.findings.map(f => [f.kind, f.path, f.what])).toEqual([['secret', '/root/.ssh/deploy_key', 'private key (PEM)']])
  })

  it('lets a file allow-paths lists through, and refuses one forbid-paths lists', async () => {
    const key = `-----BEGIN PRIVATE KEY-----\n${'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(4)}\n-----END PRIVATE KEY-----\n`
    const context = withFiles(['WORKDIR /app', 'COPY app/ .', ...NON_ROOT, ...SERVE], { 'app/test/fixtures/client.key': key, 'app/npm-debug.log': 'npm ERR!\n' })
    const allowed = await runAction({ context, tags: `${TAG}:allow`, 'allow-paths': 'app/test/fixtures/*.key' })
    expect(allowed.outputs).toMatchObject({ passed: 'true', 'contents-findings': '0' })
    expect(contentsRow(allowed).detail).toContain('allow-paths let 1 through.')
    const forbidden = await runAction({ context, tags: `${TAG}:allow`, 'allow-paths': '/app/test/**', 'forbid-paths': '*.log' })
    expect(forbidden.report.runs[0].contents.findings.map(f => [f.kind, f.path])).toEqual([['forbidden', '/app/npm-debug.log']])
    expect(everything(forbidden)).not.toContain('MIIEvQ')
  })
})
