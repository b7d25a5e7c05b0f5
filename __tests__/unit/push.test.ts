import { describe, expect, it } from '@jest/globals'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { gunzipSync } from 'node:zlib'
import { pushGated, PushError, type PushOptions } from '../../src/stages/push.js'
import { parseAnnotation, type Annotation } from '../../src/rules/annotations.js'
import { Secrets } from '../../src/secrets.js'
import { fakeEngine, fakeRegistry, OCI_INDEX, savedImage, sha } from './fake-registry.js'

// The push stage's core on a scripted engine and an in-memory registry (fake-registry.ts): what it
// reads from the engine, what it puts where and in which order, and what it says when the registry
// refuses. The real engines and a real registry are in __tests__/e2e/push-*.test.ts.

const REG = 'r.example'
const dir = () => mkdtempSync(path.join(tmpdir(), 'image-gate-push-test-'))
const noLogin = () => {
  const config = dir()
  return { DOCKER_CONFIG: config, PATH: process.env.PATH }
}
const annotations = (...lines: string[]): Annotation[] => lines.map(l => parseAnnotation(l) as Annotation)

async function push(images: ReturnType<typeof savedImage>[], tags: string[], store: 'classic' | 'containerd', registry = fakeRegistry(), options: Partial<PushOptions> = {}) {
  const { docker, calls } = await fakeEngine(images)
  const moved: string[] = []
  const run = { docker, tempDir: () => dir() }
  const platforms = images.map((_, i) => (i === 0 ? 'linux/amd64' : 'linux/arm64'))
  const gated = images.map((image, i) => ({ platform: platforms[i], image: image.id }))
  const result = pushGated(run, gated, tags, { store, fetch: registry.fetch, env: noLogin(), moved: tag => void moved.push(tag), ...options })
  return { result, registry, calls, moved }
}

const tagPuts = (log: string[]) => log.filter(l => /^PUT \/v2\/.+\/manifests\/(?!sha256:)/.test(l))

describe('pushGated, one image', () => {
  it("docker save's failure is told masked, also the piece of a secret its kept tail starts with", async () => {
    const secrets = new Secrets()
    const secret = 's3cr3tTOKENabcdefghijklmnopqrstuvwxyz0123456789'
    secrets.add(secret)
    const image = savedImage('classic', 'amd64')
    // 4,096 characters are kept: the tail starts 31 characters into the secret
    const stderr = `${secret}${'x'.repeat(4096 - (secret.length - 31) - secret.length - 10)}${secret}: gone\n`
    const { docker } = await fakeEngine([image], { saveFails: stderr, secrets })
    const err = await pushGated({ docker, tempDir: () => dir() }, [{ platform: 'linux/amd64', image: image.id }], [`${REG}/app:1`], { store: 'classic', fetch: fakeRegistry().fetch, env: noLogin(), moved: () => undefined }).catch(e => e as Error)
    const message = (err as Error).message
    expect(message).toContain(`docker save ${image.id} failed: `)
    expect(message).toContain('***: gone')
    for (let i = 0; i + 6 <= secret.length; i++) expect(message).not.toContain(secret.slice(i, i + 6))
  })

  it('classic store: gzips each layer, writes the manifest, puts each tag once; the engine is only read', async () => {
    const image = savedImage('classic', 'amd64')
    const { result, registry, calls, moved } = await push([image], [`${REG}/app:1.2.0`, `${REG}/app:latest`], 'classic')
    const pushed = await result
    const manifest = registry.served('app', '1.2.0')!
    expect(pushed.digest).toBe(sha(manifest.bytes))
    expect(registry.served('app', 'latest')!.bytes).toEqual(manifest.bytes)
    const doc = JSON.parse(manifest.bytes.toString()) as { config: { digest: string }; layers: { digest: string }[] }
    expect(doc.config.digest).toBe(image.id)
    // the layer as a push sends it: gzip of the saved tar
    expect(gunzipSync(registry.blobs.get(`app ${doc.layers[0].digest}`)!).toString()).toBe('files of amd64')
    expect(pushed.images).toEqual([{ platform: 'linux/amd64', manifest: pushed.digest, config: image.id }])
    expect(calls).toEqual([expect.stringMatching(/^info /), `save ${image.id}`])
    expect(tagPuts(registry.log)).toEqual(['PUT /v2/app/manifests/1.2.0', 'PUT /v2/app/manifests/latest'])
    expect(moved).toEqual([`${REG}/app:1.2.0`, `${REG}/app:latest`])
  })

  it("containerd store: the store's own index (image and attestation) is what the tag serves, byte for byte: its digest is the id", async () => {
    const image = savedImage('containerd', 'amd64')
    const { result, registry } = await push([image], [`${REG}/o/app:1`], 'containerd')
    const pushed = await result
    expect(pushed).toMatchObject({ digest: image.id, mediaType: OCI_INDEX, images: [{ platform: 'linux/amd64', manifest: image.manifest, config: image.config }] })
    // its manifests went by digest before the tag
    const log = registry.log.filter(l => l.startsWith('PUT /v2/o/app/manifests/'))
    expect(log.at(-1)).toBe('PUT /v2/o/app/manifests/1')
    expect(log.slice(0, -1).every(l => l.includes('sha256:'))).toBe(true)
  })

  it('an index: annotation on an image with no index wraps it in an index of one, annotated', async () => {
    const image = savedImage('classic', 'amd64')
    const { result, registry } = await push([image], [`${REG}/app:1`], 'classic', fakeRegistry(), { annotations: annotations('index:org.opencontainers.image.description=hello', 'org.example.m=1') })
    const pushed = await result
    const index = JSON.parse(registry.served('app', '1')!.bytes.toString()) as { manifests: { digest: string; platform: unknown }[]; annotations: unknown }
    expect(pushed.mediaType).toBe(OCI_INDEX)
    expect(index.annotations).toEqual({ 'org.opencontainers.image.description': 'hello' })
    expect(index.manifests).toEqual([expect.objectContaining({ digest: pushed.images[0].manifest, platform: { os: 'linux', architecture: 'amd64' } })])
    // the manifest level: on the classic store, written into the manifest the push writes
    expect(JSON.parse(registry.served('app', pushed.images[0].manifest)!.bytes.toString()).annotations).toEqual({ 'org.example.m': '1' })
  })

  it('a registry that wants a login the Docker config does not hold: an error naming the fix, and no tag moved', async () => {
    const image = savedImage('classic', 'amd64')
    const { result, registry } = await push([image], [`${REG}/app:1`], 'classic', fakeRegistry({ basic: 'me:pw' }))
    const err = await result.catch(e => e as Error)
    expect(err).toBeInstanceOf(PushError)
    expect((err as Error).message).toBe(`push of ${REG}/app failed: ${REG} wants a login (HTTP 401 unauthorized), and the Docker config holds none for it (log in to the registry before this step: docker/login-action); no tag was moved`)
    expect(registry.tagsOf('app')).toEqual([])
  })
})

describe('pushGated, one image per platform', () => {
  it('every manifest by digest first, then each tag once, straight to one index of exactly the gated images; no other tag', async () => {
    const amd = savedImage('containerd', 'amd64', { labels: { 'org.opencontainers.image.description': 'the app' } })
    const arm = savedImage('containerd', 'arm64')
    const tags = [`${REG}/app:latest`, `${REG}/app:1.3.0`]
    const { result, registry } = await push([amd, arm], tags, 'containerd')
    const pushed = await result
    const puts = registry.log.filter(l => l.startsWith('PUT /v2/app/manifests/'))
    expect(puts.slice(-2)).toEqual(['PUT /v2/app/manifests/latest', 'PUT /v2/app/manifests/1.3.0'])
    expect(puts.slice(0, -2).every(l => l.includes('sha256:'))).toBe(true)
    expect(registry.tagsOf('app').sort()).toEqual(['1.3.0', 'latest'])
    const index = JSON.parse(registry.served('app', 'latest')!.bytes.toString()) as { manifests: { digest: string; platform: { architecture: string } }[]; annotations?: Record<string, string> }
    expect(pushed.digest).toBe(sha(registry.served('app', 'latest')!.bytes))
    // each platform's manifest and its attestation, as the store keeps them
    expect(index.manifests.map(m => [m.platform.architecture, m.digest])).toEqual([
      ['amd64', amd.manifest],
      ['unknown', expect.stringMatching(/^sha256:/)],
      ['arm64', arm.manifest],
      ['unknown', expect.stringMatching(/^sha256:/)]
    ])
    // without an index annotation, the image's description label is carried to the index
    expect(index.annotations).toEqual({ 'org.opencontainers.image.description': 'the app' })
  })

  it('classic store: the annotations go where each level says; an index: one wins over the label', async () => {
    const amd = savedImage('classic', 'amd64', { labels: { 'org.opencontainers.image.description': 'label' } })
    const arm = savedImage('classic', 'arm64')
    const given = annotations('index:org.opencontainers.image.description=given', 'manifest,manifest-descriptor:org.example.both=b', 'manifest[linux/arm64]:org.example.arm=a')
    const { result, registry } = await push([amd, arm], [`${REG}/app:2`], 'classic', fakeRegistry(), { annotations: given })
    const pushed = await result
    const index = JSON.parse(registry.served('app', '2')!.bytes.toString()) as { manifests: { annotations?: Record<string, string> }[]; annotations: Record<string, string> }
    expect(index.annotations).toEqual({ 'org.opencontainers.image.description': 'given' })
    expect(index.manifests.map(m => m.annotations)).toEqual([{ 'org.example.both': 'b' }, { 'org.example.both': 'b' }])
    const manifestAnnotations = pushed.images.map(i => JSON.parse(registry.served('app', i.manifest)!.bytes.toString()).annotations)
    expect(manifestAnnotations).toEqual([{ 'org.example.both': 'b' }, { 'org.example.both': 'b', 'org.example.arm': 'a' }])
    expect(pushed.images.map(i => i.config)).toEqual([amd.id, arm.id])
  })
})

describe('pushGated, when the registry does not let it finish', () => {
  it('a tag refused after another moved: the moved one is told as it moves, and the error names the one refused', async () => {
    const image = savedImage('classic', 'amd64')
    const registry = fakeRegistry({ refuse: (method, p) => (method === 'PUT' && p === '/v2/app/manifests/latest' ? 503 : undefined) })
    const { result, moved } = await push([image], [`${REG}/app:1`, `${REG}/app:latest`], 'classic', registry)
    await expect(result).rejects.toThrow(`push of ${REG}/app:latest failed: putting latest in app: unavailable: service unavailable (HTTP 503)`)
    expect(moved).toEqual([`${REG}/app:1`])
  })

  it('a registry that cannot say whether it holds a blob is an error, not an empty registry: nothing is sent, no tag moves', async () => {
    const image = savedImage('classic', 'amd64')
    const registry = fakeRegistry({ refuse: (method, p) => (method === 'HEAD' && p.includes('/blobs/') ? 503 : undefined) })
    const { result, moved } = await push([image], [`${REG}/app:1`], 'classic', registry)
    await expect(result).rejects.toThrow(new RegExp(`^push of ${REG}/app failed: reading blob sha256:[0-9a-f]{64} of app: unavailable: service unavailable \\(HTTP 503\\); no tag was moved$`))
    expect(moved).toEqual([])
    expect(registry.log.filter(l => !l.startsWith('HEAD') && l !== 'GET /v2/')).toEqual([])
  })

  it('a tag another push moved meanwhile is an error, not a success', async () => {
    const image = savedImage('classic', 'amd64')
    const registry = fakeRegistry()
    const moving = (async (input: string | URL | Request, init?: RequestInit) => {
      const res = await registry.fetch(input, init)
      // another push lands between ours and the read-back
      if (init?.method === 'PUT' && String(input).endsWith('/manifests/1')) await registry.fetch(String(input), { method: 'PUT', headers: { 'Content-Type': OCI_INDEX }, body: Buffer.from('{"schemaVersion":2,"manifests":[]}') })
      return res
    }) as typeof fetch
    const { result } = await push([image], [`${REG}/app:1`], 'classic', registry, { fetch: moving })
    const other = sha('{"schemaVersion":2,"manifests":[]}')
    await expect(result).rejects.toThrow(new RegExp(`^the registry serves ${REG}/app:1 as ${other}, not the sha256:[0-9a-f]{64} pushed: another push moved the tag meanwhile$`))
  })
})

describe('pushGated, with the login docker login stored', () => {
  it('a bearer token from the registry\'s token service, asked with the config.json login', async () => {
    const image = savedImage('classic', 'amd64')
    const config = dir()
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ auths: { [REG]: { auth: Buffer.from('me:pw').toString('base64') } } }))
    const registry = fakeRegistry({ bearer: { login: 'me:pw', token: 'tok' } })
    const { result } = await push([image], [`${REG}/o/app:1`], 'classic', registry, { env: { DOCKER_CONFIG: config } })
    await result
    expect(registry.log.filter(l => l.startsWith('TOKEN'))).toEqual(['TOKEN repository:o/app:pull,push'])
    expect(registry.tagsOf('o/app')).toEqual(['1'])
  })

  it("a credential helper named for the registry (credHelpers): its Username and Secret are the Basic login", async () => {
    const image = savedImage('classic', 'amd64')
    const config = dir()
    const bin = dir()
    writeFileSync(path.join(config, 'config.json'), JSON.stringify({ credHelpers: { [REG]: 'fake' }, auths: { [REG]: { auth: Buffer.from('wrong:wrong').toString('base64') } } }))
    writeFileSync(path.join(bin, 'docker-credential-fake'), `#!/bin/sh\nread server\n[ "$1" = get ] && [ "$server" = ${REG} ] && echo '{"ServerURL":"${REG}","Username":"me","Secret":"pw"}'\n`)
    chmodSync(path.join(bin, 'docker-credential-fake'), 0o755)
    const registry = fakeRegistry({ basic: 'me:pw' })
    const { result } = await push([image], [`${REG}/app:1`], 'classic', registry, { env: { DOCKER_CONFIG: config, PATH: `${bin}:${process.env.PATH}` } })
    await result
    expect(registry.tagsOf('app')).toEqual(['1'])
  })
})
