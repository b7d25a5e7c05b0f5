import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { activeCommands, checkRow, removeImages, row, runAction, takeLeftovers } from './action.js'

// The build stage on Dockerfiles as Node backends write them (FROM node:18-alpine: the offline
// stand-in here): a context whose Dockerfile is spelt `dockerfile`, and builds that fail in a RUN
// whose own output says why (a registry 404, a TypeScript error) while buildx only says "exit code: 1".
// Nothing contacts a registry: the 404 comes from a stand-in npm that prints what npm 10 prints.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/real-build'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A small Node API: answers /health on 3000 and closes on SIGTERM (node as PID 1 would ignore it). */
const SERVER = `const http = require('node:http')
const server = http.createServer((req, res) => res.end(req.url === '/health' ? 'ok' : 'shop-api'))
server.listen(3000)
process.on('SIGTERM', () => server.close(() => process.exit(0)))
`

/** A build context: each file (path → content; executable when its name says so) in a new folder. */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-real-'))
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), content, { mode: name.startsWith('bin/') ? 0o755 : 0o644 })
  }
  return dir
}

const PACKAGE = (scripts: Record<string, string> = {}) => JSON.stringify({ name: 'shop-api', version: '1.4.0', private: true, scripts }, null, 2)

const API_DOCKERFILE = (user: string[]) =>
  [
    'FROM node:18-alpine',
    'WORKDIR /app',
    'COPY package.json server.js ./',
    ...user,
    'EXPOSE 3000',
    'HEALTHCHECK --interval=30s --timeout=5s CMD wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1',
    'CMD ["node", "server.js"]',
    ''
  ].join('\n')

/** `::error title=T,file=F,line=N::MESSAGE` → the file it names, made absolute from the repository root. */
const annotatedFiles = (stdout: string) =>
  activeCommands(stdout)
    .filter(l => /^::error .*file=/.test(l))
    .map(l => path.resolve(/file=([^,:]+)/.exec(l)![1].replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%')))

describe('a context whose Dockerfile is spelt dockerfile', () => {
  it('builds and passes, as `docker buildx build .` builds it', async () => {
    const dir = context({ dockerfile: API_DOCKERFILE(['USER node']), 'package.json': PACKAGE(), 'server.js': SERVER })
    const run = await runAction({ context: dir, tags: `${TAG}:lowercase` })
    expect(run.report.error).toBeUndefined()
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', uid: '1000' })
    expect(run.code).toBe(0)
    expect(checkRow(run, 'build').status).toBe('pass')
    expect(annotatedFiles(run.stdout)).toEqual([])
  })

  it('annotates that file, by its real name, when a check points at one of its lines', async () => {
    const dir = context({ dockerfile: API_DOCKERFILE([]), 'package.json': PACKAGE(), 'server.js': SERVER })
    const run = await runAction({ context: dir, tags: `${TAG}:lowercase-root` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', uid: '0' })
    expect(annotatedFiles(run.stdout)).toEqual([path.join(dir, 'dockerfile')])
  })
})

describe('a RUN that fails with a telling line', () => {
  it('npm ci and a registry 404 (coloured, on stderr): the row shows the 404, the log tail stays', async () => {
    const url = 'https://registry.example/s3-payload-store/-/s3-payload-store-3.0.0.tgz'
    // npm 10's words and colours for a package the registry does not have, without any registry
    const npm = [
      '#!/bin/sh',
      'red() { printf "\\033[31mnpm error\\033[39m %s\\n" "$1" >&2; }',
      'printf "\\033[33mnpm warn\\033[39m deprecated inflight@1.0.6: This module is not supported\\n" >&2',
      'red "code E404"',
      `red "404 Not Found - GET ${url} - Not found"`,
      'red "404"',
      `red "404  's3-payload-store@3.0.0' is not in this registry."`,
      'red "A complete log of this run can be found in: /root/.npm/_logs/2026-11-23T23_50_00_000Z-debug-0.log"',
      'exit 1',
      ''
    ].join('\n')
    const dockerfile = [
      'FROM node:18-alpine AS build',
      // the stand-in npm, first on the PATH
      'COPY bin/npm /usr/local/sbin/npm',
      'WORKDIR /app',
      'COPY package.json ./',
      'RUN npm ci',
      'COPY . .',
      '',
      'FROM node:18-alpine',
      'COPY --from=build /app /app',
      'CMD ["node", "/app/server.js"]',
      ''
    ].join('\n')
    const dir = context({ Dockerfile: dockerfile, 'bin/npm': npm, 'package.json': PACKAGE(), 'server.js': SERVER })
    const run = await runAction({ context: dir, tags: `${TAG}:npm-404` })
    expect(run.code).toBe(1)
    expect(run.outputs.passed).toBe('false')
    const cause = `npm error 404 Not Found - GET ${url} - Not found`
    expect(run.report.runs[0].build).toMatchObject({ ok: false, failedStep: '[build 5/6] RUN npm ci', cause })
    const build = checkRow(run, 'build')
    expect(build.detail).toBe(`failed at [build 5/6] RUN npm ci: ${cause} (exit code 1). The end of the build log is below.`)
    expect(row(run.summary, 'build')).toContain(`RUN npm ci: ${cause} (exit code 1)`)
    // the terminal shows it too, and no colour code reaches the row (the raw log tail keeps its own)
    expect(run.stdout).toContain(cause)
    // eslint-disable-next-line no-control-regex -- ESC is what must not be there
    expect(build.detail + row(run.summary, 'build')).not.toMatch(/\x1b/)
    // and the build log's tail is still there, ending with buildx's own line
    expect(run.report.runs[0].build.logTail[run.report.runs[0].build.logTail.length - 1]).toMatch(/^ERROR: (failed to build: )?failed to solve: .*exit code: 1/)
    expect(run.summary).toContain('Build log')
  })

  it('npm run build and a TypeScript error: the compiler line, not the build script\'s crash after it', async () => {
    const ts = "src/routes/orders.ts(42,9): error TS2739: Type '{ id: string; }' is missing the following properties from type 'Order': total, items"
    // a build script as examples/focus-flow-backend has (scripts/build.mjs): tsc prints its
    // diagnostics to stdout, then execSync's "Error: Command failed: tsc ..." crashes the script
    const tsc = [
      `console.log(${JSON.stringify(ts)})`,
      "console.log('')",
      "console.log('Found 1 error in src/routes/orders.ts:42')",
      "throw new Error('Command failed: tsc -p tsconfig.build.json')",
      ''
    ].join('\n')
    const dockerfile = [
      'FROM node:18-alpine AS build',
      'WORKDIR /app',
      'COPY package.json ./',
      'COPY scripts ./scripts',
      'RUN npm run build',
      '',
      'FROM node:18-alpine',
      'COPY --from=build /app /app',
      'CMD ["node", "/app/server.js"]',
      ''
    ].join('\n')
    const dir = context({ Dockerfile: dockerfile, 'package.json': PACKAGE({ build: 'node scripts/tsc.js' }), 'scripts/tsc.js': tsc, 'server.js': SERVER })
    const run = await runAction({ context: dir, tags: `${TAG}:tsc` })
    expect(run.code).toBe(1)
    expect(run.report.runs[0].build).toMatchObject({ ok: false, failedStep: '[build 5/5] RUN npm run build', cause: ts })
    // the script's crash is in the build log (streamed to the action's log), and loses to the compiler's line
    expect(run.stdout).toContain('Error: Command failed: tsc -p tsconfig.build.json')
    expect(checkRow(run, 'build').detail).toBe(
      `failed at [build 5/5] RUN npm run build: ${ts} (exit code 1). The end of the build log is below.`
    )
  })
})

describe('a Python build step that dies with a chained traceback', () => {
  it('names the exception that ended it (the last), not the KeyError it was handling', async () => {
    // what Django's manage.py does when a management command needs the settings and they import a
    // module the image lacks: the KeyError for the command is being handled when the import fails
    const manage = [
      'import sys',
      '',
      'def fetch_command(name):',
      '    commands = {}',
      '    try:',
      '        return commands[name]',
      '    except KeyError:',
      '        import decouple  # the settings module\'s first import',
      '',
      'fetch_command(sys.argv[1])',
      ''
    ].join('\n')
    const dockerfile = ['FROM python:3.11-slim', 'WORKDIR /app', 'COPY manage.py ./', 'RUN python manage.py collectstatic --noinput', 'CMD ["python", "manage.py", "runserver"]', ''].join('\n')
    const dir = context({ Dockerfile: dockerfile, 'manage.py': manage })
    const run = await runAction({ context: dir, tags: `${TAG}:traceback` })
    expect(run.code).toBe(1)
    // the whole traceback is in the log, the KeyError first
    expect(run.stdout).toContain("KeyError: 'collectstatic'")
    expect(run.stdout).toContain('During handling of the above exception, another exception occurred:')
    const cause = "ModuleNotFoundError: No module named 'decouple'"
    expect(run.report.runs[0].build).toMatchObject({ ok: false, failedStep: '[4/4] RUN python manage.py collectstatic --noinput', cause })
    expect(checkRow(run, 'build').detail).toBe(`failed at [4/4] RUN python manage.py collectstatic --noinput: ${cause} (exit code 1). The end of the build log is below.`)
    expect(row(run.summary, 'build')).toBe(
      '| ❌ | build | failed |  | failed at &#91;4/4&#93; RUN python manage.py collectstatic --noinput: ModuleNotFoundError: No module named &#39;decouple&#39; (exit code 1). The end of the build log is below. |'
    )
  })
})
