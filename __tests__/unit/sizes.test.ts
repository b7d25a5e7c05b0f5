import { describe, expect, it } from '@jest/globals'
import { judge } from '../../src/checks.js'
import { firstStageName, instructionOf } from '../../src/sizes.js'
import type { Check } from '../../src/report.js'
import { inputs, measuredReport } from './fixtures.js'

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

describe('size judging', () => {
  it('shows both measures and says which unit system and what compressed means', () => {
    const report = measuredReport()
    report.image.compressedSize = 42_350_933
    report.image.compressedBy = 'gzip'
    judge(report, inputs({ maxSize: { text: '150MB', bytes: 150_000_000 } }))
    const size = row(report.checks, 'size')
    expect(size).toMatchObject({ status: 'pass', value: '123.5 MB (123,456,789 bytes), compressed 42.4 MB', limit: '≤ 150MB' })
    expect(size.detail).toBe(
      '26.5 MB under the budget. Sizes in decimal units (1 MB = 1,000,000 bytes, as docker images prints them). Compressed: each layer through gzip -6, about what a push transfers.'
    )
  })

  it('judges the compressed size with size-basis: compressed', () => {
    const report = measuredReport()
    report.image.compressedSize = 42_350_933
    judge(report, inputs({ maxSize: { text: '40MB', bytes: 40_000_000 }, sizeBasis: 'compressed' }))
    expect(row(report.checks, 'size')).toMatchObject({ status: 'fail', limit: '≤ 40MB compressed' })
    expect(row(report.checks, 'size').detail).toMatch(/^2.35 MB over the budget/)
  })

  it('says the containerd store measures differently', () => {
    const report = measuredReport()
    report.image.store = 'containerd'
    judge(report, inputs())
    expect(row(report.checks, 'size').detail).toContain('containerd image store')
  })

  it('compares with a baseline and the build stage', () => {
    const report = measuredReport()
    report.image.compressedSize = 40_000_000
    report.baseline = { ref: 'shop-api:main', size: 100_000_000, compressedSize: 32_000_000 }
    report.stages = { stage: 'build', size: 400_000_000 }
    judge(report, inputs({ compareTo: 'shop-api:main', compareStages: true }))
    const detail = row(report.checks, 'size').detail
    expect(detail).toContain('+23.5 MB (+23.5%) compared with shop-api:main; compressed +8.00 MB (+25.0%).')
    expect(detail).toContain('Multi-stage payoff: 276.5 MB (69%) smaller than stage build (400.0 MB).')
  })

  it('max-size-increase is its own check, in percent or bytes', () => {
    const report = measuredReport()
    report.baseline = { ref: 'shop-api:v1.2.0', size: 110_000_000 }
    judge(report, inputs({ compareTo: 'shop-api:v1.2.0', maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }))
    expect(report.checks.map(c => c.name)).toEqual(['build', 'health', 'size', 'size-increase', 'user'])
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'fail', value: '+13.5 MB (+12.2%)', limit: '≤ +10%' })
    judge(report, inputs({ compareTo: 'shop-api:v1.2.0', maxSizeIncrease: { text: '20MB', limit: { bytes: 20_000_000 } } }))
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'pass', limit: '≤ +20.0 MB' })
  })

  it('fails max-size-increase when the baseline could not be had', () => {
    const report = measuredReport()
    report.baseline = { ref: 'shop-api:gone', error: 'could not pull shop-api:gone: not found' }
    judge(report, inputs({ compareTo: 'shop-api:gone', maxSizeIncrease: { text: '10%', limit: { percent: 10 } } }))
    expect(row(report.checks, 'size-increase')).toMatchObject({ status: 'fail', value: 'unknown', detail: 'No comparison: could not pull shop-api:gone: not found.' })
  })
})
