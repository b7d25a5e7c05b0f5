import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFile, execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { EXAMPLES, fixture, removeImages, SERVE, takeLeftovers } from './action.js'

// The command line as a user gets it: `npm pack` of this repository, the tarball installed into an
// empty project (offline: the bundle needs no dependencies), and `image-gate` run from
// node_modules/.bin, through its shebang, with the environment of a terminal.

jest.setTimeout(180_000)
const ROOT = path.resolve(EXAMPLES, '..')
const TAG = 'image-gate-e2e/package'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']

let work: string
let project: string
let tarball: { filename: string; files: { path: string }[] }
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => {
  removeImages(TAG)
  if (work) rmSync(work, { recursive: true, force: true })
})

/** A terminal's environment: no runner variables, no test-runner NODE_OPTIONS. */
function terminalEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_') && k !== 'NODE_OPTIONS'))
}

function npm(args: string[], cwd: string): string {
  return execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, env: terminalEnv(), encoding: 'utf8' })
}

/** `image-gate ARGS` in the project, as its shell would start it: the bin link itself, no `node` in front. */
function imageGate(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    const child = execFile(path.join(project, 'node_modules/.bin/image-gate'), args, { cwd: project, env: terminalEnv() }, () => {})
    let stdout = ''
    let stderr = ''
    child.stdout!.on('data', d => (stdout += d))
    child.stderr!.on('data', d => (stderr += d))
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'image-gate-package-'))
  ;[tarball] = JSON.parse(npm(['pack', '--json', '--pack-destination', work], ROOT))
  project = path.join(work, 'project')
  mkdirSync(project)
  writeFileSync(path.join(project, 'package.json'), '{ "name": "consumer", "private": true }\n')
  npm(['install', '--offline', path.join(work, tarball.filename)], project)
})

describe('the npm package', () => {
  it('holds the bundled command line, its license and nothing it does not need', () => {
    expect(tarball.filename).toMatch(/^image-gate-\d+\.\d+\.\d+\.tgz$/)
    expect(tarball.files.map(f => f.path).sort()).toEqual(['LICENSE', 'README.md', 'dist/cli/index.js', 'dist/cli/package.json', 'dist/licenses.txt', 'package.json'])
    // installed without a single dependency: the bundle is self-contained
    expect(readdirSync(path.join(project, 'node_modules')).filter(name => !name.startsWith('.'))).toEqual(['image-gate'])
    expect(statSync(path.join(project, 'node_modules/image-gate/dist/cli/index.js')).mode & 0o111).toBe(0o111)
  })

  it('image-gate --help prints the usage and exits 0', async () => {
    const help = await imageGate('--help')
    expect(help.code).toBe(0)
    expect(help.stderr).toBe('')
    const lines = help.stdout.split('\n')
    expect(lines[0]).toBe('usage: image-gate [options] [context]')
    expect(lines).toContain('Exit code 0 when every check passed, 1 when one failed or the run could not start (the reason on')
    expect(lines).toContain('  --max-size VALUE')
    expect(lines).toContain('  -h, --help')
    expect(lines).toContain('  -V, --version')
  })

  it("image-gate --version (and -V) prints package.json's version and exits 0", async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }
    expect(tarball.filename).toBe(`image-gate-${version}.tgz`)
    for (const flag of ['--version', '-V']) expect(await imageGate(flag)).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' })
  })

  it('image-gate on a healthy non-root image: exit 0 and a passing verdict', async () => {
    const run = await imageGate('--tags', `${TAG}:ok`, '--max-size', '20MB', fixture([...NON_ROOT, ...SERVE]))
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(run.code).toBe(0)
    expect(run.stdout.split('\n')).toContain(`image-gate: PASSED  ${TAG}:ok`)
    expect(run.stdout).toMatch(/✅ user +UID 10001\b/)
    expect(run.stdout.split('\n').filter(l => l.startsWith('::'))).toEqual([])
  })

  it('a bad option: one line on stderr, exit 2, no stack trace', async () => {
    const bad = await imageGate('--max-sise', '5MB')
    expect(bad.code).toBe(2)
    expect(bad.stdout).toBe('')
    expect(bad.stderr).toBe('image-gate: unknown option --max-sise; did you mean --max-size? (see image-gate --help)\n')
  })
})
