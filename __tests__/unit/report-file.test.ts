import { afterAll, describe, expect, it } from '@jest/globals'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { judge } from '../../src/checks/index.js'
import { InputError } from '../../src/inputs/inputs.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { loadReport } from '../../src/report/load.js'
import { newReport, type Report } from '../../src/report/report.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

const dir = mkdtempSync(path.join(tmpdir(), 'report-file-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const write = (data: unknown) => {
  const file = path.join(dir, `${Math.random()}.json`)
  writeFileSync(file, typeof data === 'string' ? data : JSON.stringify(data))
  return file
}
/**
 * A saved report the test mangles at will: any field set to any kind of value, which the loader must
 * refuse. No narrower type lets a test write a string where the schema has an array, so: any.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Mangled = any

/** A saved report, as JSON would give it back: plain data the test may mangle. */
const saved = (report: Report): Mangled => JSON.parse(JSON.stringify(report))

/** A run that used every check: startup, probe-time, size-increase, contents findings and two smoke commands besides the four. */
function everyRow(): Report {
  const run = measuredRun()
  run.image.compressedSize = 50_000_000
  run.image.largestLayers = [
    { instruction: 'RUN npm ci', size: 60_000_000, before: 40_000_000 },
    { instruction: 'COPY . .', size: 1_000_000, before: 0 }
  ]
  run.baseline = { ref: 'shop-api:main', size: 100_000_000, compressedSize: 45_000_000, growth: { instruction: 'RUN npm ci', bytes: 20_000_000 } }
  run.smoke = [
    { command: 'node worker.js', outcome: 'exited', exitCode: 3, seconds: 1.2, logTail: ['worker: cannot reach queue', 'exiting'] },
    { command: 'node scheduler.js', outcome: 'running', seconds: 5 }
  ]
  run.health.probeTimes = { passing: 2, medianMs: 18, slowestMs: 25 }
  run.contents = {
    layers: 5,
    files: 2_345,
    findings: [
      { kind: 'secret', what: 'environment file', path: '/app/.env', size: 64, instruction: 'COPY . .', deletedBy: 'RUN rm /app/.env' },
      { kind: 'dev-dependency', what: 'devDependency of /app/package.json', path: '/app/node_modules/typescript', size: 23_000_000, instruction: 'RUN npm ci' }
    ],
    count: 2,
    allowed: 1
  }
  // (judge returns the rows and the verdict; assigning them works whether or not it also sets them)
  Object.assign(
    run,
    judge(
      run,
      inputs({
        maxStartupTime: 5,
        maxProbeTime: 20,
        maxSize: { text: '200MB', bytes: 200_000_000 },
        compareTo: 'shop-api:main',
        maxSizeIncrease: { text: '10%', limit: { percent: 10 } },
        smokeCommands: [['node', 'worker.js'], ['node', 'scheduler.js']]
      })
    )
  )
  return { ...reportOf(run), pullRequest: 7, commentKey: 'image/gate/app' }
}

/** everyRow with every optional field of the report filled in as well. */
function everyField(): Report {
  const report = everyRow()
  const [run] = report.runs
  run.build = { ok: true, seconds: 3.2, failedStep: '[build 4/6] RUN npm run build', error: 'exit code: 1', logTail: ['#8 DONE 0.1s'] }
  Object.assign(run.image, { labels: { 'org.opencontainers.image.title': 'shop-api' }, compressedBy: 'gzip', store: 'containerd' })
  run.baseline!.error = 'not found'
  run.firstStage = { stage: 'build', size: 400_000_000, error: 'no stage named build' }
  run.contents!.notScanned = 'not scanned: the containerd image store keeps the layers compressed'
  Object.assign(run.health, {
    verdictSeconds: 1.5,
    ranSeconds: 2,
    exitCode: 0,
    oomKilled: false,
    probes: [{ exitCode: 0, output: 'ok' }],
    logTail: ['listening on :3001'],
    intervalSeconds: 1,
    rule: 'cannot-run',
    limitSeconds: 90,
    cannotRun: { program: 'curl', why: 'missing' },
    notReadyAtSeconds: 0.4
  })
  Object.assign(run.image, { healthcheckInterval: 30, healthcheckStartPeriod: 5 })
  run.user = {
    uid: 1001,
    gid: 1001,
    process: 'node',
    pid: 4242,
    processes: [{ pid: 4242, uid: 1001, gid: 1001, command: 'node server.js' }],
    resolvedUid: 1001,
    resolvedGid: 1001,
    unresolved: 'group staff not in /etc/group',
    unknownReason: 'the container had exited'
  }
  report.comment = { url: 'https://github.example/octo-org/shop-api/pull/7#issuecomment-1', action: 'updated' }
  report.error = { kind: 'timeout', message: 'timed out after 1800 s (the timeout input) while measuring the image size' }
  report.passed = false
  return report
}

describe('loadReport', () => {
  it('gives back every row of a saved report: startup, probe-time, size-increase and smoke too, with the smoke logs', () => {
    const report = everyRow()
    expect(report.runs[0].checks.map(c => c.name)).toEqual(['build', 'health', 'startup', 'probe-time', 'size', 'size-increase', 'user', 'contents', 'stop', 'smoke', 'smoke'])
    const loaded = loadReport(write(report))
    expect(renderMarkdown(loaded)).toBe(renderMarkdown(report))
    expect(loaded).toStrictEqual(report)
    expect(renderMarkdown(loaded)).toContain('## ❌ image-gate: 4 of 11 checks failed')
    expect(renderMarkdown(loaded)).toContain('| secret | /app/.env | environment file | 64 B | COPY . . (deleted later by RUN rm /app/.env: still ships) |')
    expect(renderMarkdown(loaded)).toContain('<details><summary>Smoke log: node worker.js (last 2 lines)</summary>')
    expect(renderMarkdown(loaded)).toContain('| 60.0 MB | +20.0 MB (+50.0%) | RUN npm ci |')
  })

  it('gives back every field of a saved report', () => {
    const report = everyField()
    const loaded = loadReport(write(report))
    expect(renderMarkdown(loaded)).toBe(renderMarkdown(report))
    expect(loaded).toStrictEqual(report)
  })

  it('keeps the kind of a run error: a timed-out run still reads as timed out', () => {
    for (const kind of ['input', 'engine', 'timeout', 'internal'] as const) {
      const report = { ...reportOf(measuredRun()), error: { kind, message: 'stopped' } }
      expect(loadReport(write(report)).error).toEqual({ kind, message: 'stopped' })
    }
    const timedOut = newReport('app')
    timedOut.error = { kind: 'timeout', message: 'timed out after 60 s' }
    expect(renderMarkdown(loadReport(write(timedOut)))).toContain('## ❌ image-gate: timed out')
  })

  it('drops fields it does not know, at any depth', () => {
    const report = everyRow()
    const file = saved(report)
    file.extra = 'dropped'
    file.runs[0].checks[0].html = '<script>'
    file.runs[0].smoke[0].env = { TOKEN: 'x' }
    // JSON.parse makes "__proto__" an own field; it must not become the prototype of anything
    const loaded = loadReport(write(JSON.stringify(file).replace('"image":{', '"image":{"__proto__":{"polluted":true},')))
    expect(loaded).toStrictEqual(report)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
  })

  it('cuts what a comment could not show: long text, long logs, many probes, layers and labels', () => {
    const file = saved(reportOf(measuredRun()))
    file.tag = 't'.repeat(20_000)
    file.runs[0].checks = [{ name: 'build', status: 'pass', value: 'v', limit: '', detail: 'd'.repeat(12_000) }]
    file.runs[0].baseline = { ref: 'r'.repeat(2_000), growth: { instruction: 'RUN ' + 'x'.repeat(2_000), bytes: 1 } }
    file.runs[0].image.largestLayers = Array.from({ length: 7 }, (_, i) => ({ instruction: `RUN step ${i} ${'x'.repeat(2_000)}`, size: 7 - i }))
    file.runs[0].image.labels = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`label.${i}.${'k'.repeat(300)}`, 'v'.repeat(2_000)]))
    file.runs[0].health.logTail = Array.from({ length: 300 }, (_, i) => `line ${i}`)
    file.runs[0].health.verdict = 'unhealthy'
    file.runs[0].health.probes = Array.from({ length: 7 }, (_, i) => ({ exitCode: 1, output: `refused ${i}` }))
    const loaded = loadReport(write(file))
    expect(loaded.tag).toHaveLength(10_000)
    expect(loaded.runs[0].checks[0].detail).toHaveLength(10_000)
    expect(loaded.runs[0].baseline!.ref).toHaveLength(1_000)
    expect(loaded.runs[0].baseline!.growth!.instruction).toHaveLength(1_000)
    expect(loaded.runs[0].image.largestLayers!.map(l => [l.size, l.instruction.length])).toEqual([7, 6, 5, 4, 3].map(size => [size, 1_000]))
    const labels = Object.entries(loaded.runs[0].image.labels!)
    expect(labels).toHaveLength(100)
    expect(labels[0][0]).toBe(`label.0.${'k'.repeat(192)}`)
    expect(labels.every(([k, v]) => k.length === 200 && v.length === 1_000)).toBe(true)
    expect(loaded.runs[0].health.logTail).toHaveLength(200)
    expect(loaded.runs[0].health.logTail![0]).toBe('line 100')
    expect(loaded.runs[0].health.probes!.map(p => p.output)).toEqual(['refused 2', 'refused 3', 'refused 4', 'refused 5', 'refused 6'])
    expect(renderMarkdown(loaded)).toContain('Last 5 health probes')
  })

  it('does not believe a pass its own rows contradict', () => {
    const file = saved(everyRow())
    file.passed = true
    expect(loadReport(write(file)).passed).toBe(false)
    const passing = saved(reportOf(measuredRun()))
    passing.passed = true
    passing.runs[0].passed = true
    expect(loadReport(write(passing)).passed).toBe(true)
  })

  it('reads an unmeasured number (JSON writes NaN as null) as not measured', () => {
    const file = saved(reportOf(measuredRun()))
    file.runs[0].health.startupSeconds = null
    expect(loadReport(write(file)).runs[0].health.startupSeconds).toBeUndefined()
  })

  it('refuses a report with a field of the wrong kind, saying where in one line', () => {
    const refusal = (change: (file: Mangled) => void) => {
      const file = saved(everyRow())
      change(file)
      const name = write(file)
      try {
        loadReport(name)
      } catch (err) {
        expect(err).toBeInstanceOf(InputError)
        const message = (err as Error).message
        expect(message).not.toContain('\n')
        const prefix = `Input "comment-from": ${name} is not a valid image-gate report: `
        expect(message.startsWith(prefix)).toBe(true)
        return message.slice(prefix.length)
      }
      throw new Error('loaded')
    }
    expect(refusal(f => (f.runs[0].checks[2].status = 'magic'))).toBe('runs[0].checks[2].status is "magic", expected "pass" | "fail" | "skip".')
    expect(refusal(f => (f.runs[0].checks[0].name = '__proto__'))).toBe(
      'runs[0].checks[0].name is "__proto__", expected "build" | "platform" | "health" | "startup" | "probe-time" | "memory" | "size" | "size-increase" | "user" | "contents" | "stop" | "smoke".'
    )
    expect(refusal(f => (f.runs[0].checks[1].limit = 5))).toBe('runs[0].checks[1].limit is 5, expected string.')
    expect(refusal(f => delete f.runs[0].checks[3].detail)).toBe('runs[0].checks[3].detail is missing.')
    expect(refusal(f => (f.tag = { toString: 'x' }))).toBe('tag is an object, expected string.')
    expect(refusal(f => delete f.runs[0].build)).toBe('runs[0].build is missing.')
    expect(refusal(f => (f.passed = 'true'))).toBe('passed is "true", expected boolean.')
    expect(refusal(f => (f.pullRequest = '7; rm -rf /'))).toBe('pullRequest is "7; rm -rf /", expected number.')
    for (const bad of [0, -7, 1.5, 2 ** 53]) expect(refusal(f => (f.pullRequest = bad))).toBe(`pullRequest is ${bad}, expected a pull request number.`)
    expect(refusal(f => (f.runs[0].health.verdict = 'healthy<script>'))).toBe(
      'runs[0].health.verdict is "healthy<script>", expected "healthy" | "unhealthy" | "exited" | "missing" | "skipped" | "timeout".'
    )
    expect(refusal(f => (f.runs[0].health.logTail = 'not an array'))).toBe('runs[0].health.logTail is "not an array", expected Array.')
    expect(refusal(f => (f.runs[0].health.probes = [{ exitCode: '1; id', output: 'x' }]))).toBe('runs[0].health.probes[0].exitCode is "1; id", expected number.')
    expect(refusal(f => (f.runs[0].smoke[1].exitCode = 0.5))).toBe('runs[0].smoke[1].exitCode is 0.5, expected a whole number.')
    expect(refusal(f => (f.runs[0].image.labels = { a: { nested: true } }))).toBe('runs[0].image.labels.a is an object, expected string.')
    expect(refusal(f => (f.error = { kind: 'panic', message: 'x' }))).toBe('error.kind is "panic", expected "input" | "engine" | "timeout" | "dependency" | "internal".')
    // text from the file is cut and quoted, so it cannot add a line to the error (or a workflow command)
    expect(refusal(f => (f.runs[0].image.labels = { 'a\n::error::b': 1 }))).toBe('runs[0].image.labels["a\\n::error::b"] is 1, expected string.')
    expect(refusal(f => (f.runs[0].checks[0].status = `${'x'.repeat(50)}\n::error::forged`))).toBe(`runs[0].checks[0].status is "${'x'.repeat(40)}…", expected "pass" | "fail" | "skip".`)
  })

  it('refuses a file over 1 MiB without reading it whole: a report output is at most 96 KiB', () => {
    const file = saved(reportOf(measuredRun()))
    file.runs[0].health.logTail = Array.from({ length: 200 }, () => 'x'.repeat(6_000))
    const name = write(file)
    expect(() => loadReport(name)).toThrow(
      new InputError(`Input "comment-from": ${name} is larger than 1 MiB, so it is not an image-gate report (the report output is at most 96 KiB).`)
    )
    // padding after the JSON counts as well
    const padded = write(JSON.stringify(saved(reportOf(measuredRun()))) + ' '.repeat(1024 * 1024))
    expect(() => loadReport(padded)).toThrow(/is larger than 1 MiB/)
  })

  it('refuses more rows than any run writes, and keeps the first 100 of what the image listed', () => {
    const rows = saved(everyRow())
    rows.runs[0].checks = Array.from({ length: 101 }, () => rows.runs[0].checks[0])
    expect(() => loadReport(write(rows))).toThrow(/: runs\[0\]\.checks is a list, expected at most 100 rows\.$/)
    const smoke = saved(everyRow())
    smoke.runs[0].smoke = Array.from({ length: 101 }, () => smoke.runs[0].smoke[0])
    expect(() => loadReport(write(smoke))).toThrow(/: runs\[0\]\.smoke is a list, expected at most 100 rows\.$/)
    const listed = saved(reportOf(measuredRun()))
    listed.runs[0].image.exposedPorts = Array.from({ length: 5_000 }, (_, i) => `${i}/tcp`)
    listed.runs[0].image.healthcheck = Array.from({ length: 5_000 }, () => 'CMD')
    listed.runs[0].user.processes = Array.from({ length: 5_000 }, (_, pid) => ({ pid, uid: 0, gid: 0, command: 'sleep' }))
    const loaded = loadReport(write(listed))
    expect([loaded.runs[0].image.exposedPorts!.length, loaded.runs[0].image.healthcheck!.length, loaded.runs[0].user.processes!.length]).toEqual([100, 100, 100])
    expect(loaded.runs[0].image.exposedPorts![99]).toBe('99/tcp')
  })

  it('says a file that is not a report is not one', () => {
    expect(() => loadReport(write('not json'))).toThrow(InputError)
    expect(() => loadReport(write('not json'))).toThrow(/^Input "comment-from" must name a JSON report written by image-gate/)
    expect(() => loadReport(path.join(dir, 'missing.json'))).toThrow(/^Input "comment-from" must name a JSON report written by image-gate .*: ENOENT/)
    for (const other of [{ schema: 2, checks: [] }, { schema: 3, runs: [] }, { hello: 'world' }, [], null, 'report', { schema: 1, checks: {} }, { schema: 2, runs: {} }]) {
      const file = write(JSON.stringify(other))
      expect(() => loadReport(file)).toThrow(new InputError(`Input "comment-from": ${file} is not an image-gate report (schema 2 with runs, or 1 with checks).`))
    }
  })
})

/** The report as image-gate wrote it before runs (schema 1): one platform's fields at the top. */
function asSchema1(report: Report): Mangled {
  const { runs, ...top } = saved(report)
  const { firstStage, settings, ...fields } = runs[0]
  delete fields.platform
  delete fields.passed
  return { ...top, schema: 1, ...fields, ...(firstStage && { stages: firstStage }), ...(settings && { run: settings }) }
}

describe('loadReport, schema 1 (a pull-request run of an image-gate before runs)', () => {
  it('reads one platform as a run of one, every field and row where schema 2 keeps it, rendered the same', () => {
    const report = everyField()
    const loaded = loadReport(write(asSchema1(report)))
    expect(loaded).toStrictEqual(report)
    expect(renderMarkdown(loaded)).toBe(renderMarkdown(report))
  })

  it('reads several platforms as a run each: its own rows, image, contents and log; the first keeps what schema 1 kept only for it', () => {
    const amd64 = everyRow()
    const arm64 = { ...amd64.runs[0], platform: 'linux/arm64', image: { ...amd64.runs[0].image, platform: 'linux/arm64' }, health: { verdict: 'exited' as const, logTail: ['exec format error'] } }
    const old = asSchema1(amd64)
    old.checks = [...old.checks.map((c: object) => ({ ...c, platform: 'linux/amd64' })), { name: 'health', status: 'fail', value: 'exited (code 255)', limit: '', detail: 'd', platform: 'linux/arm64' }]
    old.platforms = [
      { platform: 'linux/amd64', passed: false, image: old.image, contents: old.contents, health: { verdict: 'healthy' } },
      { platform: 'linux/arm64', passed: false, image: arm64.image, health: arm64.health }
    ]
    const loaded = loadReport(write(old))
    expect(loaded.runs.map(r => [r.platform, r.passed, r.image.platform, r.health.verdict, r.checks.length])).toEqual([
      ['linux/amd64', false, undefined, 'healthy', 11],
      ['linux/arm64', false, 'linux/arm64', 'exited', 1]
    ])
    expect(loaded.runs[0].smoke).toEqual(amd64.runs[0].smoke)
    expect(loaded.runs[1].health.logTail).toEqual(['exec format error'])
    const md = renderMarkdown(loaded)
    expect(md).toContain('| ❌ | linux/arm64 | health | exited (code 255) |')
    expect(md).toContain('<summary>Container log (linux/arm64) (last 1 line)</summary>')
  })
})
