import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Processes } from '../../src/docker/command.js'
import { Docker } from '../../src/docker/docker.js'
import { pushGated } from '../../src/stages/push.js'
import { docker, fixture, multiArch, removeImages, runAction, SERVE, takeLeftovers } from './action.js'
import { startRegistry, type Registry } from './registry.js'
import { imageStore } from './store.js'

// push: true against a real registry (registry.ts: Debian's docker-registry on 127.0.0.1): the
// bundled action gates a FROM scratch busybox image and pushes it, and the test reads back what a
// user's pull would get. Then the stage's core with one image per platform (linux/amd64 native,
// linux/arm64 built with Debian's static arm64 busybox): one index whose entries are those images.

jest.setTimeout(240_000)
const store = imageStore()
const BUSYBOX_ARM64 = '/var/cache/image-gate/busybox-arm64'
const GOOD = [...SERVE.slice(0, 1), "RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001', SERVE[1]]
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json'
let registry: Registry

beforeAll(async () => {
  registry = await startRegistry()
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(async () => {
  await registry.close()
  // the core's per-platform pushes moved one local tag: the classic store keeps the other image as repo:<none>
  const untagged = docker(['images', '--quiet', '--filter', 'dangling=true', '--filter', `reference=${registry.host}/*/*`])
  if (untagged) execFileSync('docker', ['rmi', '--force', ...new Set(untagged.split('\n'))], { stdio: 'ignore' })
  removeImages(registry.host)
  removeImages('image-gate-e2e/push-gated')
})

interface Doc {
  config?: { digest: string }
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[]
}

/** What the registry serves for name:ref: its digest (Docker-Content-Digest) and the document. */
async function served(name: string, ref: string): Promise<{ digest: string; doc: Doc }> {
  const res = await registry.get(`/v2/${name}/manifests/${ref}`)
  expect([`${name}:${ref}`, res.status]).toEqual([`${name}:${ref}`, 200])
  return { digest: res.headers.get('docker-content-digest') ?? '', doc: JSON.parse(res.body) as Doc }
}

/** The platform manifest of `arch` under name:ref (the manifest itself when it is not an index). */
async function platformManifest(name: string, ref: string, arch: string): Promise<{ digest: string; doc: Doc }> {
  const top = await served(name, ref)
  if (!top.doc.manifests) return top
  const entry = top.doc.manifests.find(m => m.platform?.os === 'linux' && m.platform.architecture === arch)
  expect(entry).toBeDefined()
  const res = await fetch(`http://${registry.host}/v2/${name}/manifests/${entry!.digest}`, { headers: { Accept: MANIFEST } })
  return { digest: entry!.digest, doc: JSON.parse(await res.text()) as Doc }
}

describe('push: true, through the bundled action', () => {
  it('a failing check pushes nothing: the registry holds no tag, and the summary says why', async () => {
    // no USER: the user check fails
    const name = 'gate/failing'
    const run = await runAction({ context: fixture(SERVE), tags: `${registry.host}/${name}:1.0.0\n${registry.host}/${name}:latest`, push: 'true' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', digest: '', metadata: '' })
    expect(await registry.tags(name)).toEqual([])
    expect(registry.requests.filter(r => r.startsWith('PUT') || r.startsWith('POST'))).toEqual([])
    expect(run.summary).toContain('not pushed: 1 check failed')
    expect(run.stdout).toContain('not pushed: 1 check failed')
  })

  it('a passing run pushes the gated image to every tag: the digest output is the registry\'s, and a pull gets the image that ran', async () => {
    const name = 'gate/passing'
    const tags = [`${registry.host}/${name}:1.0.0`, `${registry.host}/${name}:latest`]
    const run = await runAction({ context: fixture(GOOD), tags: tags.join('\n'), push: 'true' })
    expect(run.code).toBe(0)
    expect(run.outputs.passed).toBe('true')
    const gated = run.outputs.imageid
    expect((await registry.tags(name)).sort()).toEqual(['1.0.0', 'latest'])
    const version = await served(name, '1.0.0')
    const latest = await served(name, 'latest')
    expect(run.outputs.digest).toBe(version.digest)
    expect(latest.digest).toBe(version.digest)
    const { doc } = await platformManifest(name, '1.0.0', 'amd64')
    const config = doc.config!.digest
    // the classic store's id is the config digest; the containerd store's is the digest of what it pushed
    if (store === 'classic') expect(config).toBe(gated)
    else expect(version.digest).toBe(gated)
    expect(JSON.parse(run.outputs.metadata)).toMatchObject({
      'containerimage.digest': version.digest,
      'containerimage.config.digest': config,
      'image.name': tags.join(',')
    })
    const line = `pushed ${tags[0]} and :latest, ${version.digest} — the image that was gated (config ${config})`
    expect(run.summary).toContain(line)
    expect(run.stdout).toContain(line)
    // what a user's pull gets: with the local tags gone, the image pulled back is the one that ran
    execFileSync('docker', ['image', 'rm', ...tags], { stdio: 'ignore' })
    execFileSync('docker', ['pull', '--quiet', tags[1]], { stdio: 'ignore' })
    expect(docker(['image', 'inspect', '--format', '{{.Id}}', tags[1]])).toBe(gated)
  })

  it('a push the registry refuses fails the step in one line, in its words, with the login fix', async () => {
    const refusing = await startRegistry({}, { refuseAll: true })
    try {
      const tag = `${refusing.host}/gate/refused:1.0.0`
      const run = await runAction({ context: fixture(GOOD), tags: tag, push: 'true' })
      expect(run.code).toBe(1)
      expect(run.outputs).toMatchObject({ passed: 'false', digest: '' })
      const failure = run.stdout.split('\n').filter(l => l.startsWith('::error'))
      expect(failure).toHaveLength(1)
      console.log(`${store} store: ${failure[0]}`)
      const line = `push of ${refusing.host}/gate/refused failed: ${refusing.host} wants a login (HTTP 401 unauthorized), and the Docker config holds none for it (log in to the registry before this step: docker/login-action); no tag was moved`
      expect(failure[0]).toBe(`::error::image-gate: ${line}`)
      expect(run.summary).toContain(`not pushed: ${line}`)
      expect(run.report.push).toMatchObject({ outcome: 'failed', why: line })
    } finally {
      await refusing.close()
      removeImages(refusing.host)
    }
  })
})

describe('provenance, passed to buildx as build-push-action does', () => {
  it('is pushed with the image where the store keeps attestations, and refused in one line where it cannot', async () => {
    const name = 'gate/provenance'
    const tag = `${registry.host}/${name}:1.0.0`
    const run = await runAction({ context: fixture(GOOD), tags: tag, push: 'true', provenance: 'mode=max' })
    if (store === 'classic') {
      // the docker driver on the classic store cannot keep an attestation in the image it loads
      expect(run.code).toBe(1)
      const failure = run.stdout.split('\n').filter(l => l.startsWith('::error'))
      expect(failure).toEqual([expect.stringMatching(/^::error::Inputs "provenance" and "sbom": the buildx builder "\S+" \(driver docker\) cannot keep attestations .*Attestation is not supported for the docker driver\..* Leave provenance and sbom empty \(or false\), or turn on the containerd image store\.$/)])
      expect(await registry.tags(name)).toEqual([])
      return
    }
    expect(run.code).toBe(0)
    const index = await served(name, '1.0.0')
    expect(run.outputs.digest).toBe(index.digest)
    expect(index.doc.manifests?.map(m => `${m.platform?.os}/${m.platform?.architecture}`)).toEqual(['linux/amd64', 'unknown/unknown'])
  })
})

/** The engine's tags under `repository` ("host/name:tag"), sorted. */
function engineTags(repository: string): string[] {
  return docker(['images', '--format', '{{.Repository}}:{{.Tag}}'])
    .split('\n')
    .filter(ref => ref.startsWith(`${repository}:`))
    .sort()
}

/** The platform manifest the containerd store's image `id` (its own index) names, read from the engine by `docker save`. */
function storeManifest(id: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-saved-'))
  try {
    execFileSync('docker', ['save', '--output', path.join(dir, 'image.tar'), id])
    const index = JSON.parse(execFileSync('tar', ['-xOf', path.join(dir, 'image.tar'), `blobs/sha256/${id.replace(/^sha256:/, '')}`], { encoding: 'utf8' })) as Doc
    return index.manifests?.find(m => m.platform?.os !== 'unknown')?.digest ?? 'no platform manifest'
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** What the push core needs of a run: a Docker client and a temp directory. */
function core() {
  return { docker: new Docker(new Processes()), tempDir: (purpose: string) => mkdtempSync(path.join(tmpdir(), `image-gate-${purpose}-`)) }
}

/** FROM scratch with `busybox` as /bin/busybox, built for `platform` and loaded: its image id. */
function buildFor(platform: string, busybox: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  mkdirSync(path.join(dir, 'bin'))
  copyFileSync(busybox, path.join(dir, 'bin', 'busybox'))
  writeFileSync(path.join(dir, 'Dockerfile'), 'FROM scratch\nCOPY bin/busybox /bin/busybox\nCMD ["/bin/busybox", "sleep", "60"]\n')
  const iid = path.join(dir, 'iid')
  execFileSync('docker', ['buildx', 'build', '--load', '--platform', platform, '--iidfile', iid, '--tag', `image-gate-e2e/push-gated:${platform.replace('/', '-')}`, dir], { stdio: 'ignore' })
  return execFileSync('cat', [iid], { encoding: 'utf8' }).trim()
}

describe('the push core with one image per platform', () => {
  it('pushes one index to every tag whose entries are exactly the gated images, and leaves no other tag', async () => {
    if (!existsSync(BUSYBOX_ARM64)) throw new Error(`${BUSYBOX_ARM64} is missing: run scripts/setup-test-tools.sh`)
    const amd = buildFor('linux/amd64', '/bin/busybox')
    const arm = buildFor('linux/arm64', BUSYBOX_ARM64)
    const name = 'gate/multi'
    const tags = [`${registry.host}/${name}:2.0.0`, `${registry.host}/${name}:latest`]
    const images = [
      { platform: 'linux/amd64', image: amd },
      { platform: 'linux/arm64', image: arm }
    ]
    const pushed = await pushGated(core(), images, tags, { store })
    expect((await registry.tags(name)).sort()).toEqual(['2.0.0', 'latest'])
    const index = await served(name, '2.0.0')
    expect(pushed.digest).toBe(index.digest)
    expect((await served(name, 'latest')).digest).toBe(index.digest)
    const platforms = (index.doc.manifests ?? []).filter(m => m.platform?.os !== 'unknown').map(m => `${m.platform?.os}/${m.platform?.architecture}`)
    expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64'])
    for (const [i, { platform, image }] of images.entries()) {
      const { digest, doc } = await platformManifest(name, '2.0.0', platform.split('/')[1])
      expect(pushed.images[i]).toEqual({ platform, manifest: digest, config: doc.config!.digest })
      // classic: the id is the config digest; containerd: the image's own index, as the engine stores it, names this manifest
      if (store === 'classic') expect(doc.config!.digest).toBe(image)
      else expect(storeManifest(image)).toBe(digest)
    }

    // the registry's access log: every platform manifest went by digest, and then each named tag
    // was PUT once, straight to the index (never to one platform's image)
    const puts = (from: number) => registry.requests.slice(from).filter(r => r.startsWith(`PUT /v2/${name}/manifests/`))
    const byTag = (list: string[]) => list.filter(r => !r.includes('/manifests/sha256:'))
    expect(byTag(puts(0))).toEqual([`PUT /v2/${name}/manifests/2.0.0`, `PUT /v2/${name}/manifests/latest`])
    expect(puts(0).slice(-2)).toEqual(byTag(puts(0)))
    expect(puts(0).length).toBeGreaterThan(2)
    // the engine's tags are as the builds made them: the push tagged nothing
    expect(engineTags(`${registry.host}/${name}`)).toEqual([])

    // the next release, :latest first (a re-run's common case, the tag the registry already serves):
    // still each tag once, after everything under it, so :latest never serves one platform alone
    const seen = registry.requests.length
    const next = await pushGated(core(), images, [`${registry.host}/${name}:latest`, `${registry.host}/${name}:2.1.0`], { store })
    expect(byTag(puts(seen))).toEqual([`PUT /v2/${name}/manifests/latest`, `PUT /v2/${name}/manifests/2.1.0`])
    expect(puts(seen).slice(-2)).toEqual(byTag(puts(seen)))
    expect(next.digest).toBe(pushed.digest)
    expect((await served(name, 'latest')).digest).toBe(next.digest)
    expect((await registry.tags(name)).sort()).toEqual(['2.0.0', '2.1.0', 'latest'])
  })
})

describe('push: true with several platforms, through the bundled action', () => {
  it('pushes one index of the gated platform images once every platform passed, and nothing when one failed', async () => {
    const name = 'gate/platforms'
    const tags = `${registry.host}/${name}:3.0.0`
    const failing = await runAction({ context: multiArch(['COPY busybox-amd64 /usr/local/bin/tool']), tags, platforms: 'linux/amd64,linux/arm64', push: 'true' })
    expect(failing.outputs).toMatchObject({ passed: 'false', 'failed-platforms': 'linux/arm64', digest: '' })
    expect(await registry.tags(name)).toEqual([])

    const run = await runAction({ context: multiArch([]), tags, platforms: 'linux/amd64,linux/arm64', push: 'true' })
    expect(run.code).toBe(0)
    expect(run.outputs.passed).toBe('true')
    expect(await registry.tags(name)).toEqual(['3.0.0'])
    const index = await served(name, '3.0.0')
    expect(run.outputs.digest).toBe(index.digest)
    const listed = (index.doc.manifests ?? []).filter(m => m.platform?.os !== 'unknown').map(m => `${m.platform?.os}/${m.platform?.architecture}`)
    expect(listed.sort()).toEqual(['linux/amd64', 'linux/arm64'])
    // each platform's entry is the image that platform's checks ran: classic, its id is the config
    // digest; containerd, its id is the image's own index, which names that very manifest in the engine
    expect(run.report.runs).toHaveLength(2)
    // the engine's tags are as the builds made them, one per platform, each still its platform's
    // image; the push added none (3.0.0 itself is the registry's, where it is the index)
    expect(engineTags(`${registry.host}/${name}`)).toEqual([`${tags}-linux-amd64`, `${tags}-linux-arm64`])
    for (const p of run.report.runs) {
      expect(docker(['image', 'inspect', '--format', '{{.Id}}', `${tags}-${p.platform.replace('/', '-')}`])).toBe(p.image.id)
      const { digest, doc } = await platformManifest(name, '3.0.0', p.platform.split('/')[1])
      if (store === 'classic') expect(doc.config!.digest).toBe(p.image.id)
      else expect(storeManifest(p.image.id!)).toBe(digest)
    }
  })
})

