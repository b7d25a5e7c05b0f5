import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, docker, dockerSucceeds, fixture, removeImages, row, runAction, SERVE, takeLeftovers } from './action.js'
import { startRegistry } from './registry.js'
import { imageStore, unpackedSize } from './store.js'

// Size on real images: the layers' unpacked bytes (store.ts says what to expect on either image
// store) and the compressed size, the budget's boundary, the largest layers, a baseline image, and
// what the multi-stage build saves.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/size'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
// ~1 MB of text in a layer of its own: compresses far better than busybox
const TEXT_LAYER = 'RUN seq 1 150000 > /numbers.txt'
let app: string

beforeAll(() => {
  app = fixture([TEXT_LAYER, ...NON_ROOT, ...SERVE])
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

const sizeOf = (ref: string) => unpackedSize(ref)
const store = imageStore()

describe('size', () => {
  it('reports the unpacked size and the compressed size, and lists the largest layers', async () => {
    const run = await runAction({ context: app, tags: `${TAG}:app` })
    const image = run.report.runs[0].image
    expect(image.size).toBe(sizeOf(`${TAG}:app`))
    expect(image.store).toBe(store)
    // the containerd store keeps the layers compressed: a push sends those blobs as they are
    expect(image.compressedBy).toBe(store === 'containerd' ? 'store' : 'zlib')
    expect(image.compressedSize).toBeGreaterThan(500_000)
    expect(image.compressedSize).toBeLessThan(image.size / 2)
    expect(row(run.summary, 'size')).toMatch(/\| ⚪ \| size \| [\d.]+ MB \([\d,]+ bytes\), compressed [\d.]+ [kM]B \|/)
    expect(row(run.summary, 'size')).toContain('Sizes in decimal units (1 MB = 1,000,000 bytes')
    expect(run.summary).toContain('<details><summary>Largest layers (')
    expect(run.summary).toMatch(/\| 1\.98 MB \| COPY busybox \/bin\/busybox \|/)
    expect(run.summary).toMatch(/\| [\d.]+ [kM]B \| RUN seq 1 150000 &gt; \/numbers.txt \|/)
  })

  it('passes exactly at max-size and fails one byte under it', async () => {
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:app`, app], { stdio: 'ignore' })
    const bytes = sizeOf(`${TAG}:app`)
    const at = await runAction({ context: app, tags: `${TAG}:app`, 'max-size': String(bytes), 'compressed-size': 'false' })
    expect(checkRow(at, 'size').status).toBe('pass')
    const under = await runAction({ context: app, tags: `${TAG}:app`, 'max-size': String(bytes - 1), 'compressed-size': 'false' })
    expect(row(under.summary, 'size')).toMatch(/\| ❌ \| size \| .* \| 1 B over the budget/)
  })

  it('judges the compressed size with size-basis: compressed', async () => {
    const run = await runAction({ context: app, tags: `${TAG}:app`, 'max-size': '2MB', 'size-basis': 'compressed' })
    // over 2 MB uncompressed, under it compressed
    expect(run.report.runs[0].image.size).toBeGreaterThan(2_000_000)
    expect(row(run.summary, 'size')).toMatch(/^\| ✅ \| size \| .* \| ≤ 2MB compressed \|/)
  })

  it('compares with a smaller baseline image and gates the increase', async () => {
    // the baseline: the same app without the text layer, as the base branch might have built it
    const base = fixture([...NON_ROOT, ...SERVE])
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:base`, base], { stdio: 'ignore' })
    const baseBytes = sizeOf(`${TAG}:base`)
    const run = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': `${TAG}:base`, 'max-size-increase': '10%' })
    expect(run.report.runs[0].baseline).toMatchObject({ ref: `${TAG}:base`, size: baseBytes })
    const delta = run.report.runs[0].image.size - baseBytes
    expect(delta).toBeGreaterThan(800_000) // the text layer
    const increase = checkRow(run, 'size-increase')
    expect(increase).toMatchObject({ status: 'fail', limit: '≤ +10%' })
    const shown = delta >= 1e6 ? `${(delta / 1e6).toFixed(2)} MB` : `${(delta / 1e3).toFixed(1)} kB`
    expect(increase.value).toBe(`+${shown} (+${((delta / baseBytes) * 100).toFixed(1)}%)`)
    // which instruction made the difference: the text layer, new in this image
    const textLayer = run.report.runs[0].image.largestLayers.find(l => l.instruction === 'RUN seq 1 150000 > /numbers.txt')
    expect(textLayer).toMatchObject({ before: 0 })
    expect(run.report.runs[0].baseline.growth).toEqual({ instruction: 'RUN seq 1 150000 > /numbers.txt', bytes: textLayer?.size })
    expect(row(run.summary, 'size')).toContain(`compared with ${TAG}:base, most of it from RUN seq 1 150000 &gt; /numbers.txt (+`)
    expect(run.summary).toContain(`| Size | Change vs ${TAG}:base | Instruction |`)
    expect(run.summary).toMatch(/\| new \| RUN seq 1 150000 &gt; \/numbers\.txt \|/)
    expect(run.summary).toMatch(/\| same \| COPY busybox \/bin\/busybox \|/)
    expect(row(run.summary, 'size')).toContain('; compressed +')
    const roomy = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': `${TAG}:base`, 'max-size-increase': '5MB' })
    expect(checkRow(roomy, 'size-increase').status).toBe('pass')
  })

  it("compares with a base image that has the classic store's empty layer (1,024 zero bytes), counting every layer", async () => {
    // as older base images have them: a layer that adds nothing, loaded as docker save wrote it
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-empty-layer-'))
    mkdirSync(path.join(dir, 'root', 'bin'), { recursive: true })
    copyFileSync('/bin/busybox', path.join(dir, 'root', 'bin', 'busybox'))
    mkdirSync(path.join(dir, 'l0'))
    mkdirSync(path.join(dir, 'l1'))
    execFileSync('tar', ['--owner=0', '--group=0', '--numeric-owner', '-C', path.join(dir, 'root'), '-cf', path.join(dir, 'l0', 'layer.tar'), 'bin'])
    writeFileSync(path.join(dir, 'l1', 'layer.tar'), Buffer.alloc(1024))
    const diffId = (layer: string) => `sha256:${createHash('sha256').update(readFileSync(path.join(dir, layer, 'layer.tar'))).digest('hex')}`
    const config = {
      architecture: 'amd64',
      os: 'linux',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [diffId('l0'), diffId('l1')] },
      history: [{ created_by: 'COPY busybox /bin/busybox' }, { created_by: '/bin/sh -c true' }]
    }
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config))
    writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: 'config.json', RepoTags: [`${TAG}:empty-layer-base`], Layers: ['l0/layer.tar', 'l1/layer.tar'] }]))
    execFileSync('tar', ['-C', dir, '-cf', path.join(dir, 'image.tar'), 'manifest.json', 'config.json', 'l0', 'l1'])
    docker(['load', '--quiet', '--input', path.join(dir, 'image.tar')])
    rmSync(dir, { recursive: true, force: true })

    const context = fixture([])
    writeFileSync(path.join(context, 'Dockerfile'), [`FROM ${TAG}:empty-layer-base`, 'RUN ["/bin/busybox", "--install", "-s", "/bin"]', 'COPY www /www', ...NON_ROOT, ...SERVE, ''].join('\n'))
    const run = await runAction({ context, tags: `${TAG}:on-empty-layer`, 'compare-to': `${TAG}:empty-layer-base`, 'max-size-increase': '1MB' })
    expect(run.report.runs[0].baseline).toMatchObject({ ref: `${TAG}:empty-layer-base`, size: sizeOf(`${TAG}:empty-layer-base`) })
    expect(run.report.runs[0].baseline.error).toBeUndefined()
    expect(run.report.runs[0].baseline.unreadLayers).toBeUndefined()
    expect(run.report.runs[0].image.unreadLayers).toBeUndefined()
    expect(run.report.runs[0].image.size).toBe(sizeOf(`${TAG}:on-empty-layer`))
    expect(checkRow(run, 'size-increase')).toMatchObject({ status: 'pass', limit: '≤ +1.00 MB' })
    expect(checkRow(run, 'size').detail).not.toContain('could not')
  })

  it('pulls a baseline that is not on the host from its registry, measures it, and removes it again', async () => {
    // content of its own, so the engine has none of it and must fetch every blob
    const base = fixture([`RUN echo ${randomBytes(8).toString('hex')} > /build-id`, ...NON_ROOT, ...SERVE])
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:registry-base`, base], { stdio: 'ignore' })
    const [{ Id: baseId }] = JSON.parse(docker(['image', 'inspect', `${TAG}:registry-base`]))
    const baseBytes = sizeOf(`${TAG}:registry-base`)
    const registry = await startRegistry({ [`${TAG}:registry-base`]: 'octo-org/shop-api:main' })
    try {
      execFileSync('docker', ['image', 'rm', `${TAG}:registry-base`], { stdio: 'ignore' }) // only the registry has it now
      const ref = `${registry.host}/octo-org/shop-api:main`
      const run = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': ref, 'max-size-increase': '5MB' })
      // the engine really pulled it: the manifest, then the config and layer blobs (the containerd
      // store may still hold the blobs of the image removed above: it collects unused content later)
      expect(registry.requests).toEqual(expect.arrayContaining([expect.stringMatching(/^(GET|HEAD) \/v2\/octo-org\/shop-api\/manifests\/main$/)]))
      if (store === 'classic') expect(registry.requests).toEqual(expect.arrayContaining([expect.stringMatching(/^GET \/v2\/octo-org\/shop-api\/blobs\/sha256:/)]))
      expect(run.report.runs[0].baseline).toMatchObject({ ref, size: baseBytes })
      expect(checkRow(run, 'size-increase')).toMatchObject({ status: 'pass', limit: '≤ +5.00 MB' })
      expect(row(run.summary, 'size')).toContain(`compared with ${ref}, most of it from RUN seq 1 150000 &gt; /numbers.txt (+`)
      // pulled to be measured, then removed: the host has no image it did not have before
      expect(dockerSucceeds(['image', 'inspect', ref])).toBe(false)
      expect(dockerSucceeds(['image', 'inspect', baseId])).toBe(false)
    } finally {
      await registry.close()
    }
  })

  it('a baseline its registry does not have is no baseline yet (a first release), and fails with require-baseline', async () => {
    execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:app-base`, fixture(['RUN echo v1.0.0 > /release'])], { stdio: 'ignore' })
    const registry = await startRegistry({ [`${TAG}:app-base`]: 'octo-org/shop-api:v1.0.0' })
    try {
      // a tag the repository lacks, and a repository the registry lacks: both are "not there"
      for (const ref of [`${registry.host}/octo-org/shop-api:latest`, `${registry.host}/octo-org/new-api:latest`]) {
        const first = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': ref, 'max-size-increase': '10%' })
        expect(first.code).toBe(0)
        expect(first.outputs.passed).toBe('true')
        const skipped = checkRow(first, 'size-increase')
        expect(skipped).toMatchObject({ status: 'skip', value: 'no baseline yet', limit: '≤ +10%' })
        expect(skipped.detail).toMatch(new RegExp(`^No baseline yet: ${ref.replace(/[.]/g, '\\.')} does not exist \\(.*(manifest unknown|not found).*\\), as on a first release; nothing to compare with\\. Set require-baseline: true to fail instead\\.$`))
        expect(row(first.summary, 'size')).toContain(`No baseline yet: ${ref} does not exist (`)

        const strict = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': ref, 'max-size-increase': '10%', 'require-baseline': 'true' })
        expect(strict.code).toBe(1)
        const increase = checkRow(strict, 'size-increase')
        expect(increase).toMatchObject({ status: 'fail', value: 'unknown' })
        expect(increase.detail).toMatch(/^No comparison: it does not exist yet \(.*(manifest unknown|not found).*\)\.$/)
      }
      expect(registry.requests).toEqual(expect.arrayContaining([expect.stringMatching(/^(GET|HEAD) \/v2\/octo-org\/new-api\/manifests\/latest$/)]))
    } finally {
      await registry.close()
    }
  })

  it('says why when the baseline cannot be pulled for another reason, and fails the increase it cannot judge', async () => {
    // nothing listens on port 1: not "not there", so it fails whatever require-baseline says
    const ref = '127.0.0.1:1/octo-org/shop-api:main'
    const run = await runAction({ context: app, tags: `${TAG}:app`, 'compare-to': ref, 'max-size-increase': '10%' })
    expect(run.code).toBe(1)
    const increase = checkRow(run, 'size-increase')
    expect(increase).toMatchObject({ status: 'fail', value: 'unknown' })
    expect(increase.detail).toMatch(/^No comparison: the pull failed \(.*(connection refused|connect).*\); check the reference, and for a private registry log in before image-gate \(docker\/login-action\)\.$/)
    expect(row(run.summary, 'size')).toContain(`No comparison with ${ref}: the pull failed (`)
  })

  it('shows what the multi-stage build saves, and leaves the stage image behind nowhere', async () => {
    const context = fixture([])
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM scratch AS build',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
        'RUN seq 1 300000 > /build-cache.txt',
        'FROM scratch',
        'COPY --from=build /bin /bin',
        'COPY www /www',
        ...NON_ROOT.slice(1),
        ...SERVE
      ].join('\n') + '\n'
    )
    const imagesBefore = docker(['images', '--quiet', '--all']).split('\n').filter(Boolean).length
    const run = await runAction({ context, tags: `${TAG}:stages`, 'compare-stages': 'true' })
    expect(run.report.runs[0].firstStage.stage).toBe('build')
    expect(run.report.runs[0].firstStage.size).toBeGreaterThan(run.report.runs[0].image.size + 1_500_000)
    expect(row(run.summary, 'size')).toMatch(/Multi-stage payoff: [\d.]+ MB \(\d+%\) smaller than stage build \([\d.]+ MB\)\./)
    // the final image is new; the stage image was measured and removed
    expect(docker(['images', '--quiet', '--all']).split('\n').filter(Boolean).length).toBe(imagesBefore + 1)
  })
})
