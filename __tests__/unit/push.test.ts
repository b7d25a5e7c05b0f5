import { describe, expect, it } from '@jest/globals'
import { createHash } from 'node:crypto'
import type { Docker } from '../../src/docker/docker.js'
import { repository } from '../../src/docker/ref.js'
import { pushGated, PushError } from '../../src/stages/push.js'

// The push stage's core on a scripted engine and registry: what it pushes, what it reads back, and
// how it holds what the registry serves against the gated image ids. The real engines and a real
// registry are in __tests__/e2e/push-gated.test.ts.

const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`
const INDEX = 'application/vnd.oci.image.index.v1+json'

/** A local image as each store keeps it: its id, and the bytes a push sends for it. */
function image(store: 'classic' | 'containerd', arch: string, config = sha(`config ${arch}`)) {
  const manifest = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: { digest: config }, layers: [] })
  if (store === 'classic') return { id: config, config, manifest, pushed: manifest, blobs: [manifest] }
  // the containerd store keeps an index (the image and its attestation) whose digest is the id
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: INDEX,
    manifests: [
      { digest: sha(manifest), platform: { os: 'linux', architecture: arch } },
      { digest: sha(`attestation ${arch}`), platform: { os: 'unknown', architecture: 'unknown' } }
    ]
  })
  return { id: sha(index), config, manifest, pushed: index, blobs: [index, manifest] }
}

type Image = ReturnType<typeof image>

/**
 * An engine holding `images` and a registry behind it; `refuse` makes its pushes fail with that
 * message, `refuseIndex` its index creation.
 */
function engine(images: Image[], refuse?: string, refuseIndex?: string) {
  const tags = new Map<string, string>() // local tag → image id
  const registry = new Map<string, string>() // tag or digest → bytes
  const calls: string[] = []
  const put = (ref: string, bytes: string) => {
    registry.set(ref, bytes)
    registry.set(`${repository(ref)}@${sha(bytes)}`, bytes)
  }
  const call = async (args: string[]) => {
    calls.push(args.join(' '))
    const ok = (stdout = '') => ({ exitCode: 0, stdout, stderr: '' })
    const [cmd] = args
    if (cmd === 'tag') return (tags.set(args[2], args[1]), ok())
    if (cmd === 'push') {
      if (refuse) return { exitCode: 1, stdout: 'The push refers to repository [x]\n', stderr: `${refuse}\n` }
      const local = images.find(i => i.id === tags.get(args[1]))!
      for (const blob of local.blobs.slice(1)) put(`${repository(args[1])}@${sha(blob)}`, blob)
      return (put(args[1], local.pushed), ok(`${args[1]}: digest: ${sha(local.pushed)} size: 1`))
    }
    if (args.slice(0, 4).join(' ') === 'buildx imagetools inspect --raw') {
      const bytes = registry.get(args[4])
      return bytes ? ok(bytes) : { exitCode: 1, stdout: '', stderr: `ERROR: ${args[4]}: not found` }
    }
    if (args.slice(0, 3).join(' ') === 'buildx imagetools create') {
      if (refuseIndex) return { exitCode: 1, stdout: '', stderr: `ERROR: ${refuseIndex}\n` }
      const targets = args.flatMap((a, i) => (a === '--tag' ? [args[i + 1]] : []))
      const sources = args.slice(3).filter((a, i, all) => a !== '--tag' && all[i - 1] !== '--tag')
      // as buildx does: an index source gives its entries, a manifest one entry
      const manifests = sources.flatMap(src => {
        const doc = JSON.parse(registry.get(src)!) as { manifests?: unknown[]; config?: { digest: string } }
        return doc.manifests ?? [{ digest: src.split('@')[1], platform: { os: 'linux', architecture: images.find(i => i.config === doc.config?.digest)!.config.slice(-5) } }]
      })
      const index = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests })
      for (const target of targets) put(target, index)
      return ok()
    }
    throw new Error(`unexpected docker ${args.join(' ')}`)
  }
  return { docker: { call } as unknown as Docker, calls, registry }
}

describe('pushGated, one image', () => {
  it('classic store: pushes the image id to every tag; the config the registry serves is that id', async () => {
    const amd = image('classic', 'amd64')
    const { docker, calls } = engine([amd])
    const pushed = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }], ['r.example/app:1.2.0', 'r.example/app:latest'], 'classic')
    expect(calls.filter(c => !c.startsWith('buildx'))).toEqual([
      `tag ${amd.id} r.example/app:1.2.0`,
      'push r.example/app:1.2.0',
      `tag ${amd.id} r.example/app:latest`,
      'push r.example/app:latest'
    ])
    expect(pushed).toEqual({
      digest: sha(amd.manifest),
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      size: amd.manifest.length,
      images: [{ platform: 'linux/amd64', manifest: sha(amd.manifest), config: amd.id }]
    })
  })

  it("containerd store: the registry's index is the image id itself; its platform manifest and config are reported", async () => {
    const amd = image('containerd', 'amd64')
    const { docker } = engine([amd])
    const pushed = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }], ['r.example/app:1'], 'containerd')
    expect(pushed).toMatchObject({ digest: amd.id, mediaType: INDEX, images: [{ platform: 'linux/amd64', manifest: sha(amd.manifest), config: amd.config }] })
  })

  it('a tag the registry serves as another image (moved by another push) is an error, not a success', async () => {
    const gated = image('classic', 'amd64')
    const other = image('classic', 'amd64', sha('another build'))
    const { docker, registry } = engine([gated, other])
    const moved = { call: async (args: string[]) => {
      const r = await docker.call(args)
      // another push lands between ours and the read-back
      if (args[0] === 'push') registry.set(args[1], other.manifest)
      return r
    } } as unknown as Docker
    await expect(pushGated(moved, [{ platform: 'linux/amd64', image: gated.id }], ['r.example/app:1'], 'classic')).rejects.toThrow(
      `the registry serves r.example/app:1 (linux/amd64) as config ${other.config}, not the gated image ${gated.id}: another push moved the tag meanwhile`
    )
  })

  it("a refused push is one line in the registry's words, with the login fix when it wants one", async () => {
    const amd = image('classic', 'amd64')
    const { docker } = engine([amd], 'unauthorized: authentication required')
    const err = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }], ['r.example/app:1'], 'classic').catch(e => e as Error)
    expect(err).toBeInstanceOf(PushError)
    expect((err as Error).message).toBe('push of r.example/app:1 failed: unauthorized: authentication required (log in to the registry before this step: docker/login-action)')
  })
})

describe('pushGated, one image per platform', () => {
  it('pushes each to the first tag, then one index of exactly those manifests to every tag', async () => {
    const amd = image('containerd', 'amd64')
    const arm = image('containerd', 'arm64')
    const { docker, calls, registry } = engine([amd, arm])
    const tags = ['r.example/app:1', 'r.example/app:latest']
    const pushed = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }, { platform: 'linux/arm64', image: arm.id }], tags, 'containerd')
    expect(calls.filter(c => c.startsWith('push') || c.includes('create'))).toEqual([
      'push r.example/app:1',
      'push r.example/app:1',
      `buildx imagetools create --tag r.example/app:1 --tag r.example/app:latest r.example/app@${amd.id} r.example/app@${arm.id}`
    ])
    expect(pushed.digest).toBe(sha(registry.get('r.example/app:latest')!))
    expect(pushed.images).toEqual([
      { platform: 'linux/amd64', manifest: sha(amd.manifest), config: amd.config },
      { platform: 'linux/arm64', manifest: sha(arm.manifest), config: arm.config }
    ])
  })

  it('classic store: each platform manifest pushed, its config the image id', async () => {
    const amd = image('classic', 'amd64', `sha256:${'1'.repeat(59)}amd64`)
    const arm = image('classic', 'arm64', `sha256:${'2'.repeat(59)}arm64`)
    const { docker } = engine([amd, arm])
    const pushed = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }, { platform: 'linux/arm64', image: arm.id }], ['r.example/app:1'], 'classic')
    expect(pushed.images.map(i => i.config)).toEqual([amd.id, arm.id])
    expect(pushed.mediaType).toBe(INDEX)
  })

  it('pushes each to a tag the registry does not serve yet, so a tag people pull never serves one platform alone', async () => {
    const amd = image('containerd', 'amd64')
    const arm = image('containerd', 'arm64')
    const { docker, calls, registry } = engine([amd, arm])
    const old = image('containerd', 'amd64', sha('last release'))
    registry.set('r.example/app:latest', old.pushed) // the last release
    const served: string[] = []
    const watched = { call: async (args: string[]) => {
      const r = await docker.call(args)
      served.push(registry.get('r.example/app:latest')!)
      return r
    } } as unknown as Docker
    const tags = ['r.example/app:latest', 'r.example/app:1.3.0']
    await pushGated(watched, [{ platform: 'linux/amd64', image: amd.id }, { platform: 'linux/arm64', image: arm.id }], tags, 'containerd')
    expect(calls.filter(c => c.startsWith('push'))).toEqual(['push r.example/app:1.3.0', 'push r.example/app:1.3.0'])
    // :latest went from the last release straight to the new index
    const index = registry.get('r.example/app:1.3.0')!
    expect([...new Set(served)]).toEqual([old.pushed, index])
    expect(registry.get('r.example/app:latest')).toBe(index)
  })

  it('an index the registry refuses fails in one line that says which tag is left serving one platform', async () => {
    const amd = image('classic', 'amd64', `sha256:${'1'.repeat(59)}amd64`)
    const arm = image('classic', 'arm64', `sha256:${'2'.repeat(59)}arm64`)
    const { docker } = engine([amd, arm], undefined, 'failed commit on ref "index": 503 Service Unavailable')
    const err = await pushGated(docker, [{ platform: 'linux/amd64', image: amd.id }, { platform: 'linux/arm64', image: arm.id }], ['r.example/app:1', 'r.example/app:latest'], 'classic').catch(e => e as Error)
    expect(err).toBeInstanceOf(PushError)
    expect((err as Error).message).toBe(
      'push of the index of r.example/app:1 failed: failed commit on ref "index": 503 Service Unavailable; r.example/app:1 is left serving the linux/arm64 image alone: run again to push the index'
    )
  })
})
