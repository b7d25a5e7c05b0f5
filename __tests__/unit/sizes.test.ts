import { describe, expect, it } from '@jest/globals'
import { judged } from './judged.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { compareLayers, firstStageName } from '../../src/stages/compare.js'
import { instructionOf } from '../../src/saved/layers.js'
import type { Check } from '../../src/report/report.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

const row = (checks: Check[], name: Check['name']) => checks.find(c => c.name === name)!

describe('instructionOf', () => {
  it.each([
    ['COPY busybox /bin/busybox # buildkit', 'COPY busybox /bin/busybox'],
    ['RUN /bin/sh -c npm ci --omit=dev # buildkit', 'RUN npm ci --omit=dev'],
    ['RUN |2 NODE_ENV=production VERSION=1 /bin/sh -c npm run build # buildkit', 'RUN npm run build'],
    ['/bin/sh -c #(nop)  CMD ["node"]', 'CMD ["node"]'],
    ['/bin/sh -c apk add --no-cache dumb-init', 'RUN apk add --no-cache dumb-init'],
    ['', '(base image)']
  ])('%j → %j', (createdBy, instruction) => {
    expect(instructionOf(createdBy)).toBe(instruction)
  })
})

describe('firstStageName', () => {
  it('names the first stage, or nothing when it has no name', () => {
    expect(firstStageName('# c\nFROM node:18-alpine AS build\nRUN x\nFROM node:18-alpine\n')).toBe('build')
    expect(firstStageName('FROM node:18-alpine\nFROM scratch AS final\n')).toBeUndefined()
  })
})

describe('compareLayers', () => {
  const layer = (instruction: string, size: number) => ({ instruction, size })

  it('pairs layers by instruction, one to one, and finds where the growth came from', () => {
    const now = [layer('COPY . .', 2_000_000), layer('RUN npm ci', 60_000_000), layer('RUN echo x', 10), layer('RUN echo x', 30), layer('ADD alpine.tar /', 7_000_000)]
    const before = [layer('COPY . .', 1_500_000), layer('RUN npm ci', 25_000_000), layer('RUN echo x', 10), layer('ADD alpine.tar /', 7_000_000), layer('RUN apk add git', 9_000_000)]
    const { layers, growth } = compareLayers(now, before)
    expect(layers.map(l => l.before)).toEqual([1_500_000, 25_000_000, 10, 0, 7_000_000])
    expect(growth).toEqual({ instruction: 'RUN npm ci', bytes: 35_000_000 })
  })

  it('counts a rewritten instruction as new, and reports no growth when nothing grew', () => {
    const { layers, growth } = compareLayers([layer('RUN npm ci --omit=dev', 20)], [layer('RUN npm ci', 30)])
    expect(layers).toEqual([{ instruction: 'RUN npm ci --omit=dev', size: 20, before: 0 }])
    expect(growth).toEqual({ instruction: 'RUN npm ci --omit=dev', bytes: 20 })
    expect(compareLayers([layer('RUN a', 5)], [layer('RUN a', 9)]).growth).toBeUndefined()
  })
})

describe('size judging', () => {
  it('shows both measures and says which unit system and what compressed means', () => {
    const report = measuredRun()
    report.image.compressedSize = 42_350_933
    report.image.compressedBy = 'zlib'
    judged(report, inputs({ maxSize: { text: '150MB', bytes: 150_000_000 } }))
    const size = row(report.checks, 'size')
    expect(size).toMatchObject({ status: 'pass', value: '123.5 MB (123,456,789 bytes), compressed 42.4 MB', limit: '≤ 150MB' })
    expect(size.detail).toBe(
      '26.5 MB under the budget. Sizes in decimal units (1 MB = 1,000,000 bytes, as docker images prints them). Compressed: each layer gzip-compressed, within about 1% of what a push sends.'
    )
  })

  it('judges the compressed size with size-basis: compressed', () => {
    const report = measuredRun()
    report.image.compressedSize = 42_350_933
    judged(report, inputs({ maxSize: { text: '40MB', bytes: 40_000_000 }, sizeBasis: 'compressed' }))
    expect(row(report.checks, 'size')).toMatchObject({ status: 'fail', limit: '≤ 40MB compressed' })
    expect(row(report.checks, 'size').detail).toMatch(/^2.35 MB over the budget/)
  })

  it('says where the compressed size came from, and nothing of the store when the size means the same on both', () => {
    const classic = measuredRun()
    Object.assign(classic.image, { compressedSize: 40_000_000, compressedBy: 'zlib' })
    judged(classic, inputs())
    const store = measuredRun()
    Object.assign(store.image, { store: 'containerd', compressedSize: 40_000_000, compressedBy: 'store' })
    judged(store, inputs())
    expect(row(classic.checks, 'size').detail).toContain('Compressed: each layer gzip-compressed, within about 1% of what a push sends.')
    expect(row(store.checks, 'size').detail).toContain('Compressed: the layer blobs the containerd image store keeps, which a push sends as they are.')
    // the same words otherwise: the size is the layers' unpacked bytes on both
    const rest = (detail: string) => detail.replace(/Compressed: [^.]*\./, '')
    expect(rest(store.checks.find(c => c.name === 'size')!.detail)).toBe(rest(classic.checks.find(c => c.name === 'size')!.detail))
  })

  it('compares with a baseline and the build stage', () => {
    const report = measuredRun()
    report.image.compressedSize = 40_000_000
    report.baseline = { ref: 'shop-api:main', size: 100_000_000, compressedSize: 32_000_000 }
    report.firstStage = { stage: 'build', size: 400_000_000 }
    judged(report, inputs({ compareTo: 'shop-api:main', compareStages: true }))
    const detail = row(report.checks, 'size').detail
    expect(detail).toContain('+23.5 MB (+23.5%) compared with shop-api:main; compressed +8.00 MB (+25.0%).')
    expect(detail).toContain('Multi-stage payoff: 276.5 MB (69%) smaller than stage build (400.0 MB).')
  })

  it('max-size-increase is its own check, in percent or bytes', () => {
    const report = measuredRun()
    report.baseline = { ref: 'shop-api:v1.2.0', size: 110_000_000 }
    judged(report, inputs({ compareTo: 'shop-api:v1.2.0', maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }))
    expect(report.checks.map(c => c.name)).toEqual(['build', 'health', 'size', 'size-increase', 'user', 'contents', 'stop'])
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'fail', value: '+13.5 MB (+12.2%)', limit: '≤ +10%' })
    judged(report, inputs({ compareTo: 'shop-api:v1.2.0', maxSizeIncrease: { text: '20MB', limit: { bytes: 20_000_000 } } }))
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'pass', limit: '≤ +20.0 MB' })
  })

  it('says which instruction the growth came from, in the size row, the increase check and the layer table', () => {
    const report = measuredRun() // 123,456,789 bytes
    report.baseline = { ref: 'shop-api:main', size: 85_000_000, growth: { instruction: 'RUN npm ci', bytes: 35_000_000 } }
    report.image.largestLayers = [
      { instruction: 'RUN npm ci', size: 60_000_000, before: 25_000_000 },
      { instruction: 'ADD alpine.tar /', size: 7_000_000, before: 7_000_000 },
      { instruction: 'COPY dist ./dist', size: 3_000_000, before: 0 }
    ]
    judged(report, inputs({ maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }))
    expect(row(report.checks, 'size').detail).toContain('+38.5 MB (+45.2%) compared with shop-api:main, most of it from RUN npm ci (+35.0 MB).')
    expect(row(report.checks, 'size-increase').detail).toBe(
      'Size compared with shop-api:main (85.0 MB). The largest growth: RUN npm ci (+35.0 MB). The largest layers are listed below.'
    )
    const md = renderMarkdown(reportOf(report))
    expect(md).toContain('| Size | Change vs shop-api:main | Instruction |')
    expect(md).toContain('| 60.0 MB | +35.0 MB (+140.0%) | RUN npm ci |')
    expect(md).toContain('| 7.00 MB | same | ADD alpine.tar / |')
    expect(md).toContain('| 3.00 MB | new | COPY dist ./dist |')
  })

  it('says "the largest growth" when one instruction is not most of it', () => {
    const report = measuredRun()
    report.baseline = { ref: 'shop-api:main', size: 85_000_000, growth: { instruction: 'COPY . .', bytes: 10_000_000 } }
    judged(report, inputs())
    expect(row(report.checks, 'size').detail).toContain('compared with shop-api:main; the largest growth: COPY . . (+10.0 MB).')
  })

  it('fails max-size-increase when the baseline could not be had', () => {
    const report = measuredRun()
    report.baseline = { ref: 'shop-api:gone', error: 'could not pull shop-api:gone: not found' }
    judged(report, inputs({ compareTo: 'shop-api:gone', maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }))
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'fail', value: 'unknown', detail: 'No comparison: could not pull shop-api:gone: not found.' })
  })

  it('skips max-size-increase when the baseline does not exist yet, and fails it with require-baseline', () => {
    const missing = () => {
      const report = measuredRun()
      report.baseline = { ref: 'ghcr.io/o/app:latest', missing: 'manifest unknown', error: 'it does not exist yet (manifest unknown)' }
      return report
    }
    const increase = { compareTo: 'ghcr.io/o/app:latest', maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }
    const first = missing()
    judged(first, inputs(increase))
    expect(row(first.checks, 'size-increase')).toEqual({
      name: 'size-increase',
      status: 'skip',
      value: 'no baseline yet',
      limit: '≤ +10%',
      detail: 'No baseline yet: ghcr.io/o/app:latest does not exist (manifest unknown), as on a first release; nothing to compare with. Set require-baseline: true to fail instead.'
    })
    expect(row(first.checks, 'size').detail).toContain('No baseline yet: ghcr.io/o/app:latest does not exist (manifest unknown).')
    const strict = missing()
    judged(strict, inputs({ ...increase, requireBaseline: true }))
    expect(row(strict.checks, 'size-increase')).toMatchObject({ status: 'fail', value: 'unknown', detail: 'No comparison: it does not exist yet (manifest unknown).' })
  })

  it('names a layer it could not read, and what it counted instead, for the image and the baseline', () => {
    const report = measuredRun()
    report.image.unreadLayers = [{ instruction: 'ADD vendor.tar.zst /', why: 'the zstd layer does not unpack: invalid data', bytes: 12_300 }]
    report.baseline = { ref: 'shop-api:1.4', size: 100_000_000, unreadLayers: [{ instruction: '(base image)', why: 'not a tar, nor a gzip or zstd blob', bytes: 2_000 }, { instruction: 'RUN x', why: 'cut short', bytes: 3_000 }] }
    judged(report, inputs({ compareTo: 'shop-api:1.4' }))
    const detail = row(report.checks, 'size').detail
    expect(detail).toContain('1 layer could not be read file by file (ADD vendor.tar.zst /: the zstd layer does not unpack: invalid data, 12.3 kB): counted at its size in the image archive instead.')
    expect(detail).toContain('In shop-api:1.4, 2 layers could not be read file by file ((base image): not a tar, nor a gzip or zstd blob, 2.00 kB; RUN x: cut short, 3.00 kB): counted at their sizes in the image archive instead.')
  })
})
