import { describe, expect, it } from '@jest/globals'
import { logUntrusted } from '../../src/publish/github-sink.js'
import { codeBlock, codeSpan, inline, markdown } from '../../src/render/escape.js'

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

describe('codeSpan', () => {
  it('keeps the text as it is: a code span shows entities literally, so none are written', () => {
    expect(codeSpan('my_app:pr_7')).toBe('`my_app:pr_7`')
    expect(codeSpan('<b>&amp; @octocat')).toBe('`<b>&amp; @octocat`')
  })

  it('uses a fence longer than any backtick run inside, padded where the text starts or ends with one', () => {
    expect(codeSpan('a `b` c')).toBe('``a `b` c``')
    expect(codeSpan('``x')).toBe('``` ``x ```')
    expect(codeSpan(' x ')).toBe('`  x  `')
  })

  it('puts everything on one line', () => {
    expect(codeSpan('a\nb\r\nc')).toBe('`a b c`')
  })

  it('in a table cell, escapes each | so the cell cannot end, whatever backslashes precede it', () => {
    expect(codeSpan('a|b', { table: true })).toBe('`a\\|b`')
    // GFM reads "\\" as an escaped backslash: a pipe after an odd run of them needs two more
    expect(codeSpan('a\\|b', { table: true })).toBe('`a\\\\\\|b`')
    expect(codeSpan('a\\\\|b', { table: true })).toBe('`a\\\\\\|b`')
    expect(codeSpan('a|b')).toBe('`a|b`')
  })
})

describe('markdown', () => {
  it('renders our `code` spans as code spans, and escapes the text around them', () => {
    expect(markdown('The app could not reach `db:5432` (connection refused): set `run-network`')).toBe(
      'The app could not reach `db:5432` (connection refused): set `run-network`'
    )
    expect(markdown('a_b `c_d` <e>')).toBe('a&#95;b `c_d` &lt;e&gt;')
    expect(markdown('on GitHub, `${{ job.services.NAME.network }}`')).toBe('on GitHub, `${{ job.services.NAME.network }}`')
  })

  it('leaves a backtick that opens no span literal (escaped), as CommonMark does', () => {
    expect(markdown('a ``b` c')).toBe('a &#96;&#96;b&#96; c')
    // a run closes only on a run of its own length: "y`` z " is one span
    expect(markdown('x `y`` z `w')).toBe('x ```y`` z ```w')
  })

  it('in a table cell, a | inside a code span cannot break the row', () => {
    expect(markdown('run `a | b` | c', 300, { table: true })).toBe('run `a \\| b` &#124; c')
  })
})
