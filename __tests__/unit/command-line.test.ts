import { describe, expect, it } from '@jest/globals'
import { forTerminal, parseCommandLine } from '../../src/cli/options.js'

describe('parseCommandLine', () => {
  it('maps options to inputs of the same name, the context last', () => {
    expect(parseCommandLine(['--max-size', '500MB', '--health-cmd=wget -q --spider http://127.0.0.1:8080/health', 'examples/app'])).toEqual({
      'max-size': '500MB',
      'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health',
      context: 'examples/app'
    })
  })

  it('repeats list options and lets booleans stand alone', () => {
    expect(parseCommandLine(['--tags', 'a:1', '--tags', 'b:2', '--no-cache', '--fail', 'false', '--pull=false'])).toEqual({
      tags: 'a:1\nb:2',
      'no-cache': 'true',
      fail: 'false',
      pull: 'false'
    })
  })

  it.each([
    [['--bogus'], "Unknown option '--bogus'"],
    [['a', 'b'], 'one context at most; got 2: a b'],
    [['--context', 'a', 'b'], 'give the context once'],
    [['--github-token', 'x'], "Unknown option '--github-token'"],
    [['--max-size'], "Option '--max-size <value>' argument missing"]
  ])('%j is bad usage', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(message)
  })
})

describe('forTerminal', () => {
  it.each([
    ['::warning::the token cannot write', 'warning: the token cannot write'],
    ['::error::image-gate: 1 of 4 checks failed%0Anext', 'error: image-gate: 1 of 4 checks failed\nnext'],
    ['::error title=t%3A x,file=app/Dockerfile,line=8::no USER (root)', 'app/Dockerfile:8: error: no USER (root)'],
    ['::group::Build', '── Build'],
    ['plain build output', 'plain build output'],
    ['::endgroup::', undefined],
    ['::stop-commands::image-gate-0123abcd', undefined],
    ['::image-gate-0123abcd::', undefined],
    ['::add-mask::s3cr3t', undefined],
    ['::set-output name=passed::true', undefined]
  ])('%j', (line, shown) => {
    expect(forTerminal(line)).toBe(shown)
  })
})
