import { beforeEach, describe, expect, it, jest } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

// scripts/release.sh in a repository of its own, with a bare repository as its origin (local paths,
// git only): the tags it makes and pushes, the major tag following each release, and what it refuses.
// The repository's scripts/bundle.sh is a stand-in (dist/ is a copy of src/), so "dist/ is the
// bundle of src/" is checked the way the real script checks it, without a real build.

// a dozen git and npm processes per case: seconds on a busy machine
jest.setTimeout(60_000)
const release = path.resolve('scripts/release.sh')
let repo: string
let origin: string

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`)
  return r.stdout.trim()
}

/** Runs the release script in the repository; its exit code and what it printed. */
function run(...args: string[]): { code: number | null; out: string } {
  const r = spawnSync('bash', [release, ...args], { cwd: repo, encoding: 'utf8', input: '' })
  return { code: r.status, out: r.stdout + r.stderr }
}

/** The commit a tag points at, in a repository. */
const commitOf = (cwd: string, tag: string) => git(cwd, 'rev-parse', `${tag}^{commit}`)

beforeEach(() => {
  const dir = mkdtempSync(path.join(tmpdir(), 'release-'))
  origin = path.join(dir, 'origin.git')
  repo = path.join(dir, 'repo')
  git(dir, 'init', '--quiet', '--bare', origin)
  git(dir, 'init', '--quiet', '--initial-branch=main', repo)
  for (const [key, value] of [['user.name', 'Test'], ['user.email', 'test@example.com'], ['commit.gpgsign', 'false'], ['tag.gpgsign', 'false']]) git(repo, 'config', key, value)
  mkdirSync(path.join(repo, 'scripts'))
  mkdirSync(path.join(repo, 'src'))
  writeFileSync(path.join(repo, 'scripts/bundle.sh'), 'set -e\nmkdir -p "${1:-dist}"\ncp -r src/. "${1:-dist}"\n')
  writeFileSync(path.join(repo, 'src/index.js'), 'one\n')
  writeFileSync(path.join(repo, 'package.json'), JSON.stringify({ name: 'image-gate', version: '0.1.0' }, null, 2) + '\n')
  git(repo, 'remote', 'add', 'origin', origin)
  bundle()
  commit('first')
})

function bundle(): void {
  mkdirSync(path.join(repo, 'dist'), { recursive: true })
  writeFileSync(path.join(repo, 'dist/index.js'), readFileSync(path.join(repo, 'src/index.js')))
}

function commit(message: string): void {
  git(repo, 'add', '-A')
  git(repo, 'commit', '--quiet', '-m', message)
}

describe('scripts/release.sh', () => {
  it('tags the release, moves the major tag with the next one, and pushes both', () => {
    const first = run('v0.2.0')
    expect(first).toMatchObject({ code: 0 })
    expect(first.out).toContain('released v0.2.0')
    expect(JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version).toBe('0.2.0')
    expect(git(repo, 'log', '-1', '--format=%s')).toBe('Release v0.2.0')
    expect(git(repo, 'cat-file', '-t', 'v0.2.0')).toBe('tag') // annotated
    expect(commitOf(origin, 'v0.2.0')).toBe(git(repo, 'rev-parse', 'HEAD'))
    expect(commitOf(origin, 'v0')).toBe(commitOf(origin, 'v0.2.0'))
    expect(git(origin, 'rev-parse', 'main')).toBe(git(repo, 'rev-parse', 'HEAD'))

    writeFileSync(path.join(repo, 'src/index.js'), 'two\n')
    bundle()
    commit('second')
    expect(run('v0.3.0')).toMatchObject({ code: 0 })
    expect(commitOf(origin, 'v0')).toBe(commitOf(origin, 'v0.3.0'))
    expect(commitOf(origin, 'v0')).not.toBe(commitOf(origin, 'v0.2.0'))
    expect(commitOf(repo, 'v0')).toBe(git(repo, 'rev-parse', 'HEAD'))
    expect(git(origin, 'tag', '--list').split('\n').sort()).toEqual(['v0', 'v0.2.0', 'v0.3.0'])

    // 1.0.0 starts v1; v0 stays where it was
    expect(run('v1.0.0')).toMatchObject({ code: 0 })
    expect(commitOf(origin, 'v1')).toBe(commitOf(origin, 'v1.0.0'))
    expect(commitOf(origin, 'v0')).toBe(commitOf(origin, 'v0.3.0'))
  })

  it('refuses a version not greater than the latest release, and one that is not vX.Y.Z', () => {
    expect(run('v0.10.0')).toMatchObject({ code: 0 })
    // by version order: v0.9.0 sorts after v0.10.0 as text
    expect(run('v0.9.0')).toEqual({ code: 1, out: expect.stringContaining('v0.9.0 is not greater than the latest release, v0.10.0') })
    expect(run('v0.10.0')).toEqual({ code: 1, out: expect.stringContaining('v0.10.0 is not greater than the latest release, v0.10.0') })
    for (const bad of ['0.11.0', 'v0.11', 'v0.11.0-rc.1', 'v01.0.0']) {
      expect(run(bad)).toEqual({ code: 1, out: expect.stringContaining(`'${bad}' is not a version of the form vX.Y.Z`) })
    }
    expect(run()).toMatchObject({ code: 1, out: expect.stringContaining("'' is not a version") }) // nothing typed
    expect(git(origin, 'tag', '--list').split('\n').sort()).toEqual(['v0', 'v0.10.0'])
  })

  it('refuses a dirty tree and a dist/ that is not the bundle of src/', () => {
    writeFileSync(path.join(repo, 'src/index.js'), 'changed\n')
    expect(run('v0.2.0')).toEqual({ code: 1, out: expect.stringContaining('the working tree has changes') })
    commit('src changed, dist/ not rebuilt')
    expect(run('v0.2.0')).toEqual({ code: 1, out: expect.stringContaining("dist/ is not the bundle of src/: run 'npm run bundle'") })
    bundle()
    writeFileSync(path.join(repo, 'dist/stale.js'), 'left over\n')
    commit('rebuilt, with a stale file')
    expect(run('v0.2.0')).toEqual({ code: 1, out: expect.stringContaining('Only in dist: stale.js') })
    expect(git(repo, 'tag', '--list')).toBe('')
    expect(JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version).toBe('0.1.0')
  })

  it('with --no-push tags locally and pushes nothing', () => {
    const r = run('--no-push', 'v0.2.0')
    expect(r).toMatchObject({ code: 0, out: expect.stringContaining('not pushed (--no-push)') })
    expect(commitOf(repo, 'v0')).toBe(commitOf(repo, 'v0.2.0'))
    expect(git(origin, 'tag', '--list')).toBe('')
  })
})
