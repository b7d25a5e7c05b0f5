import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import * as path from 'node:path'
import { fixture, multiArch, removeImages, runAction, SERVE, takeLeftovers } from './action.js'
import { startRegistry, type Registry } from './registry.js'

// The push talks to the registry itself (src/registry/), so these run it against a real registry
// (registry.ts) that wants a login, with the login `docker login` stored in the Docker config the run
// is given, and read back the annotations it wrote at each level of a multi-platform image.

jest.setTimeout(240_000)
const GOOD = [...SERVE.slice(0, 1), "RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001', SERVE[1]]
const INDEX = 'application/vnd.oci.image.index.v1+json'
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
let locked: Registry
let open: Registry
const configs: string[] = []

beforeAll(async () => {
  locked = await startRegistry({}, { users: { gate: 's3cret-pw' } })
  open = await startRegistry()
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(async () => {
  await locked.close()
  await open.close()
  for (const r of [locked, open]) removeImages(r.host)
  for (const dir of configs) rmSync(dir, { recursive: true, force: true })
})

/** A Docker config of its own (the engine's buildx and plugins linked in), for a login the test makes. */
function dockerConfig(): string {
  const base = process.env.DOCKER_CONFIG || path.join(homedir(), '.docker')
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-docker-config-'))
  configs.push(dir)
  for (const sub of ['cli-plugins', 'buildx']) if (existsSync(path.join(base, sub))) symlinkSync(path.join(base, sub), path.join(dir, sub))
  return dir
}

const tagPuts = (registry: Registry, name: string) => registry.requests.filter(r => r.startsWith(`PUT /v2/${name}/manifests/`) && !r.includes('/manifests/sha256:'))

describe('push: true to a registry that wants a login', () => {
  it('uses the login docker login stored: every tag is pushed once, and the registry serves the gated image', async () => {
    const config = dockerConfig()
    execFileSync('docker', ['--config', config, 'login', '--username', 'gate', '--password-stdin', locked.host], { input: 's3cret-pw', stdio: ['pipe', 'ignore', 'ignore'] })
    const name = 'login/app'
    const tags = [`${locked.host}/${name}:1.0.0`, `${locked.host}/${name}:latest`]
    const run = await runAction({ context: fixture(GOOD), tags: tags.join('\n'), push: 'true' }, { env: { DOCKER_CONFIG: config } })
    expect(run.code).toBe(0)
    expect((await locked.tags(name)).sort()).toEqual(['1.0.0', 'latest'])
    const res = await locked.get(`/v2/${name}/manifests/1.0.0`)
    expect(res.status).toBe(200)
    expect(run.outputs.digest).toBe(res.headers.get('docker-content-digest'))
    expect(tagPuts(locked, name)).toEqual([`PUT /v2/${name}/manifests/1.0.0`, `PUT /v2/${name}/manifests/latest`])
    expect(run.report.push).toMatchObject({ outcome: 'pushed', moved: tags.map(tag => ({ tag, digest: run.outputs.digest })) })
  })

  it('a login the registry refuses: one line naming it, with the fix, and no tag moved', async () => {
    const config = dockerConfig()
    // as docker login writes it (it would not store a login the registry refuses; a password changed since does this)
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [locked.host]: { auth: Buffer.from('gate:old-password').toString('base64') } } }))
    const name = 'login/refused'
    const run = await runAction({ context: fixture(GOOD), tags: `${locked.host}/${name}:1.0.0`, push: 'true' }, { env: { DOCKER_CONFIG: config } })
    expect(run.code).toBe(1)
    const line = `push of ${locked.host}/${name} failed: ${locked.host} refused the login stored for it (HTTP 401 unauthorized) (log in to the registry before this step: docker/login-action); no tag was moved`
    expect(run.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual([`::error::image-gate: ${line}`])
    expect(run.report.push).toMatchObject({ outcome: 'failed', why: line })
    expect(await locked.tags(name)).toEqual([])
  })
})

interface Doc {
  annotations?: Record<string, string>
  manifests?: { digest: string; platform?: { os?: string; architecture?: string }; annotations?: Record<string, string> }[]
}

/** name:ref's index as the registry serves it, and the platform entries in it. */
async function index(name: string, ref: string): Promise<{ doc: Doc; platforms: NonNullable<Doc['manifests']> }> {
  const res = await fetch(`http://${open.host}/v2/${name}/manifests/${ref}`, { headers: { Accept: INDEX } })
  expect(res.status).toBe(200)
  const doc = JSON.parse(await res.text()) as Doc
  return { doc, platforms: (doc.manifests ?? []).filter(m => m.platform?.os === 'linux') }
}

describe('index annotations, read back from the registry', () => {
  it("without the annotations input, the image's description label goes on the index, where GHCR reads it", async () => {
    const name = 'annotated/label'
    const run = await runAction({ context: multiArch(['LABEL org.opencontainers.image.description="a gated app"']), tags: `${open.host}/${name}:1.0.0`, platforms: 'linux/amd64,linux/arm64', push: 'true' })
    expect(run.code).toBe(0)
    const { doc, platforms } = await index(name, '1.0.0')
    expect(doc.annotations).toEqual({ 'org.opencontainers.image.description': 'a gated app' })
    expect(platforms.map(p => p.platform?.architecture).sort()).toEqual(['amd64', 'arm64'])
  })

  it('the annotations input: each level where it says, as metadata-action writes them', async () => {
    const name = 'annotated/input'
    const annotations = [
      'index:org.opencontainers.image.description=given for the index',
      'manifest-descriptor:org.opencontainers.image.version=1.0.0',
      'manifest:org.opencontainers.image.licenses=MIT',
      'manifest[linux/arm64]:org.example.arch=arm'
    ].join('\n')
    const run = await runAction({ context: multiArch(['LABEL org.opencontainers.image.description="the label"']), tags: `${open.host}/${name}:1.0.0`, platforms: 'linux/amd64,linux/arm64', push: 'true', annotations })
    expect(run.code).toBe(0)
    const { doc, platforms } = await index(name, '1.0.0')
    // the input's index annotation, not the label
    expect(doc.annotations).toEqual({ 'org.opencontainers.image.description': 'given for the index' })
    expect(platforms.map(p => [p.platform?.architecture, p.annotations?.['org.opencontainers.image.version']])).toEqual([
      ['amd64', '1.0.0'],
      ['arm64', '1.0.0']
    ])
    for (const p of platforms) {
      const res = await fetch(`http://${open.host}/v2/${name}/manifests/${p.digest}`, { headers: { Accept: MANIFEST } })
      const manifest = JSON.parse(await res.text()) as Doc
      expect([p.platform?.architecture, manifest.annotations?.['org.opencontainers.image.licenses'], manifest.annotations?.['org.example.arch']]).toEqual([
        p.platform?.architecture,
        'MIT',
        p.platform?.architecture === 'arm64' ? 'arm' : undefined
      ])
    }
  })

  it('an annotation buildx cannot place is refused before anything runs, naming the input', async () => {
    const run = await runAction({ context: fixture(GOOD), tags: `${open.host}/annotated/bad:1`, push: 'true', annotations: 'index-descriptor:org.example.x=1' })
    expect(run.code).toBe(1)
    expect(run.stdout.split('\n').filter(l => l.startsWith('::error'))).toEqual([
      `::error::Input "annotations" takes one [LEVEL:]KEY=VALUE per line, as docker/build-push-action does: "index-descriptor:org.example.x=1": index-descriptor annotations go on an OCI layout's index.json, which a registry does not have; use index: (the index itself) or manifest-descriptor:.`
    ])
    // nothing ran: no build
    expect(run.stdout).not.toContain('::group::Build')
    expect(await open.tags('annotated/bad')).toEqual([])
  })
})
