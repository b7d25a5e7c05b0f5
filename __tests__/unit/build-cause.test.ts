import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { buildCheck } from '../../src/checks/build.js'
import { resolveDockerfile } from '../../src/dockerfile/places.js'
import { readInputs } from '../../src/inputs/inputs.js'
import { newRun } from '../../src/report/report.js'
import { explainFailure, oneLine, tellingLine } from '../../src/stages/build.js'
import { inputs } from './fixtures.js'

// The failed step's most telling line, picked from buildx's plain progress as real builds of Node
// backends print it (npm 10 and 8, yarn 1 and 4, pnpm, tsc through npm run build), and the
// Dockerfile buildx reads when the context has only a lowercase `dockerfile`.

const ESC = '\x1b'

/** A buildx log of a step `#9 [build 4/6] RUN <command>` that printed `output` and failed. */
function buildxLog(command: string, output: string[], others: string[] = []): string {
  const stamped = output.map((line, i) => `#9 ${(0.4 + i / 100).toFixed(3)} ${line}`)
  return [
    '#1 [internal] load build definition from Dockerfile',
    '#1 transferring dockerfile: 412B done',
    '#1 DONE 0.0s',
    '',
    '#8 [build 3/6] COPY package*.json ./',
    '#8 CACHED',
    '',
    `#9 [build 4/6] RUN ${command}`,
    ...stamped.slice(0, 2),
    // another step's output interleaved, as parallel stages print it
    ...others,
    ...stamped.slice(2),
    `#9 ERROR: process "/bin/sh -c ${command}" did not complete successfully: exit code: 1`,
    '------',
    ` > [build 4/6] RUN ${command}:`,
    ...output.slice(-5).map(line => `0.512 ${line}`),
    '------',
    'Dockerfile:8',
    '--------------------',
    `   8 | >>> RUN ${command}`,
    '--------------------',
    `ERROR: failed to solve: process "/bin/sh -c ${command}" did not complete successfully: exit code: 1`
  ].join('\n')
}

const NPM10_404 = [
  'npm error code E404',
  'npm error 404 Not Found - GET https://registry.example/@shop/s3-payload-store/-/s3-payload-store-3.0.0.tgz - Not found',
  'npm error 404',
  "npm error 404  '@shop/s3-payload-store@3.0.0' is not in this registry.",
  'npm error 404',
  'npm error 404 Note that you can also install from a',
  'npm error 404 tarball, folder, http url, or git url.',
  'npm error A complete log of this run can be found in: /root/.npm/_logs/2024-05-02T10_11_12_345Z-debug-0.log'
]

const TSC_VIA_NPM = [
  '',
  '> shop-api@1.4.0 build',
  '> tsc -p tsconfig.build.json',
  '',
  "src/routes/orders.ts(42,9): error TS2739: Type '{ id: string; }' is missing the following properties from type 'Order': total, items",
  "src/routes/orders.ts(57,3): error TS2322: Type 'string' is not assignable to type 'number'.",
  'npm error Lifecycle script `build` failed with error:',
  'npm error code 2',
  'npm error path /app',
  'npm error workspace shop-api@1.4.0',
  'npm error location /app',
  'npm error command failed',
  'npm error command sh -c tsc -p tsconfig.build.json'
]

describe('the most telling line of a failed step', () => {
  it('npm 10: the 404 with the package, not its code, its notes or the log path', () => {
    const failure = explainFailure(buildxLog('npm ci', ['npm warn deprecated inflight@1.0.6: This module is not supported', ...NPM10_404]))
    expect(failure.failedStep).toBe('[build 4/6] RUN npm ci')
    expect(failure.cause).toBe(NPM10_404[1])
    // the tail stays as it was
    expect(failure.logTail[failure.logTail.length - 1]).toMatch(/^ERROR: failed to solve: process/)
  })

  it('npm 8 (npm ERR!): the same line', () => {
    const lines = NPM10_404.map(l => l.replace(/^npm error/, 'npm ERR!'))
    expect(explainFailure(buildxLog('npm ci', lines)).cause).toBe(lines[1])
  })

  it('npm ci out of sync with the lock file: the sentence that says so', () => {
    const cause = tellingLine([
      'npm error code EUSAGE',
      'npm error',
      'npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync. Please update your lock file with `npm install` before continuing.',
      'npm error',
      'npm error Missing: typescript@5.4.5 from lock file'
    ])
    expect(cause).toMatch(/^npm error `npm ci` can only install packages when/)
  })

  it('npm EACCES: the error, not syscall, path and errno', () => {
    expect(
      tellingLine([
        'npm error code EACCES',
        'npm error syscall mkdir',
        'npm error path /app/node_modules',
        'npm error errno -13',
        "npm error Error: EACCES: permission denied, mkdir '/app/node_modules'",
        'npm error The operation was rejected by your operating system.'
      ])
    ).toBe("npm error Error: EACCES: permission denied, mkdir '/app/node_modules'")
  })

  it('tsc run by npm run build: the first compiler error beats npm\'s lifecycle lines', () => {
    const failure = explainFailure(buildxLog('npm run build', TSC_VIA_NPM))
    expect(failure.cause).toBe(TSC_VIA_NPM[4])
    expect(buildCheck(Object.assign(newRun(), { build: { ok: false, seconds: 4, ...failure } }), inputs())[0].detail).toBe(
      `failed at [build 4/6] RUN npm run build: ${TSC_VIA_NPM[4]} (exit code 1). The end of the build log is below.`
    )
  })

  it('tsc --pretty in colour: ESC sequences are stripped before matching and from the line shown', () => {
    const coloured = `${ESC}[96msrc/index.ts${ESC}[0m:${ESC}[93m12${ESC}[0m:${ESC}[93m7${ESC}[0m - ${ESC}[91merror${ESC}[0m${ESC}[90m TS2739: ${ESC}[0mType '{}' is missing the following properties from type 'Config': port, host`
    const cause = explainFailure(buildxLog('npm run build', ['> tsc --pretty', coloured, `${ESC}[7m12${ESC}[0m const config: Config = {}`, 'npm error code 2'])).cause
    expect(cause).toBe("src/index.ts:12:7 - error TS2739: Type '{}' is missing the following properties from type 'Config': port, host")
    expect(cause).not.toContain(ESC)
  })

  it('yarn 1: its error line, not "Command failed" or the docs link', () => {
    const output = [
      'yarn install v1.22.19',
      '[1/4] Resolving packages...',
      'error Couldn\'t find package "s3-payload-store@3.0.0" required by "shop-api@1.4.0" on the "npm" registry.',
      'info Visit https://yarnpkg.com/en/docs/cli/install for documentation about this command.'
    ]
    expect(explainFailure(buildxLog('yarn install --frozen-lockfile', output)).cause).toBe(output[2])
    expect(tellingLine(['$ tsc', 'error Command failed with exit code 2.', 'info Visit https://yarnpkg.com/en/docs/cli/run for documentation about this command.'])).toBeUndefined()
  })

  it('yarn 4: the YN0035 that says what was not found, in colour or not', () => {
    const output = [
      `${ESC}[94m➤${ESC}[39m YN0000: · Yarn 4.1.1`,
      `${ESC}[94m➤${ESC}[39m YN0000: ┌ Resolution step`,
      `${ESC}[91m➤${ESC}[39m YN0035: │ ${ESC}[38;5;166m@shop/${ESC}[39m${ESC}[38;5;173ms3-payload-store${ESC}[39m@npm:3.0.0: Package not found`,
      `${ESC}[91m➤${ESC}[39m YN0035: │   Response Code: 404 (Not Found)`,
      `${ESC}[94m➤${ESC}[39m YN0000: └ Completed in 0s 312ms`,
      `${ESC}[91m➤${ESC}[39m YN0000: · Failed with errors in 0s 318ms`
    ]
    expect(explainFailure(buildxLog('yarn install --immutable', output)).cause).toBe('➤ YN0035: │ @shop/s3-payload-store@npm:3.0.0: Package not found')
  })

  it('pnpm: the ERR_PNPM line', () => {
    const output = [
      'Lockfile is up to date, resolution step is skipped',
      'Progress: resolved 1, reused 0, downloaded 0, added 0',
      ' ERR_PNPM_FETCH_404  GET https://registry.example/s3-payload-store/-/s3-payload-store-3.0.0.tgz: Not Found - 404',
      '',
      'This error happened while installing a direct dependency of /app',
      '',
      's3-payload-store is not in the npm registry, or you have no permission to fetch it.'
    ]
    expect(explainFailure(buildxLog('pnpm install --frozen-lockfile', output)).cause).toBe(output[2].trim())
    expect(tellingLine([' ELIFECYCLE  Command failed with exit code 1.'])).toBeUndefined()
  })

  it('a missing program, a missing module, a progress bar redrawn with \\r', () => {
    expect(tellingLine(['/bin/sh: tsc: not found'])).toBe('/bin/sh: tsc: not found')
    expect(tellingLine(['node:internal/modules/cjs/loader:1080', '  throw err;', '  ^', '', "Error: Cannot find module '/app/build.js'", '    at Module._resolveFilename'])).toBe(
      "Error: Cannot find module '/app/build.js'"
    )
    const log = buildxLog('npm ci', ['[#####.....] 50%\r[##########] 100%\rnpm error 404 Not Found - GET https://r.example/x.tgz'])
    // (without the excerpt buildx repeats at the end: the step's own numbered line decides)
    const failure = explainFailure(log.replace(/\n0\.512 .*/s, '\n------\n > [build 4/6] RUN npm ci:\n------\nERROR: exit code: 1'))
    expect(failure.cause).toBe('npm error 404 Not Found - GET https://r.example/x.tgz')
  })

  it("only the failed step's own lines count, even interleaved with another stage's", () => {
    const other = ['#10 [deps 2/2] RUN npm ci --omit=dev', '#10 0.300 npm error code ECONNRESET', '#10 0.301 npm error network read ECONNRESET', '#10 CANCELED']
    expect(explainFailure(buildxLog('npm run build', TSC_VIA_NPM, other)).cause).toBe(TSC_VIA_NPM[4])
    // a step that printed nothing telling has no cause: the row names buildx's line, as before
    const quiet = explainFailure(buildxLog('false', ['compiling']))
    expect(quiet.cause).toBeUndefined()
    expect(buildCheck(Object.assign(newRun(), { build: { ok: false, seconds: 1, ...quiet } }), inputs())[0].detail).toBe(
      'failed at [build 4/6] RUN false: failed to solve: process "/bin/sh -c false" did not complete successfully: exit code: 1. The end of the build log is below.'
    )
  })

  it('falls back to the excerpt buildx repeats after " > [step]:" when the step has no numbered lines', () => {
    const log = ['------', ' > [2/2] RUN npm ci:', '0.913 npm error 404 Not Found - GET https://r.example/x.tgz', '------', 'ERROR: failed to solve: exit code: 1'].join('\n')
    expect(explainFailure(log).cause).toBe('npm error 404 Not Found - GET https://r.example/x.tgz')
  })

  it('keeps a long line to 300 characters and leaves no control character', () => {
    const cause = tellingLine([`Error: ${'x'.repeat(400)}`])!
    expect(cause).toHaveLength(300)
    expect(oneLine(`a\tb${ESC}]0;title\x07c\x07d${ESC}(Be\x9b`)).toBe('a bcde')
  })
})

/** What Django's manage.py prints when its settings import a module that is not installed (Python 3.11). */
const DJANGO_CHAINED = [
  'Traceback (most recent call last):',
  '  File "/usr/local/lib/python3.11/site-packages/django/core/management/__init__.py", line 255, in fetch_command',
  '    app_name = commands[subcommand]',
  '               ~~~~~~~~^^^^^^^^^^^^',
  "KeyError: 'collectstatic'",
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "/app/manage.py", line 22, in <module>',
  '    main()',
  '  File "/usr/local/lib/python3.11/site-packages/django/core/management/__init__.py", line 262, in fetch_command',
  '    settings.INSTALLED_APPS',
  '  File "/usr/local/lib/python3.11/site-packages/django/conf/__init__.py", line 89, in _setup',
  '    self._wrapped = Settings(settings_module)',
  '                    ^^^^^^^^^^^^^^^^^^^^^^^^^',
  '  File "<frozen importlib._bootstrap>", line 1204, in _gcd_import',
  '  File "<frozen importlib._bootstrap>", line 1176, in _find_and_load',
  '  File "/app/config/settings.py", line 14, in <module>',
  '    from decouple import config',
  "ModuleNotFoundError: No module named 'decouple'"
]

describe('an uncaught error, read as its language prints it', () => {
  it('a chained Python traceback: the last exception (the one that ended it), not the first Error line', () => {
    const failure = explainFailure(buildxLog('python manage.py collectstatic --noinput', DJANGO_CHAINED))
    expect(failure.cause).toBe("ModuleNotFoundError: No module named 'decouple'")
    expect(buildCheck(Object.assign(newRun(), { build: { ok: false, seconds: 3, ...failure } }), inputs())[0].detail).toBe(
      "failed at [build 4/6] RUN python manage.py collectstatic --noinput: ModuleNotFoundError: No module named 'decouple' (exit code 1). The end of the build log is below."
    )
  })

  it('"raise … from": the exception raised last, and a bare exception name', () => {
    const direct = ['Traceback (most recent call last):', '  File "/app/boot.py", line 3, in <module>', '    int(os.environ["PORT"])', "ValueError: invalid literal for int() with base 10: ''"]
    const output = [...direct, '', 'The above exception was the direct cause of the following exception:', '', 'Traceback (most recent call last):', '  File "/app/boot.py", line 5, in <module>', '    raise ConfigError("PORT is not a number") from e', 'app.errors.ConfigError: PORT is not a number']
    expect(explainFailure(buildxLog('python /app/boot.py', output)).cause).toBe('app.errors.ConfigError: PORT is not a number')
    expect(tellingLine(['Traceback (most recent call last):', '  File "/app/wait.py", line 9, in <module>', '    time.sleep(1)', 'KeyboardInterrupt'])).toBe('KeyboardInterrupt')
  })

  it("pip's indented traceback of a package's setup.py beats pip's own error lines", () => {
    const output = [
      'Collecting psycopg2==2.9.9',
      '  Downloading psycopg2-2.9.9.tar.gz (384 kB)',
      "  Preparing metadata (setup.py): finished with status 'error'",
      '  error: subprocess-exited-with-error',
      '  ',
      '  × python setup.py egg_info did not run successfully.',
      '  │ exit code: 1',
      '  ╰─> [8 lines of output]',
      '      Traceback (most recent call last):',
      '        File "<string>", line 2, in <module>',
      '        File "<pip-setuptools-caller>", line 34, in <module>',
      '        File "/tmp/pip-install-3c1v/psycopg2_9e/setup.py", line 56, in <module>',
      '          raise Exception("pg_config executable not found.")',
      '      Exception: pg_config executable not found.',
      '      [end of output]',
      '  ',
      '  note: This error originates from a subprocess, and is likely not a problem with pip.',
      'error: metadata-generation-failed'
    ]
    expect(explainFailure(buildxLog('pip install -r requirements.txt', output)).cause).toBe('Exception: pg_config executable not found.')
  })

  it('a compiler diagnostic still beats the traceback of the script that ran it', () => {
    const output = ['src/_speedups.c:3:10: fatal error: Python.h: No such file or directory', ...DJANGO_CHAINED.slice(8)]
    expect(explainFailure(buildxLog('python setup.py build_ext', output)).cause).toBe(output[0])
  })

  it('Node: the error right above its stack, also under npm\'s prefix and for an ES module', () => {
    const esm = [
      'node:internal/process/esm_loader:40',
      "      internalBinding('errors').triggerUncaughtException(",
      '                                ^',
      '',
      "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'express' imported from /app/src/server.js",
      '    at new NodeError (node:internal/errors:405:5)',
      '    at packageResolve (node:internal/modules/esm/resolve:916:9)',
      '',
      'Node.js v18.19.0'
    ]
    expect(explainFailure(buildxLog('node src/server.js --check', esm)).cause).toBe(esm[4])
    const postinstall = [
      'npm error code 1',
      'npm error path /app/node_modules/sharp',
      'npm error command failed',
      'npm error command sh -c node install/check',
      'npm error /app/node_modules/sharp/install/check.js:12',
      'npm error     throw new TypeError(`Unsupported platform ${platform}`)',
      'npm error     ^',
      'npm error',
      'npm error TypeError: Unsupported platform linuxmusl-arm',
      'npm error     at Object.<anonymous> (/app/node_modules/sharp/install/check.js:12:11)',
      'npm error     at Module._compile (node:internal/modules/cjs/loader:1256:14)',
      'npm error   [cause]: Error: no prebuilt binary',
      'npm error       at probe (/app/node_modules/sharp/install/check.js:4:9)'
    ]
    expect(explainFailure(buildxLog('npm ci', postinstall)).cause).toBe('TypeError: Unsupported platform linuxmusl-arm')
  })

  it('Go: the compiler\'s file:line:col lines, and a panic rather than the goroutine dump or "exit status"', () => {
    const compile = ['go: downloading github.com/go-chi/chi/v5 v5.0.12', '# example.com/shop/cmd/api', './main.go:18:2: undefined: handlers.Orders', './main.go:21:9: "os" imported and not used']
    expect(explainFailure(buildxLog('go build -o /out/api ./cmd/api', compile)).cause).toBe('./main.go:18:2: undefined: handlers.Orders')
    const panic = [
      'panic: runtime error: index out of range [3] with length 3',
      '',
      'goroutine 1 [running]:',
      'main.loadRoutes(...)',
      '\t/src/cmd/gen/main.go:14 +0x1d',
      'main.main()',
      '\t/src/cmd/gen/main.go:9 +0x18',
      'exit status 2'
    ]
    expect(explainFailure(buildxLog('go run ./cmd/gen', panic)).cause).toBe(panic[0])
  })
})

describe('the Dockerfile buildx reads', () => {
  const context = (names: string[]) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-dockerfile-'))
    for (const name of names) writeFileSync(path.join(dir, name), 'FROM scratch\n')
    return dir
  }

  it('Dockerfile, else the lowercase dockerfile beside it', () => {
    const lower = context(['dockerfile'])
    expect(resolveDockerfile(path.join(lower, 'Dockerfile'))).toBe(path.join(lower, 'dockerfile'))
    const upper = context(['Dockerfile'])
    expect(resolveDockerfile(path.join(upper, 'Dockerfile'))).toBe(path.join(upper, 'Dockerfile'))
  })

  it('readInputs builds, and names, the lowercase dockerfile of a context that has only that', () => {
    const dir = context(['dockerfile'])
    expect(readInputs(name => (name === 'context' ? dir : ''), '/').file).toBe(path.join(dir, 'dockerfile'))
    expect(readInputs(name => (name === 'context' ? dir : name === 'file' ? path.join(dir, 'Dockerfile') : ''), '/').file).toBe(path.join(dir, 'dockerfile'))
    expect(() => readInputs(name => (name === 'context' ? context([]) : ''), '/')).toThrow(/^No Dockerfile in the context .* \(neither Dockerfile nor dockerfile\)/)
  })

  it('leaves other names, and a folder with neither, alone (the input check then says so)', () => {
    const dir = context(['dockerfile'])
    mkdirSync(path.join(dir, 'sub'))
    expect(resolveDockerfile(path.join(dir, 'Dockerfile.prod'))).toBe(path.join(dir, 'Dockerfile.prod'))
    expect(resolveDockerfile(path.join(dir, 'sub', 'Dockerfile'))).toBe(path.join(dir, 'sub', 'Dockerfile'))
    expect(resolveDockerfile('/no/such/dir/Dockerfile')).toBe('/no/such/dir/Dockerfile')
  })
})
