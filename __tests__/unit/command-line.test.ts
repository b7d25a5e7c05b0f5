import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { Answer, parseCommandLine, USAGE, UsageError } from '../../src/cli/options.js'
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
    for (const name of runnerOnly) {
      expect(() => parseCommandLine([`--${name}`, 'x'])).toThrow(new UsageError(`unknown option --${name}; ${name} is an input of the action only, on a GitHub runner`))
    }
  })

  it('lets every boolean input stand alone', () => {
    expect(booleans).toContain('require-non-root')
    for (const name of booleans) expect(parseCommandLine([`--${name}`, 'app'])).toEqual({ [name]: 'true', context: 'app' })
  })

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x', 'app'], 'unknown option -x'],
    [['a', 'b'], 'one context at most; got 2: a b'],
    [['--context', 'a', 'b'], 'give the context once: as --context or as the last argument'],
    [['--github-token', 'x'], 'unknown option --github-token; github-token is an input of the action only, on a GitHub runner'],
    [['--max-size'], "Option '--max-size <value>' argument missing"],
    [['--health-cmd', '--no-cache'], "Option '--health-cmd' argument is ambiguous."]
  ])('%j is bad usage, in one line', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new UsageError(message))
  })

  it.each([
    [['--max-szie', '5MB'], 'unknown option --max-szie; did you mean --max-size?'],
    [['--max_size=5MB'], 'unknown option --max_size; did you mean --max-size?'],
    [['app', '--healthtimeout', '30'], 'unknown option --healthtimeout; did you mean --health-timeout?'],
    [['--verison'], 'unknown option --verison; did you mean --version?'],
    [['--tags', 'a', '--no-cahce'], 'unknown option --no-cahce; did you mean --no-cache?']
  ])('%j names the option meant, as the action does for its inputs', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new UsageError(message))
  })
})

describe('--help and --version', () => {
  const answer = (argv: string[]) => {
    try {
      parseCommandLine(argv)
    } catch (err) {
      if (err instanceof Answer) return err.text
      throw err
    }
    throw new Error('no answer')
  }

  it('answer with the usage, or the version of package.json, before reading any other option', () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    expect(version).toMatch(/^\d+\.\d+\.\d+/)
    for (const argv of [['--version'], ['-V'], ['--max-size', '5XB', '-V']]) expect(answer(argv)).toBe(version)
    for (const argv of [['--help'], ['-h'], ['app', '-h']]) expect(answer(argv)).toBe(USAGE)
    expect(USAGE).toContain('  -V, --version')
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
