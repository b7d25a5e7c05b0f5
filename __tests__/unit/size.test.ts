import { describe, expect, it } from '@jest/globals'
import { formatDelta, formatSize, parseIncrease, parseSize } from '../../src/units.js'

describe('parseSize', () => {
  it.each([
    ['500MB', 500_000_000],
    ['500 MB', 500_000_000],
    ['500mb', 500_000_000],
    ['250MiB', 250 * 1024 * 1024],
    ['1.5GB', 1_500_000_000],
    ['1.5GiB', 1.5 * 1024 ** 3],
    ['2kB', 2000],
    ['2KB', 2000],
    ['2KiB', 2048],
    ['123456', 123456],
    ['10B', 10]
  ])('%s is %d bytes', (text, bytes) => {
    expect(parseSize(text)).toBe(bytes)
  })

  it.each(['', 'MB', '500XB', '-5MB', '5 M B', '1.5', 'five MB', '1e3MB', '0x10'])('rejects %j', text => {
    expect(parseSize(text)).toBeUndefined()
  })
})

describe('formatSize', () => {
  it.each([
    [999, '999 B'],
    [1000, '1.00 kB'],
    [1_982_286, '1.98 MB'],
    [123_456_789, '123.5 MB'],
    [1_500_000_000, '1.50 GB']
  ])('%d → %s', (bytes, text) => {
    expect(formatSize(bytes)).toBe(text)
  })
})

describe('parseIncrease', () => {
  it.each([
    ['10%', { percent: 10 }],
    ['2.5 %', { percent: 2.5 }],
    ['20MB', { bytes: 20_000_000 }],
    ['5MiB', { bytes: 5 * 2 ** 20 }]
  ])('%s', (text, expected) => {
    expect(parseIncrease(text)).toEqual(expected)
  })
  it.each(['', '%', '10%%', 'ten percent', '-5%'])('rejects %j', text => {
    expect(parseIncrease(text)).toBeUndefined()
  })
})

describe('formatDelta', () => {
  it('signs the change and gives the percentage of the baseline', () => {
    expect(formatDelta(260_000_000, 222_000_000)).toBe('+38.0 MB (+17.1%)')
    expect(formatDelta(100_000_000, 125_000_000)).toBe('−25.0 MB (−20.0%)')
    expect(formatDelta(5, 5)).toBe('±0 B (±0.0%)')
  })
})
