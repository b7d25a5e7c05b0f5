import { describe, expect, it } from '@jest/globals'
import { plain, PlainLines, plainStrings } from '../../src/strip-escapes.js'

// Text from the image, made plain before it is stored or shown.

describe('plain', () => {
  it('drops colour, cursor and title sequences and control characters, and keeps tab, newline and the words', () => {
    expect(plain('\x1b[1;31merror\x1b[0m TS2739')).toBe('error TS2739')
    expect(plain('\x1b]0;my title\x07done\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\')).toBe('donelink')
    expect(plain('50%\r100%\x08\x07\x00')).toBe('50%100%')
    expect(plain('a\tb\nc')).toBe('a\tb\nc')
    expect(plain('\x9b31mred\x9b0m \x7f\x85')).toBe('red ')
    expect(plain('\x1b7saved\x1b8 \x1bc')).toBe('saved ')
    expect(plain('ünïcödé ✅ 日本')).toBe('ünïcödé ✅ 日本')
  })

  it('makes every string of a report plain, whatever its depth, and leaves the rest as it is', () => {
    const report = { tag: 'a', n: 3, ok: true, none: null, health: { logTail: ['\x1b[32mok\x1b[0m'], probes: [{ exitCode: 1, output: '\x1b[31mdown\x1b[0m' }] } }
    expect(plainStrings(report)).toEqual({ tag: 'a', n: 3, ok: true, none: null, health: { logTail: ['ok'], probes: [{ exitCode: 1, output: 'down' }] } })
  })

  it('holds a stream until its lines end, so a sequence split across chunks is still dropped', () => {
    const lines = new PlainLines()
    expect(lines.write('#7 0.2 \x1b[3')).toBe('')
    expect(lines.write(Buffer.from('1merror\x1b[0m\n#7 DONE'))).toBe('#7 0.2 error\n')
    expect(lines.end()).toBe('#7 DONE')
  })
})
