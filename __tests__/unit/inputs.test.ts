import { describe, expect, it, beforeAll, afterAll } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import { DEFAULTS, InputError, readInputs } from '../../src/inputs.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'inputs-test-'))
  mkdirSync(path.join(dir, 'app'))
  writeFileSync(path.join(dir, 'app', 'Dockerfile'), 'FROM scratch AS build\nFROM scratch AS Runtime\n')
  writeFileSync(path.join(dir, 'not-a-dir'), '')
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
      platform: ''
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
      platforms: 'linux/amd64'
    })
    expect(inputs.tags).toEqual(['a:1', 'b:2', 'c:3'])
    expect(inputs.buildArgs).toEqual(['A=1,2', 'B=x y'])
    expect(inputs.env).toEqual(['PORT=8080', 'MODE=a=b'])
    expect(inputs.platform).toBe('linux/amd64')
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

  it('accepts a target stage whatever its case, as Docker does', () => {
    expect(read({ context: 'app', target: 'runtime' }).target).toBe('runtime')
  })

  it('parses max-size', () => {
    expect(read({ context: 'app', 'max-size': '250MiB' }).maxSize).toEqual({ text: '250MiB', bytes: 250 * 2 ** 20 })
  })

  it.each([
    [{ 'no-cache': 'yes' }, 'Input "no-cache" must be true or false; got "yes".'],
    [{ fail: 'maybe' }, 'Input "fail" must be true or false; got "maybe".'],
    [{ 'health-timeout': '-5' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "-5".'],
    [{ 'health-timeout': 'abc' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "abc".'],
    [{ 'health-timeout': '0' }, 'Input "health-timeout" must be a whole number of seconds, 1 or more; got "0".'],
    [{ 'max-size': '500XB' }, 'Input "max-size" must be a byte count or a number with a unit'],
    [{ env: 'JUSTAKEY' }, 'Input "env" takes one KEY=VALUE per line; "JUSTAKEY" is not of that form.'],
    [{ platforms: 'linux/amd64,linux/arm64' }, 'Input "platforms" takes one platform'],
    [{ file: 'nope/Dockerfile' }, 'Input "file" must name a Dockerfile; "nope/Dockerfile" does not exist.'],
    [{ context: 'missing' }, 'Input "context" must be a directory'],
    [{ context: 'not-a-dir' }, 'Input "context" must be a directory'],
    [{ context: '.' }, 'No Dockerfile in the context'],
    [{ command: 'node a.js && rm -rf /' }, 'Input "command" is not run through a shell'],
    [{ command: '["node", 1]' }, 'Input "command" starting with "[" must be a non-empty JSON array of strings'],
    [{ command: '[oops' }, 'Input "command" starting with "[" must be a JSON array of strings'],
    [{ 'size-basis': 'zipped' }, 'Input "size-basis" must be one of uncompressed, compressed; got "zipped".'],
    [{ 'size-basis': 'compressed', 'compressed-size': 'false' }, 'Input "size-basis: compressed" needs compressed-size: true.'],
    [{ 'max-size-increase': '10%' }, 'Input "max-size-increase" needs compare-to: the image to compare with.'],
    [{ 'max-size-increase': 'lots', 'compare-to': 'app:main' }, 'Input "max-size-increase" must be a percentage like 10% or a size like 20MB; got "lots".'],
    [{ 'max-startup-time': 'soon' }, 'Input "max-startup-time" must be a whole number of seconds, 1 or more; got "soon".'],
    [{ 'smoke-seconds': '0' }, 'Input "smoke-seconds" must be a whole number of seconds, 1 or more; got "0".'],
    [{ 'fast-health': 'on' }, 'Input "fast-health" must be true or false; got "on".'],
    [{ 'smoke-commands': 'node worker.js\nnode a.js | tee log' }, 'Input "smoke-commands" is not run through a shell'],
    [{ target: 'worker' }, 'Input "target" must name a stage of Dockerfile; "worker" is not one (its stages are build, runtime).'],
    [{ timeout: '30m' }, 'Input "timeout" must be a whole number of seconds, 1 or more; got "30m".'],
    [{ secrets: 'JUSTATOKEN' }, 'Input "secrets" takes one id=value per line; a line without "=" is not of that form.'],
    [{ 'secret-files': '=/etc/passwd' }, 'Input "secret-files" takes one id=path per line; a line without "=" is not of that form.'],
    [{ 'comment-from': 'nope.json' }, 'Input "comment-from" must name a report file written by image-gate; "nope.json" does not exist.']
  ])('%j → one-line error', (values, message) => {
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
    inputs: Record<string, { default?: string }>
    outputs: Record<string, unknown>
    runs: Record<string, string>
  }

  it('declares exactly the inputs the code reads, with the same defaults', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(Object.keys(DEFAULTS).sort())
    for (const [name, input] of Object.entries(action.inputs)) {
      // an expression default (github-token: ${{ github.token }}) is the runner's to fill in
      const declared = String(input.default ?? '').startsWith('${{') ? '' : String(input.default ?? '')
      expect([name, declared]).toEqual([name, DEFAULTS[name]])
    }
  })

  it('runs the bundle on node24', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/index.js', 'post-if': 'always()' })
  })
})
