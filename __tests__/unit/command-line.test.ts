import { describe, expect, it } from '@jest/globals'
import { parseCommandLine, USAGE } from '../../src/cli/options.js'
import { DEFAULTS, INPUT_NAMES, row } from '../../src/inputs/inputs.js'

// the options come from the input table: every input but the runner-only ones
const options = INPUT_NAMES.filter(name => !row(name).runnerOnly)
const runnerOnly = INPUT_NAMES.filter(name => row(name).runnerOnly)
const booleans = options.filter(name => ['true', 'false'].includes(DEFAULTS[name]))

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

  it('has an option for every input of the table but the runner-only ones', () => {
    expect(runnerOnly).toEqual(['summary', 'comment', 'comment-key', 'github-token', 'comment-from'])
    for (const name of options.filter(name => !booleans.includes(name))) expect(parseCommandLine([`--${name}`, 'x'])).toEqual({ [name]: 'x' })
    for (const name of runnerOnly) expect(() => parseCommandLine([`--${name}`, 'x'])).toThrow(`Unknown option '--${name}'`)
  })

  it('lets every boolean input stand alone', () => {
    expect(booleans).toContain('require-non-root')
    for (const name of booleans) expect(parseCommandLine([`--${name}`, 'app'])).toEqual({ [name]: 'true', context: 'app' })
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

describe('--help', () => {
  it('lists each option with its default and the start of its description, and no runner-only input', () => {
    for (const name of options) {
      const { shown = DEFAULTS[name], description } = row(name)
      const head = `  --${name}${booleans.includes(name) ? '[=true|false]' : ' VALUE'}${shown ? `  (default ${shown})` : ''}`
      expect(USAGE).toContain(`${head}\n      ${description.split(' ').slice(0, 3).join(' ')} `)
    }
    for (const name of runnerOnly) expect(USAGE).not.toContain(`--${name}`)
    expect(USAGE).toContain('  --no-cache[=true|false]  (default false)\n      Build without the cache (true/false).')
    expect(USAGE).toContain('  --file VALUE  (default {context}/Dockerfile)\n')
  })

  it('keeps lines short enough for a terminal', () => {
    for (const line of USAGE.split('\n')) expect([line, line.length <= 100]).toEqual([line, true])
  })
})
