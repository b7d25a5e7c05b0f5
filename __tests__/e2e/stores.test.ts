import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import * as path from 'node:path'
import { EXAMPLES, fixture, removeImages, runAction, SERVE, takeLeftovers } from './action.js'
import { engineSize, imageStore, unpackedSize } from './store.js'

// One meaning of size on both image stores. The action runs on this suite's engine; the same build
// context is built on the other engine (IMAGE_GATE_OTHER_ENGINE, a DOCKER_HOST: scripts/test.sh
// sets it to the classic-store engine while the suite runs on the containerd-store one), and the
// action's size must be the layers' unpacked bytes counted there (store.ts), to the byte, and for
// the examples what the classic store's own inspect says. The largest-layers table explains that
// total: its layers (every layer, for these images) add up to it.

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/stores'
const other = process.env.IMAGE_GATE_OTHER_ENGINE
// engine 1 with the machine's own buildx: engine 2's DOCKER_CONFIG (its newer buildx) is not for it
const otherEnv = { ...process.env, DOCKER_HOST: other, DOCKER_CONFIG: undefined }
const stores = other ? [imageStore(), imageStore(other)] : []
const maybe = other && stores[0] !== stores[1] ? describe : describe.skip

afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => {
  removeImages(TAG)
  if (!other) return
  const refs = execFileSync('docker', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8', env: otherEnv }).split('\n').filter(ref => ref.startsWith(TAG))
  if (refs.length > 0) execFileSync('docker', ['rmi', '--force', ...refs], { stdio: 'ignore', env: otherEnv })
})

// busybox's applets are symlinks; a hard link, a symlink and a deleted file (a whiteout) besides
const LINKS = fixture(['RUN ln /bin/busybox /bb-hard && ln -s /www/health /health-link && seq 1 5000 > /n.txt && rm /bin/vi', ...SERVE])

maybe(`size on the ${stores[0]} store against the ${stores[1]} store`, () => {
  it.each([
    ['examples/focus-flow-backend', path.join(EXAMPLES, 'focus-flow-backend'), {}],
    ['examples/tynebase-backend', path.join(EXAMPLES, 'tynebase-backend'), { 'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health' }],
    ['a fixture with symlinks, a hard link and a whiteout', LINKS, {}]
  ])('%s: the same size to the byte, and the largest layers add up to it', async (name, context, extra) => {
    const tag = `${TAG}:${path.basename(context)}`
    execFileSync('bash', ['scripts/node-standin.sh'], { stdio: 'ignore', env: otherEnv })
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', tag, context], { stdio: 'ignore', env: otherEnv })
    const there = unpackedSize(tag, other)
    // the classic store's own figure, where BuildKit made no symlink (for the fixture it leaves its
    // busybox applet links out: what the same image shows there once pulled is `there`)
    if (stores[1] === 'classic' && name.startsWith('examples/')) expect(engineSize(tag, other)).toBe(there)

    const run = await runAction({ context, tags: tag, ...extra })
    expect(run.outputs.health).toBe('healthy')
    expect(run.report.runs[0].image.store).toBe(stores[0])
    expect(Number(run.outputs.size)).toBe(there)
    expect(run.report.runs[0].image.size).toBe(unpackedSize(tag))
    const layers: { size: number }[] = run.report.runs[0].image.largestLayers
    expect(layers.reduce((sum, layer) => sum + layer.size, 0)).toBe(there)
    // the compressed size: the store's blobs on the containerd store, a gzip count on the classic one
    expect(run.report.runs[0].image.compressedBy).toBe(stores[0] === 'containerd' ? 'store' : 'zlib')
  })
})
