// Runs the bundled action (dist/index.js) the way the GitHub runner does: one INPUT_* variable
// for every input in action.yml (the default unless the test sets it), GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files, and a pull_request event payload. Docker is real.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { PlatformRun, Report } from '../../src/report/report.js'

/** The repository: the nearest folder up from here with action.yml (this file also runs compiled, from lib/). */
const ROOT = (() => {
  let dir = path.dirname(new URL(import.meta.url).pathname)
  while (!existsSync(path.join(dir, 'action.yml')) && dir !== path.dirname(dir)) dir = path.dirname(dir)
  return dir
})()
const action = parseYaml(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, { default?: string }> }

export interface ActionRun {
  code: number | null
  /** the signal that ended it, when one did (code is then null) */
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  outputs: Record<string, string>
  summary: string
  /** what the main step saved for its post step (GITHUB_STATE) */
  state: Record<string, string>
  seconds: number
  /** the report output, parsed; every field typed as present: a test reads what it expects the run to have written */
  report: Present<Report>
}

/** T with every optional or nullable field present: a test's view of a report it expects filled in. */
export type Present<T> = T extends (infer U)[] ? Present<U>[] : T extends object ? { [K in keyof T]-?: Present<NonNullable<T[K]>> } : T

export interface RunOptions {
  /** the event that triggered the run; only pull_request events get a comment */
  event?: 'pull_request' | 'push' | 'workflow_run'
  /** a FakeGitHub's URL; without one the API points at a closed loopback port */
  apiUrl?: string
  env?: Record<string, string>
  /** the event payload, when not the harness's usual one for `event` */
  payload?: Record<string, unknown>
  /** the working directory relative inputs resolve against (the repository by default) */
  cwd?: string
  /**
   * run as GitHub's runner runs it: as a user that is not root (image-gate-runner, which
   * scripts/setup-test-tools.sh makes), with the docker group, so /proc shows it what it shows the
   * runner user (no wchan of a root process, for one)
   */
  asRunner?: boolean
}

/** The first platform's row of the check `name`; a test that reads a row fails here, by name, when there is none. */
export function checkRow(run: Pick<ActionRun, 'report'>, name: string): Present<PlatformRun>['checks'][number] {
  const rows = run.report.runs[0]?.checks ?? []
  const row = rows.find(c => c.name === name)
  if (!row) throw new Error(`the report has no ${name} row: ${rows.map(c => c.name).join(', ')}`)
  return row
}

export async function runAction(inputs: Record<string, string>, options: RunOptions = {}): Promise<ActionRun> {
  return startAction(inputs, options).done
}

export interface StartedAction {
  child: ChildProcess
  done: Promise<ActionRun>
  /** the run id the action saved for its post step, read as it runs (undefined before it saved it) */
  runId: () => string | undefined
}

/** Starts the action; `done` resolves when it exits. Tests that signal it mid-run use `child`. */
export function startAction(inputs: Record<string, string>, options: RunOptions = {}): StartedAction {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-run-'))
  const outputFile = path.join(dir, 'output')
  const summaryFile = path.join(dir, 'summary')
  const stateFile = path.join(dir, 'state')
  const eventFile = path.join(dir, 'event.json')
  for (const file of [outputFile, summaryFile, stateFile]) writeFileSync(file, '')
  const payload = options.payload ?? { pull_request: pullRequestEvent(), push: pushEvent(), workflow_run: workflowRunEvent() }[options.event ?? 'push']
  writeFileSync(eventFile, JSON.stringify(payload))
  const env: NodeJS.ProcessEnv = {}
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_') && !k.startsWith('GITHUB_') && !k.startsWith('STATE_')) env[k] = v
  for (const [name, spec] of Object.entries(action.inputs)) {
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? runnerDefault(String(spec.default ?? ''))
  }
  for (const name of Object.keys(inputs)) if (!(name in action.inputs)) throw new Error(`test sets unknown input ${name}`)
  Object.assign(env, {
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    GITHUB_STATE: stateFile,
    GITHUB_EVENT_NAME: options.event ?? 'push',
    GITHUB_EVENT_PATH: eventFile,
    // nothing ever leaves loopback: without a fake server, port 9 refuses the connection
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.example',
    GITHUB_RUN_ID: '4242',
    GITHUB_WORKFLOW: 'image',
    GITHUB_JOB: 'gate',
    GITHUB_REPOSITORY: 'octo-org/shop-api',
    GITHUB_SHA: 'f00dfeedbeef0123456789abcdef0123456789ab',
    GITHUB_WORKSPACE: ROOT,
    RUNNER_TEMP: dir,
    ...options.env
  })
  const runner = options.asRunner ? asRunner(dir, inputs, env) : {}
  const started = Date.now()
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], { cwd: options.cwd ?? ROOT, env, ...runner })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', d => (stdout += d))
  child.stderr!.on('data', d => (stderr += d))
  const done = new Promise<[number | null, NodeJS.Signals | null]>(resolve => child.on('close', (code, signal) => resolve([code, signal]))).then(([code, signal]) => {
    const outputs = parseOutputFile(readFileSync(outputFile, 'utf8'))
    const summary = readFileSync(summaryFile, 'utf8')
    const state = parseOutputFile(readFileSync(stateFile, 'utf8'))
    rmSync(dir, { recursive: true, force: true })
    const report = outputs.report ? JSON.parse(outputs.report) : undefined
    return { code, signal, stdout, stderr, outputs, summary, state, seconds: (Date.now() - started) / 1000, report }
  })
  const runId = () => {
    try {
      return parseOutputFile(readFileSync(stateFile, 'utf8')).run
    } catch {
      return undefined // ended: done has the state
    }
  }
  return { child, done, runId }
}

/** The runner's user (scripts/setup-test-tools.sh), set up to run in `dir`: the IDs to spawn with. */
function asRunner(dir: string, inputs: Record<string, string>, env: NodeJS.ProcessEnv): { uid: number; gid: number } {
  const id = (flag: string, name: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }).trim())
  let uid: number
  try {
    uid = id('-u', RUNNER_USER)
  } catch {
    throw new Error(`no user ${RUNNER_USER}: scripts/setup-test-tools.sh makes it`)
  }
  // the docker group as its primary group: a spawned process keeps no supplementary groups
  const gid = Number(execFileSync('getent', ['group', 'docker'], { encoding: 'utf8' }).split(':')[2])
  const home = path.join(dir, 'home')
  const config = path.join(home, '.docker')
  mkdirSync(config, { recursive: true })
  // the engine's own buildx (DOCKER_CONFIG's cli-plugins), else the system's
  if (process.env.DOCKER_CONFIG && existsSync(path.join(process.env.DOCKER_CONFIG, 'cli-plugins'))) symlinkSync(path.join(process.env.DOCKER_CONFIG, 'cli-plugins'), path.join(config, 'cli-plugins'))
  Object.assign(env, { HOME: home, DOCKER_CONFIG: config, TMPDIR: dir })
  for (const file of [dir, home, config, ...['output', 'summary', 'state', 'event.json'].map(f => path.join(dir, f))]) chownSync(file, uid, gid)
  // the run's files and the build context a test made (mkdtemp's 0700) within its reach, as a checkout is
  chmodSync(tmpdir(), 0o711)
  if (inputs.context && path.isAbsolute(inputs.context)) chmodSync(inputs.context, 0o755)
  return { uid, gid }
}

const RUNNER_USER = 'image-gate-runner'

/** The runner evaluates an expression default before the action sees it: github.token is a token. */
function runnerDefault(value: string): string {
  if (value === '${{ github.token }}') return 'ghs_runner-token-for-this-job'
  if (value.includes('${{')) throw new Error(`the harness cannot evaluate the default ${value}`)
  return value
}

/** The post step, as the runner starts it: the main step's saved state as STATE_* variables. */
export async function runPost(state: Record<string, string>): Promise<{ code: number | null; stdout: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, GITHUB_ACTIONS: 'true' }
  for (const [name, value] of Object.entries(state)) env[`STATE_${name}`] = value
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], { cwd: ROOT, env })
  let stdout = ''
  child.stdout.on('data', d => (stdout += d))
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout }
}

/** The command line (dist/cli/index.js) as a developer runs it: no runner variables at all. */
export function startCli(
  args: string[],
  extraEnv: Record<string, string> = {}
): { child: ChildProcess; done: Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GITHUB_') && !k.startsWith('INPUT_'))), ...extraEnv }
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/cli/index.js'), ...args], { cwd: ROOT, env })
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', d => (stdout += d))
  child.stderr!.on('data', d => (stderr += d))
  const done = new Promise<number | null>(resolve => child.on('close', resolve)).then(code => ({ code, stdout, stderr }))
  return { child, done }
}

/** GITHUB_OUTPUT holds `name<<DELIMITER`, the value's lines, then `DELIMITER`. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    outputs[m[1]] = value.join('\n')
  }
  return outputs
}

function pullRequestEvent() {
  return {
    action: 'synchronize',
    number: 7,
    pull_request: { number: 7, head: { sha: 'f00dfeedbeef0123456789abcdef0123456789ab' }, base: { ref: 'main' } },
    repository: { full_name: 'octo-org/shop-api', name: 'shop-api', owner: { login: 'octo-org' } }
  }
}

/** A fork's pull-request run completed; its pull_requests list is empty, as GitHub sends it for forks. */
export function workflowRunEvent() {
  return {
    action: 'completed',
    workflow_run: { id: 4242, name: 'image', head_sha: 'f00dfeedbeef0123456789abcdef0123456789ab', event: 'pull_request', pull_requests: [] as unknown[] },
    repository: { full_name: 'octo-org/shop-api', name: 'shop-api', owner: { login: 'octo-org' } }
  }
}

function pushEvent() {
  return {
    ref: 'refs/heads/main',
    after: 'f00dfeedbeef0123456789abcdef0123456789ab',
    repository: { full_name: 'octo-org/shop-api', name: 'shop-api', owner: { login: 'octo-org' } }
  }
}

/**
 * A build context whose Dockerfile starts from scratch with the static busybox (sh, httpd, wget),
 * followed by the given lines. `www/health` is served by httpd for HEALTHCHECKs.
 */
export function fixture(lines: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  copyFileSync('/bin/busybox', path.join(dir, 'busybox'))
  mkdirSync(path.join(dir, 'www'))
  writeFileSync(path.join(dir, 'www', 'health'), 'ok\n')
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "--install", "-s", "/bin"]', 'COPY www /www', ...lines, ''].join('\n')
  )
  return dir
}

/** Debian's static busybox for arm64 (scripts/setup-test-tools.sh puts it there). */
export const BUSYBOX_ARM64 = '/var/cache/image-gate/busybox-arm64'

/** FROM scratch with each platform's own busybox (TARGETARCH), serving /www, as a non-root user. */
export function multiArch(extra: string[]): string {
  if (!existsSync(BUSYBOX_ARM64)) throw new Error(`${BUSYBOX_ARM64} is missing: run scripts/setup-test-tools.sh`)
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  copyFileSync('/bin/busybox', path.join(dir, 'busybox-amd64'))
  copyFileSync(BUSYBOX_ARM64, path.join(dir, 'busybox-arm64'))
  mkdirSync(path.join(dir, 'www'))
  writeFileSync(path.join(dir, 'www', 'health'), 'ok\n')
  writeFileSync(
    path.join(dir, 'Dockerfile'),
    [
      'FROM scratch',
      'ARG TARGETARCH',
      'COPY busybox-${TARGETARCH} /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'COPY www /www',
      ...extra,
      "RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd",
      'USER 10001',
      'HEALTHCHECK --interval=30s --timeout=5s CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1',
      `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]`,
      ''
    ].join('\n')
  )
  return dir
}

/**
 * Serves /www on port 8080, after `delay` seconds, and stops gracefully: busybox httpd as PID 1
 * ignores SIGTERM (the kernel gives PID 1 no default action), so a shell that exits on TERM is
 * PID 1. The stop tests use a bare httpd for the other case.
 */
export function httpd(delay = 0): string {
  return `CMD ["sh", "-c", "trap 'exit 0' TERM; ${delay ? `sleep ${delay}; ` : ''}httpd -f -p 8080 -h /www & wait"]`
}

/** Lines for a fixture that serves /www on port 8080 and checks it every 30 s, as many images do. */
export const SERVE = ['HEALTHCHECK --interval=30s --timeout=5s CMD wget -q -O /dev/null http://127.0.0.1:8080/health || exit 1', httpd()]

/** Whether a docker command succeeds (the engine answers, buildx is there). */
export function dockerSucceeds(args: string[]): boolean {
  try {
    execFileSync('docker', args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

export function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim()
}

/** Containers image-gate left behind: must always be none. */
export function leftovers(): string {
  return docker(['ps', '--all', '--quiet', '--filter', 'label=io.github.image-gate'])
}

/**
 * The containers left, removed: for afterEach, so a test that leaves one fails on its own and the
 * next starts on a clean engine (a leftover would otherwise fail every test after it). A container
 * whose removal is still in progress (an interrupted run's `docker rm --force`, still listed a
 * moment after it returned) is given three seconds to go; one that stays is a leftover.
 */
export async function takeLeftovers(): Promise<string> {
  let left = leftovers()
  for (let i = 0; left && i < 12; i++) {
    await new Promise(resolve => setTimeout(resolve, 250))
    left = leftovers()
  }
  if (left) {
    try {
      execFileSync('docker', ['rm', '--force', '--volumes', ...left.split('\n')], { stdio: 'ignore' })
    } catch {
      // its removal was already under way
    }
  }
  return left
}

export function removeImages(prefix: string): void {
  const ids = docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n').filter(ref => ref.startsWith(prefix))
  if (ids.length) execFileSync('docker', ['rmi', '--force', ...ids], { stdio: 'ignore' })
}

/** The offline base-image stand-ins (scripts/<name>-standin.sh) and the tag each imports. */
export const STANDINS = {
  node: 'node:18-alpine',
  python: 'python:3.11-slim',
  golang: 'golang:1.19',
  debian: 'debian:bookworm-slim',
  ruby: 'ruby:3.1',
  'php-fpm': 'php:8.2-fpm',
  'php-apache': 'php:8.2-apache',
  nginx: 'nginx:1.22',
  'temurin-jre': 'eclipse-temurin:17-jre',
  'temurin-jdk': 'eclipse-temurin:17-jdk',
  rust: 'rust:1.63'
} as const
export type Standin = keyof typeof STANDINS

/**
 * Makes an offline base-image stand-in on this engine if it is not there yet (its tag: STANDINS[name]).
 * The Debian-built ones (all but node, python, golang) are imported from a cached rootfs in seconds
 * (up to 25 s for rust's 700 MB); the first build on a machine takes up to a minute each
 * (scripts/test.sh builds them all before the tests): call it in a beforeAll with a timeout.
 */
export function standin(name: Standin): void {
  execFileSync('bash', [path.join(ROOT, 'scripts', `${name}-standin.sh`)], { stdio: 'inherit' })
}

/**
 * Debian's pure-Python packages in `dir`/vendor as `pip install --target vendor` lays them out
 * (console scripts in vendor/bin): what a context COPYs where `pip install gunicorn` cannot run.
 */
export function vendorPython(dir: string, packages: string[]): void {
  execFileSync('bash', [path.join(ROOT, 'scripts', 'python-vendor.sh'), path.join(dir, 'vendor'), ...packages], { stdio: 'inherit' })
}

/** The host's init programs a context COPYs for its ENTRYPOINT: tini (static), dumb-init, docker-init (docker run --init's tini). */
export const INITS = { tini: '/usr/bin/tini-static', 'dumb-init': '/usr/bin/dumb-init', 'docker-init': '/usr/bin/docker-init' } as const

/** Copies the host's `init` into the context as `dir`/`init`'s name (COPY tini /tini). */
export function copyInit(dir: string, init: keyof typeof INITS): void {
  copyFileSync(INITS[init], path.join(dir, init))
}

export const EXAMPLES = path.join(ROOT, 'examples')

/** The summary table row of one check, e.g. "| ✅ | health | healthy after 1.1 s | ... |". */
export function row(summary: string, check: string): string {
  return summary.split('\n').find(line => line.startsWith('| ') && line.split('|')[2]?.trim() === check) ?? ''
}

/**
 * The workflow commands the runner would act on in this stdout: lines starting with "::", except
 * those between `::stop-commands::TOKEN` and `::TOKEN::`, which the runner ignores.
 */
export function activeCommands(stdout: string): string[] {
  const active: string[] = []
  let stoppedBy: string | undefined
  for (const line of stdout.split('\n')) {
    if (stoppedBy) {
      if (line === `::${stoppedBy}::`) stoppedBy = undefined
      continue
    }
    const stop = /^::stop-commands::(.+)$/.exec(line)
    if (stop) stoppedBy = stop[1]
    else if (line.startsWith('::')) active.push(line)
  }
  return active
}
