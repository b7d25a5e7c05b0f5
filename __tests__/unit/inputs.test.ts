import { describe, expect, it, beforeAll, afterAll } from '@jest/globals'
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { defaultInputs, InputError, INPUT_NAMES, INPUT_TABLE, readInputs } from '../../src/inputs/inputs.js'
import { BAD_INPUTS, badInputDir } from '../bad-inputs.js'

let dir: string
beforeAll(() => {
  dir = badInputDir()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const read = (values: Record<string, string>) => readInputs(name => values[name] ?? '', dir)

describe('readInputs', () => {
  it('applies the defaults', () => {
    const inputs = read({ context: 'app' })
    expect(inputs).toMatchObject({
      context: path.join(dir, 'app'),
      file: path.join(dir, 'app', 'Dockerfile'),
      healthTimeout: 120,
      requireHealthcheck: true,
      requireNonRoot: true,
      fail: true,
      summary: true,
      noCache: false,
      tags: [],
      platforms: []
    })
    expect(inputs.maxSize).toBeUndefined()
    expect(inputs.command).toBeUndefined()
  })

  it('reads lists one item per line, tags and platforms also by comma', () => {
    const inputs = read({
      context: 'app',
      tags: 'a:1, b:2\nc:3',
      'build-args': 'A=1,2\nB=x y',
      env: 'PORT=8080\n\nMODE=a=b',
      platforms: 'linux/amd64, linux/arm64\nlinux/arm/v7'
    })
    expect(inputs.tags).toEqual(['a:1', 'b:2', 'c:3'])
    expect(inputs.buildArgs).toEqual(['A=1,2', 'B=x y'])
    expect(inputs.env).toEqual(['PORT=8080', 'MODE=a=b'])
    expect(inputs.platforms).toEqual(['linux/amd64', 'linux/arm64', 'linux/arm/v7'])
  })

  it('splits command into words without a shell', () => {
    expect(read({ context: 'app', command: `node dist/worker.js --name "a b" $HOME` }).command).toEqual([
      'node',
      'dist/worker.js',
      '--name',
      'a b',
      '$HOME'
    ])
    expect(read({ context: 'app', command: '["node", "dist/worker.js"]' }).command).toEqual(['node', 'dist/worker.js'])
  })

  it('accepts the image references Docker accepts', () => {
    const tags = ['app', 'app:1.2', 'shop_api:v1.0-rc.1', 'ghcr.io/octo-org/shop-api:sha-1a2b', 'localhost:5000/a/b__c:x', 'MyRegistry/app:1', `app@sha256:${'a'.repeat(64)}`]
    expect(read({ context: 'app', tags: tags.join('\n') }).tags).toEqual(tags)
    expect(read({ context: 'app', 'compare-to': 'ghcr.io/octo-org/shop-api:main' }).compareTo).toBe('ghcr.io/octo-org/shop-api:main')
  })

  it('resolves secret files against the working directory', () => {
    expect(read({ context: 'app', 'secret-files': 'df=app/Dockerfile' }).secretFiles).toEqual([{ id: 'df', path: path.join(dir, 'app', 'Dockerfile') }])
  })

  it('refuses an input the action does not have, naming the one meant', () => {
    const given = (names: string[]) => Object.assign((name: string) => (name === 'context' ? 'app' : ''), { given: () => names })
    const attempt = (names: string[]) => () => readInputs(given(names), dir)
    expect(attempt(['context', 'max-size'])).not.toThrow()
    expect(attempt(['context', 'max_size'])).toThrow(new InputError('Input "max_size" is not an input of image-gate; did you mean "max-size"?'))
    expect(attempt(['healthtimeout'])).toThrow('Input "healthtimeout" is not an input of image-gate; did you mean "health-timeout"?')
    expect(attempt(['max-szie'])).toThrow('did you mean "max-size"?')
    expect(attempt(['registry-password'])).toThrow(new InputError('Input "registry-password" is not an input of image-gate; the README lists every input.'))
  })

  it('accepts a target stage whatever its case, as Docker does', () => {
    expect(read({ context: 'app', target: 'runtime' }).target).toBe('runtime')
  })

  it('parses max-size', () => {
    expect(read({ context: 'app', 'max-size': '250MiB' }).maxSize).toEqual({ text: '250MiB', bytes: 250 * 2 ** 20 })
  })

  it("parses the defaults as readInputs does (the tests' fixture starts from them)", () => {
    expect(read({ context: 'app' })).toEqual({ ...defaultInputs(dir), context: path.join(dir, 'app'), file: path.join(dir, 'app', 'Dockerfile') })
  })

  it('takes seconds up to the longest delay a Node timer can wait, and no more', () => {
    // a longer setTimeout fires at once, so a huge timeout used to end the run as it started
    expect(read({ context: 'app', timeout: '2147483', 'call-timeout': '2147483' })).toMatchObject({ timeout: 2147483, callTimeout: 2147483 })
    for (const name of ['timeout', 'call-timeout', 'health-timeout', 'smoke-seconds', 'max-startup-time']) {
      expect(() => read({ context: 'app', [name]: '2147484' })).toThrow(
        new InputError(`Input "${name}" must be a whole number of seconds from 1 to 2147483; got "2147484".`)
      )
    }
  })

  it('health-start-period: 30 s unless set; 0 is a start period of none, as docker run takes it', () => {
    expect(read({ context: 'app' }).healthStartPeriod).toBe(30)
    expect(read({ context: 'app', 'health-start-period': '0' }).healthStartPeriod).toBe(0)
    expect(read({ context: 'app', 'health-start-period': '45' }).healthStartPeriod).toBe(45)
    expect(() => read({ context: 'app', 'health-start-period': '5s' })).toThrow(
      new InputError('Input "health-start-period" must be a whole number of seconds from 0 to 2147483; got "5s".')
    )
  })

  it('hands each secret value and the token to mask as it reads them, and masks nothing else', () => {
    const masked: string[] = []
    const values: Record<string, string> = { context: 'app', secrets: 'npm=s3cr3t\nkey=a=b', 'github-token': 'ghp_abc', 'build-args': 'A=1' }
    readInputs(name => values[name] ?? '', dir, secret => masked.push(secret))
    expect(masked).toEqual(['s3cr3t', 'a=b', 'ghp_abc'])
    // the token is masked even when it is refused, though the message never shows it
    masked.length = 0
    values['github-token'] = 'token ghp_abc'
    expect(() => readInputs(name => values[name] ?? '', dir, secret => masked.push(secret))).toThrow(InputError)
    expect(masked).toContain('token ghp_abc')
  })

  it("hands a secret file's text and each line of it to mask, but not its short structural lines", () => {
    writeFileSync(path.join(dir, 'npmrc'), '[auth]\n//registry.example/:_authToken=npm_AbC123xyz\n}\n')
    const masked: string[] = []
    readInputs(name => ({ context: 'app', 'secret-files': 'npmrc=npmrc' })[name] ?? '', dir, secret => masked.push(secret))
    expect(masked).toEqual(['[auth]\n//registry.example/:_authToken=npm_AbC123xyz\n}', '//registry.example/:_authToken=npm_AbC123xyz'])
  })

  it('leaves an expression default to the runner: off the runner there is no token', () => {
    expect(INPUT_TABLE['github-token'].default).toBe('${{ github.token }}')
    expect(read({ context: 'app' }).githubToken).toBe('')
  })

  it('skips the build-path checks in comment-only mode', () => {
    const report = path.join(dir, 'app', 'Dockerfile') // any existing file; it is read later, by loadReport
    expect(read({ context: 'missing', target: 'nope', 'comment-from': report }).commentFrom).toBe(report)
  })

  it('words each bad value for the command line with the option it came from, --max-size not Input "max-size"', () => {
    const error = (values: Record<string, string>) => {
      try {
        read({ context: 'app', ...values })
      } catch (err) {
        return err as InputError
      }
      throw new Error('no error')
    }
    const size = error({ 'max-size': '500XB' })
    expect(size.message).toMatch(/^Input "max-size" must be a byte count or a number with a unit.*; got "500XB"\.$/)
    expect(size.commandLine).toBe(size.message.replace('Input "max-size"', '--max-size'))
    expect(error({ 'max-size-increase': '10%' }).commandLine).toBe('--max-size-increase needs --compare-to: the image to compare with.')
    expect(error({ 'size-basis': 'compressed', 'compressed-size': 'false' }).commandLine).toBe('--size-basis compressed needs --compressed-size.')
    expect(error({ context: '.' }).commandLine).toBe('No Dockerfile in the context "." (neither Dockerfile nor dockerfile): add one, or set --file.')
    expect(error({ target: 'worker' }).commandLine).toBe('--target must name a stage of Dockerfile; "worker" is not one (its stages are build, runtime).')
    // every bad value of the table: the command line's words name no input the action's way
    for (const [values] of BAD_INPUTS) expect([values, error(values).commandLine]).toEqual([values, expect.not.stringMatching(/Input "|the input/)])
  })

  it.each(BAD_INPUTS)('%j → one-line error', (values, message) => {
    const run = () => read({ context: 'app', ...values })
    expect(run).toThrow(InputError)
    expect(run).toThrow(message)
    try {
      run()
    } catch (err) {
      expect((err as Error).message).not.toContain('\n')
    }
  })
})

describe('action.yml', () => {
  const action = parseYaml(readFileSync(new URL('../../action.yml', import.meta.url), 'utf8')) as {
    inputs: Record<string, { description: string; required: boolean; default: string }>
    outputs: Record<string, unknown>
    runs: Record<string, string>
  }

  it('declares exactly the inputs of the table, in its order, with its defaults and descriptions', () => {
    expect(Object.keys(action.inputs)).toEqual(INPUT_NAMES)
    for (const name of INPUT_NAMES) {
      const { default: declared, description } = INPUT_TABLE[name]
      expect([name, action.inputs[name]]).toEqual([name, { description, required: false, default: declared }])
    }
  })

  it('runs the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })
})
