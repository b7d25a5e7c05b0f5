import { describe, expect, it, jest } from '@jest/globals'
import { Secrets } from '../../src/secrets.js'
import { maskBuildOutput, maskedStream } from '../../src/build-output/build-log.js'

// A secret is masked whole wherever it is, and in part where a cut left a piece of it.

const TOKEN = 'ghp_s3cr3tTOKENabcdefghij'
const secrets = (...values: string[]) => {
  const s = new Secrets()
  for (const value of values) s.add(value)
  return s
}

describe('Secrets', () => {
  it('masks each whole value, the longest first, and ignores values too short to be secrets', () => {
    const s = secrets('abc', TOKEN, `${TOKEN}-long`)
    expect(s.mask(`x ${TOKEN}-long y ${TOKEN} abc`)).toBe('x *** y *** abc')
  })

  it("masks a value as Docker's JSON writes it, so an inspect answer is masked before it is parsed", () => {
    const s = secrets('p<w>&"d\\x')
    expect(s.mask(JSON.stringify({ out: 'p<w>&"d\\x' }))).toBe('{"out":"***"}')
    expect(s.mask('{"Output":"p\\u003cw\\u003e\\u0026\\"d\\\\x"}')).toBe('{"Output":"***"}')
  })

  it('masks the piece of a secret a cut left at the end or the start, of four characters or more', () => {
    const s = secrets(TOKEN)
    expect(s.maskCut(`error: ${TOKEN.slice(0, 12)}`, { end: true })).toBe('error: ***')
    expect(s.maskCut(`${TOKEN.slice(-9)} was refused`, { start: true })).toBe('*** was refused')
    expect(s.maskCut(`${TOKEN.slice(-3)} was refused`, { start: true })).toBe(`${TOKEN.slice(-3)} was refused`)
    // only where the cut is: the same piece elsewhere is words
    expect(s.maskCut(`${TOKEN.slice(0, 12)} and more`, { end: true })).toBe(`${TOKEN.slice(0, 12)} and more`)
    expect(s.maskCut(`a ${TOKEN} b ${TOKEN.slice(0, 5)}`, { end: true })).toBe('a *** b ***')
  })

  it('masks the strings of a parsed answer without touching its shape', () => {
    const s = secrets('1234')
    expect(s.maskStrings({ Pid: 1234, Output: 'pin 1234', Log: [{ Output: '12345' }] })).toEqual({ Pid: 1234, Output: 'pin ***', Log: [{ Output: '***5' }] })
  })
})

describe("the build's output", () => {
  it("masks the line BuildKit's log limit stopped, at its end, and the step's next line, at its start", () => {
    const output = [
      '#9 [3/3] RUN ./print',
      `#9 0.201 ${'0'.repeat(30)}${TOKEN.slice(0, 10)}`,
      '#8 0.202 another step',
      '#9 0.213 [output clipped, log limit 200KiB/s reached]',
      `#9 1.232 ${TOKEN.slice(-8)} rest`,
      `#9 1.233 ${TOKEN.slice(-8)} rest`
    ].join('\n')
    expect(maskBuildOutput(output, secrets(TOKEN)).split('\n')).toEqual([
      '#9 [3/3] RUN ./print',
      `#9 0.201 ${'0'.repeat(30)}***`,
      '#8 0.202 another step',
      '#9 0.213 [output clipped, log limit 200KiB/s reached]',
      '#9 1.232 *** rest',
      // only the line right after the limit starts at a cut
      `#9 1.233 ${TOKEN.slice(-8)} rest`
    ])
  })

  it('masks the start of the excerpt buildx repeats after a failed step, with or without its times', () => {
    const output = ['#6 0.179 ' + TOKEN, '------', ' > [3/3] RUN ./fetch:', `${TOKEN.slice(-11)}`, '0.2 done', '------', `${TOKEN.slice(-11)}`].join('\n')
    expect(maskBuildOutput(output, secrets(TOKEN)).split('\n')).toEqual(['#6 0.179 ***', '------', ' > [3/3] RUN ./fetch:', '***', '0.2 done', '------', TOKEN.slice(-11)])
    expect(maskBuildOutput(` > [3/3] RUN x:\n0.182 ${TOKEN.slice(-6)} end\n------`, secrets(TOKEN))).toBe(' > [3/3] RUN x:\n0.182 *** end\n------')
  })

  it('streams whole lines masked, a secret across two chunks too, holding the last output line until the next says whether it was clipped', () => {
    jest.useFakeTimers()
    const shown: string[] = []
    const stream = maskedStream(secrets(TOKEN), text => shown.push(text))
    stream.write(Buffer.from(`#9 [3/3] RUN ./print\n#9 0.2 token ${TOKEN.slice(0, 6)}`))
    expect(shown).toEqual(['#9 [3/3] RUN ./print\n'])
    stream.write(Buffer.from(`${TOKEN.slice(6)}\n#9 0.3 ${'0'.repeat(5)}${TOKEN.slice(0, 7)}\n`))
    expect(shown.join('')).toBe('#9 [3/3] RUN ./print\n#9 0.2 token ***\n')
    stream.write(Buffer.from('#9 0.4 [output clipped, log limit 200KiB/s reached]\n'))
    expect(shown.join('')).toContain('#9 0.3 00000***\n#9 0.4 [output clipped')
    stream.write(Buffer.from('#9 0.5 quiet now\n'))
    expect(shown.join('')).not.toContain('quiet now')
    // a step gone quiet: its last line is shown a moment later
    jest.advanceTimersByTime(300)
    expect(shown.join('')).toContain('#9 0.5 quiet now\n')
    stream.write(Buffer.from('#10 DONE'))
    stream.end()
    expect(shown.join('').endsWith('#10 DONE\n')).toBe(true)
    jest.useRealTimers()
  })

  it('passes the stream through as it comes when there is no secret', () => {
    const shown: string[] = []
    const stream = maskedStream(new Secrets(), text => shown.push(text))
    stream.write(Buffer.from('#1 half'))
    stream.end()
    expect(shown).toEqual(['#1 half'])
  })
})
