import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { annotateContents } from '../../src/publish/annotations.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { reportOf } from './fixtures.js'
import { silent } from '../../src/sink.js'
import { toolOf } from '../../src/saved/contents-rules.js'
import { pythonDist, pythonRequires } from '../../src/saved/python-rules.js'
import { judgedWith, scan } from './contents-scan.js'
import type { Entry } from './tar.js'

// The contents check beyond Node: one finding for a path a later layer rewrote (a .git under
// `chown -R`), build tools by their own names, Python's dev and test tools in site-packages, a Go
// toolchain, and each fix worded for what the image is.

const BASE: [string, Entry[]] = ['ADD rootfs.tar.xz /', [{ name: 'bin/busybox', data: 'x'.repeat(2000) }]]
const row = (contents: Awaited<ReturnType<typeof scan>>) => judgedWith(contents).checks.find(c => c.name === 'contents')!
const SITE = 'usr/local/lib/python3.11/site-packages'
/** A Python base: python3 and pip's own distribution, which is not a dev tool. */
const PYTHON: [string, Entry[]] = [
  'ADD python-rootfs.tar /',
  [
    { name: 'usr/local/bin/python3.11', data: 'p'.repeat(500) },
    { name: 'usr/local/bin/python3', type: 'symlink', linkname: 'python3.11' },
    { name: `${SITE}/pip-24.0.dist-info/METADATA`, data: 'Metadata-Version: 2.1\nName: pip\nVersion: 24.0\n' },
    { name: `${SITE}/pip/__init__.py`, data: 'x'.repeat(300) }
  ]
]

describe('one finding per path, whichever layers wrote it', () => {
  it('a .git that RUN chown -R rewrote is one secret naming both layers, as is an .env', async () => {
    const git: Entry[] = [
      { name: 'app/.git/config', data: '[core]\n\tbare = false\n' },
      { name: 'app/.git/HEAD', data: 'ref: refs/heads/main\n' },
      { name: 'app/.env', data: 'SECRET_KEY=x\n' },
      { name: 'app/manage.py', data: 'import django\n' }
    ]
    const contents = await scan([BASE, ['COPY . /app', git], ['RUN chown -R 10001:10001 /app', git]])
    expect(contents.findings.map(f => [f.path, f.instruction, f.alsoIn])).toEqual([
      ['/app/.env', 'COPY . /app', ['RUN chown -R 10001:10001 /app']],
      ['/app/.git', 'COPY . /app', ['RUN chown -R 10001:10001 /app']]
    ])
    expect(contents.count).toBe(2)
    const check = row(contents)
    expect(check.value).toBe('2 secrets')
    expect(check.detail).toMatch(/^\/app\/\.env \(environment file, 13 B, from COPY \. \/app and again from RUN chown -R 10001:10001 \/app\); \/app\/\.git \(git repository \(\.git\), 42 B, from COPY \. \/app and again from RUN chown -R 10001:10001 \/app\)\. Keep secrets/)
    const report = judgedWith(contents)
    expect(renderMarkdown(reportOf(report))).toContain('| secret | /app/.git | git repository (.git) | 42 B | COPY . /app, again by RUN chown -R 10001:10001 /app |')
    // the annotation is on the COPY that added it, and says why the chown made a second copy
    const dir = mkdtempSync(path.join(tmpdir(), 'contents-'))
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM python:3.11-slim\nCOPY . /app\nRUN chown -R 10001:10001 /app\nUSER 10001\n')
    const errors: string[] = []
    annotateContents(reportOf(report), { file: path.join(dir, 'Dockerfile'), target: '' }, { ...silent, error: (m, place) => void errors.push(`${place?.line}: ${m}`) }, dir)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^2: .*Add \*\*\/\.env, \.git to \.dockerignore\. A later layer wrote it again \(a chown -R or chmod -R copies every file it touches\): COPY --chown sets the owner/)
  })

  it('a file deleted after its rewrite says so once, from the last layer that wrote it', async () => {
    const env: Entry[] = [{ name: 'app/.env', data: 'A=1\n' }]
    const contents = await scan([BASE, ['COPY . .', env], ['RUN chmod -R g+w /app', env], ['RUN rm /app/.env', [{ name: 'app/.wh..env', data: '' }]]])
    expect(contents.findings.map(f => [f.instruction, f.alsoIn, f.deletedBy])).toEqual([['COPY . .', ['RUN chmod -R g+w /app'], 'RUN rm /app/.env']])
  })
})

describe('build tools by their own names', () => {
  it('gcc, g++ and make, not the c89-gcc, c++ and gmake listed before them', async () => {
    const contents = await scan([
      BASE,
      [
        'RUN apt-get install -y build-essential',
        [
          { name: 'usr/bin/c89-gcc', data: 'c'.repeat(400) },
          { name: 'usr/bin/c99-gcc', data: 'c'.repeat(400) },
          { name: 'usr/bin/c++', type: 'symlink', linkname: '/etc/alternatives/c++' },
          { name: 'usr/bin/gmake', type: 'symlink', linkname: 'make' },
          { name: 'usr/bin/x86_64-linux-gnu-gcc-12', data: 'g'.repeat(1_000) },
          { name: 'usr/bin/gcc-12', type: 'symlink', linkname: 'x86_64-linux-gnu-gcc-12' },
          { name: 'usr/bin/gcc', type: 'symlink', linkname: 'gcc-12' },
          { name: 'usr/bin/x86_64-linux-gnu-g++-12', data: 'g'.repeat(1_000) },
          { name: 'usr/bin/make', data: 'm'.repeat(500) }
        ]
      ],
      // a later layer's alias does not take the name either
      ['RUN ln -s g++ /usr/bin/c++', [{ name: 'usr/bin/c++', type: 'symlink', linkname: 'g++' }]]
    ])
    expect(contents.findings.map(f => [f.what, f.path])).toEqual([
      ['gcc', '/usr/bin/gcc'],
      ['g++', '/usr/bin/x86_64-linux-gnu-g++-12'],
      ['make', '/usr/bin/make']
    ])
    expect(toolOf('usr/bin/c89-gcc')).toMatchObject({ name: 'gcc', rank: 3 })
    expect(toolOf('usr/bin/gmake')).toMatchObject({ name: 'make', rank: 3 })
  })
})

describe('the fix in the words of what the image is', () => {
  const GCC: [string, Entry[]] = ['RUN apt-get install -y gcc', [{ name: 'usr/bin/gcc', data: 'g'.repeat(1_000) }]]
  it('Python: build wheels in a build stage and install them; never dist/', async () => {
    const contents = await scan([PYTHON, ['COPY requirements.txt .', [{ name: 'app/requirements.txt', data: 'flask\n' }]], GCC])
    expect(contents.findings.map(f => [f.what, f.ecosystem])).toEqual([['gcc', 'python']])
    expect(row(contents).detail).toBe(
      '/usr/bin/gcc (gcc, 1.00 kB, from RUN apt-get install -y gcc). Keep compilers and build tools in a build stage: build wheels there (pip wheel --wheel-dir /wheels -r requirements.txt) and install them in the final stage (COPY --from=build /wheels /wheels, then pip install --no-index --find-links /wheels -r requirements.txt).'
    )
  })

  it('Node keeps its dist/ wording; an image that says nothing gets neither', async () => {
    const node: [string, Entry[]] = ['ADD node-rootfs.tar /', [{ name: 'usr/local/bin/node', data: 'n'.repeat(500) }]]
    expect(row(await scan([node, ['COPY package.json .', [{ name: 'app/package.json', data: '{}' }]], GCC])).detail).toContain('copy only its output (dist/) into the final stage.')
    const bare = row(await scan([BASE, GCC])).detail
    expect(bare).toContain('Keep compilers and build tools in a build stage and copy only what it builds into the final stage.')
    expect(bare).not.toContain('dist/')
  })

  it('a Go toolchain in the final stage: a build tool, and the fix is to copy the binary', async () => {
    const contents = await scan([
      BASE,
      [
        'COPY --from=golang /usr/local/go /usr/local/go',
        [
          { name: 'usr/local/go/bin/go', data: 'g'.repeat(12_000) },
          { name: 'usr/local/go/bin/gofmt', data: 'f'.repeat(3_000) },
          { name: 'usr/local/go/pkg/tool/linux_amd64/compile', data: 'c'.repeat(20_000) }
        ]
      ],
      ['RUN apt-get install -y golang-1.19-go', [{ name: 'usr/lib/go-1.19/bin/go', data: 'd'.repeat(1_000) }]]
    ])
    expect(contents.findings.map(f => [f.kind, f.what, f.path, f.size, f.ecosystem])).toEqual([['build-tool', 'Go toolchain', '/usr/local/go/bin/go', 36_000, 'go']])
    expect(row(contents).detail).toBe(
      '/usr/local/go/bin/go (Go toolchain, 36.0 kB, from COPY --from=golang /usr/local/go /usr/local/go). Build in a stage of its own (FROM golang) and copy only the binary into the final stage (COPY --from=build /out/app /app): the Go toolchain and compilers stay behind.'
    )
  })
})

describe("Python's dev and test tools", () => {
  const size = (entries: Entry[]) => entries.reduce((sum, e) => sum + Buffer.byteLength(e.data ?? ''), 0)
  const dist = (name: string, version: string, requires: string[] = [], files: Entry[] = []): Entry[] => [
    { name: `${SITE}/${name}-${version}.dist-info/METADATA`, data: `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n${requires.map(r => `Requires-Dist: ${r}\n`).join('')}\nA long description.\n` },
    ...files
  ]
  it('names pytest, mypy and ruff in site-packages with their RECORD sizes, and leaves the app\'s libraries', async () => {
    const mypy = dist('mypy', '1.8.0', ['typing_extensions>=4.1.0', 'mypy-extensions>=1.0.0'], [{ name: `${SITE}/mypy/main.py`, data: 'm'.repeat(2_000) }])
    const contents = await scan([
      PYTHON,
      ['COPY requirements.txt .', [{ name: 'app/requirements.txt', data: 'flask\npytest\n' }]],
      [
        'RUN pip install -r requirements.txt',
        [
          ...dist('flask', '3.0.2', ['Werkzeug>=3.0.0', 'asgiref>=3.2; extra == "async"', 'pytest; extra == "test"'], [{ name: `${SITE}/flask/app.py`, data: 'f'.repeat(900) }]),
          ...dist('pytest', '8.0.0', ['pluggy<2.0,>=1.3.0', 'iniconfig']),
          { name: `${SITE}/pytest-8.0.0.dist-info/RECORD`, data: '_pytest/python.py,sha256=abc,70000\npytest/__init__.py,sha256=def,5000\n../../../bin/pytest,sha256=ghi,220\npytest-8.0.0.dist-info/RECORD,,\n' },
          { name: `${SITE}/_pytest/python.py`, data: 'p'.repeat(700) },
          ...dist('pluggy', '1.4.0'),
          ...dist('ruff', '0.3.0'),
          { name: `${SITE}/ruff-0.3.0.dist-info/RECORD`, data: '../../../bin/ruff,sha256=x,21000000\nruff/__main__.py,sha256=y,1200\n' },
          ...mypy
        ]
      ]
    ])
    expect(contents.findings.map(f => [f.kind, f.path, f.what, f.size, f.instruction, f.ecosystem])).toEqual([
      ['dev-dependency', `/${SITE}/ruff-0.3.0.dist-info`, 'Python linter ruff 0.3.0', 21_001_200, 'RUN pip install -r requirements.txt', 'python'],
      ['dev-dependency', `/${SITE}/pytest-8.0.0.dist-info`, 'Python test runner pytest 8.0.0', 75_220, 'RUN pip install -r requirements.txt', 'python'],
      // no RECORD: its metadata folder's bytes and its package's (mypy/)
      ['dev-dependency', `/${SITE}/mypy-1.8.0.dist-info`, 'Python type checker mypy 1.8.0', size(mypy), 'RUN pip install -r requirements.txt', 'python']
    ])
    const check = row(contents)
    expect(check.value).toBe('3 dev dependencies (21.1 MB)')
    expect(check.detail).toContain('Install only what the app runs with in the final stage: keep test and lint tools in dev requirements')
    expect(check.detail).not.toContain('npm')
  })

  it('keeps a tool a runtime package needs (not through an extra), and reads an egg-info', async () => {
    const debian: Entry[] = [
      { name: 'usr/lib/python3/dist-packages/pytest-7.2.1.egg-info/PKG-INFO', data: 'Metadata-Version: 2.1\nName: pytest\n' },
      { name: 'usr/lib/python3/dist-packages/pytest-7.2.1.egg-info/requires.txt', data: 'attrs>=19.2.0\niniconfig\n\n[testing]\nhypothesis>=3.56\n' },
      { name: 'usr/lib/python3/dist-packages/pytest-7.2.1.egg-info/top_level.txt', data: '_pytest\npytest\n' },
      { name: 'usr/lib/python3/dist-packages/_pytest/main.py', data: 'm'.repeat(4_000) },
      { name: 'usr/lib/python3/dist-packages/pytest/__init__.py', data: 'i'.repeat(1_000) }
    ]
    const contents = await scan([
      PYTHON,
      [
        'RUN pip install datamodel-code-generator',
        [
          ...dist('datamodel-code-generator', '0.25.4', ['black>=19.10b0', 'isort<6.0,>=4.3.21', 'pytest; extra == "dev"']),
          ...dist('black', '24.2.0'),
          ...dist('isort', '5.13.2'),
          // a METADATA past 64 KiB: its headers, before the description, are still read
          { name: `${SITE}/pytest_django-4.8.0.dist-info/METADATA`, data: `Name: pytest-django\nRequires-Dist: pytest>=7\n\n${'d'.repeat(100_000)}\n` },
          { name: `${SITE}/app_checks-1.0.dist-info/METADATA`, data: `Name: app-checks\nRequires-Dist: coverage\n\n${'d'.repeat(100_000)}\n` },
          ...dist('coverage', '7.4.3')
        ]
      ],
      ['RUN apt-get install -y python3-pytest', debian]
    ])
    expect(contents.findings.map(f => [f.path, f.what, f.size])).toEqual([
      [`/${SITE}/pytest_django-4.8.0.dist-info`, 'Python pytest plugin pytest-django 4.8.0', expect.any(Number)],
      ['/usr/lib/python3/dist-packages/pytest-7.2.1.egg-info', 'Python test runner pytest 7.2.1', size(debian)]
    ])
  })

  it('reads the names as Python spells them', () => {
    expect(pythonDist(`${SITE}/Flake8_Bugbear-24.2.6.dist-info/METADATA`)).toEqual({ dir: `${SITE}/Flake8_Bugbear-24.2.6.dist-info`, site: SITE, name: 'flake8-bugbear', version: '24.2.6', file: 'METADATA' })
    expect(pythonDist('usr/lib/python3/dist-packages/pytest_cov-4.1.0-py3.11.egg-info/PKG-INFO')).toMatchObject({ name: 'pytest-cov', version: '4.1.0' })
    expect(pythonDist('app/node_modules/x/site-packages/a-1.dist-info/METADATA')).toBeUndefined()
    expect(pythonRequires('METADATA', Buffer.from('Name: x\nRequires-Dist: Black (>=22) ; python_version >= "3.8"\nRequires-Dist: ruff; extra == \'lint\'\n\nRequires-Dist: mypy\n'))).toEqual(['black'])
  })
})
