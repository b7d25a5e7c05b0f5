import { describe, expect, it } from '@jest/globals'
import { logUntrusted } from '../../src/publish/github-sink.js'
import { codeBlock, inline } from '../../src/report/escape.js'

describe('inline', () => {
  it('neutralises HTML, table pipes, mentions and newlines', () => {
    const out = inline('<img src=x onerror=alert(1)> | @octocat\n</details>')
    expect(out).not.toMatch(/[<>|\n]/)
    expect(out).toContain('&lt;img')
    expect(out).toContain('@\u200boctocat')
    expect(out).toContain('&#124;')
  })

  it('keeps links and emphasis from forming', () => {
    expect(inline('[click](http://x) **bold**')).toBe('&#91;click&#93;(http://x) &#42;&#42;bold&#42;&#42;')
  })

  it('escapes once: an entity it writes is not escaped again', () => {
    expect(inline(`it's #1`)).toBe('it&#39;s &#35;1')
  })

  it('truncates long text', () => {
    expect(inline('x'.repeat(500), 10)).toBe(`${'x'.repeat(9)}…`)
  })
})

describe('codeBlock', () => {
  it('uses a fence longer than any backtick run in the text', () => {
    const block = codeBlock(['before', '````', 'after'])
    expect(block.startsWith('`````text\n')).toBe(true)
    expect(block.endsWith('\n`````')).toBe(true)
  })
})

describe('logUntrusted', () => {
  it('pauses workflow commands around the lines with a token the lines cannot know', () => {
    const written: string[] = []
    logUntrusted(['::error::pwned', '::set-output name=passed::true'], s => written.push(s))
    const start = /^::stop-commands::(image-gate-[0-9a-f]{24})\n$/.exec(written[0])
    expect(start).not.toBeNull()
    expect(written.slice(1, 3)).toEqual(['::error::pwned\n', '::set-output name=passed::true\n'])
    expect(written[3]).toBe(`::${start![1]}::\n`)
  })
})
