// What does the compressed size cost a run? Side by side in one run, on examples/focus-flow-backend
// (a 120 MB image, almost all of it one base layer) built once first, so every timed run hits the
// build cache:
//   naive  — `docker save IMAGE | gzip -6 | wc -c`, the obvious way to measure it;
//   beyond — the action's whole run after the build, less the app's own startup
//            (run time − report.build.seconds − report.health.startupSeconds): what image-gate
//            adds to the time the app needs anyway. Target: at most half the naive time;
//   throughput on the largest layer, before (one GNU gzip -6, as image-gate used to) and after
//            (1 MiB chunks on worker threads, compress-pool.ts);
//   a slow starter's verdict with compressed-size true and false: the compression runs while the
//            app starts, at nice 19, and must not move it.
// Run with `bash bench/run.sh compressed`. It runs dist/index.js as the e2e tests do (real Docker).
import { execFileSync } from 'node:child_process'
import { copyFileSync, createReadStream, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { EXAMPLES, fixture, httpd, removeImages, runAction, SERVE } from '../__tests__/e2e/action.js'
import { DeflatePool, LayerCount } from '../src/saved/compress-pool.js'

const TAG = 'image-gate-bench/compressed'
const REPS = Number(process.env.BENCH_REPS ?? 3)
// the slow-start fixture of bench/health.ts
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const SLOW_START = [...NON_ROOT, SERVE[0], httpd(4)]

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9
const mbps = (bytes: number, s: number) => `${(bytes / 1e6 / s).toFixed(0)} MB/s`

/** The naive measurement, timed: docker save through one gzip -6, bytes counted. */
function naive(image: string): number {
  const started = process.hrtime.bigint()
  execFileSync('sh', ['-c', 'docker save "$1" | gzip -6 | wc -c', 'sh', image], { stdio: 'ignore' })
  return seconds(started)
}

/** The largest layer of `image`, saved and unpacked into `dir`. */
function largestLayer(image: string, dir: string): string {
  execFileSync('sh', ['-c', 'docker save "$1" | tar -x -C "$2"', 'sh', image, dir])
  const files = (readdirSync(dir, { recursive: true }) as string[]).map(f => path.join(dir, f)).filter(f => statSync(f).isFile())
  return files.sort((a, b) => statSync(b).size - statSync(a).size)[0]
}

/** Seconds to count the layer's gzip size the way image-gate does now (from the file, all threads). */
async function chunked(file: string): Promise<number> {
  const pool = new DeflatePool()
  const started = process.hrtime.bigint()
  try {
    const layer = new LayerCount(pool)
    for await (const data of createReadStream(file, { highWaterMark: 1 << 16 })) await layer.write(data as Buffer)
    await layer.end()
    return seconds(started)
  } finally {
    await pool.close()
  }
}

interface Row {
  what: string
  measured: string
  target: string
  met?: boolean
}

async function main(): Promise<void> {
  const rows: Row[] = []
  const app = path.join(EXAMPLES, 'focus-flow-backend')
  const image = `${TAG}:focus-flow`
  execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', image, app], { stdio: 'ignore' })

  // 1. the whole run beyond the app's startup, against the naive measurement
  const naives: number[] = []
  const beyond: number[] = []
  const without: number[] = []
  const startup: Record<string, number[]> = { true: [], false: [] }
  let detail = ''
  for (let i = 0; i < REPS; i++) {
    naives.push(naive(image))
    const run = await runAction({ context: app, tags: image })
    if (run.outputs.health !== 'healthy' || !run.outputs['compressed-size']) throw new Error(`expected healthy and measured: ${run.stderr}`)
    beyond.push(run.seconds - run.report.runs[0].build.seconds - run.report.runs[0].health.startupSeconds)
    detail = /compressed size .*/.exec(run.stdout)?.[0] ?? ''
    const off = await runAction({ context: app, tags: image, 'compressed-size': 'false' })
    without.push(off.seconds - off.report.runs[0].build.seconds - off.report.runs[0].health.startupSeconds)
    startup.true.push(run.report.runs[0].health.startupSeconds)
    startup.false.push(off.report.runs[0].health.startupSeconds)
  }
  const target = 0.5 * median(naives)
  rows.push({
    what:
      `run beyond the app's startup, focus-flow-backend (with compressed-size: false ${median(without).toFixed(2)} s; ` +
      `the app's startup ${median(startup.true).toFixed(2)} s, ${median(startup.false).toFixed(2)} s without)`,
    measured: `${median(beyond).toFixed(2)} s`,
    target: `≤ ${target.toFixed(2)} s (0.5 × naive ${median(naives).toFixed(2)} s)`,
    met: median(beyond) <= target
  })

  // 2. throughput on the largest layer, before and after
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-bench-'))
  try {
    const layer = largestLayer(image, dir)
    const bytes = statSync(layer).size
    const before: number[] = []
    const after: number[] = []
    for (let i = 0; i < REPS; i++) {
      const started = process.hrtime.bigint()
      execFileSync('gzip', ['-6', '-n', '-c', layer], { maxBuffer: 1 << 30 })
      before.push(seconds(started))
      after.push(await chunked(layer))
    }
    rows.push({
      what: `largest layer (${(bytes / 1e6).toFixed(1)} MB): gzip -6, one process → level 5 chunks on worker threads`,
      measured: `${mbps(bytes, median(before))} (${median(before).toFixed(2)} s) → ${mbps(bytes, median(after))} (${median(after).toFixed(2)} s)`,
      target: 'faster'
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }

  // 3. the slow starter (ready after ~4 s), with a 99 MB layer (this node binary) so there is
  //    something to compress while it starts
  const slow = fixture([...SLOW_START.slice(0, -1), 'COPY node /opt/node', ...SLOW_START.slice(-1)])
  copyFileSync(process.execPath, path.join(slow, 'node'))
  const verdicts: Record<string, number[]> = { true: [], false: [] }
  for (let i = 0; i < REPS; i++) {
    for (const measure of ['true', 'false']) {
      const run = await runAction({ context: slow, tags: `${TAG}:ready-4s`, 'compressed-size': measure })
      if (run.outputs.health !== 'healthy') throw new Error(`expected healthy, got ${run.outputs.health}`)
      verdicts[measure].push(run.report.runs[0].health.verdictSeconds)
    }
  }
  const moved = median(verdicts.true) - median(verdicts.false)
  rows.push({
    what: 'slow starter (ready after ~4 s, 101 MB image): healthy verdict, compressed-size true vs false',
    measured: `${median(verdicts.true).toFixed(2)} s vs ${median(verdicts.false).toFixed(2)} s`,
    target: 'moves < 0.3 s',
    met: Math.abs(moved) < 0.3
  })
  rmSync(slow, { recursive: true, force: true })

  removeImages(TAG)
  console.log(`\nimage-gate compressed-size bench (median of ${REPS}; ${detail})\n`)
  console.log('| what | measured | target | met |')
  console.log('|---|---|---|---|')
  for (const r of rows) console.log(`| ${r.what} | ${r.measured} | ${r.target} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} |`)
  if (rows.some(r => r.met === false)) process.exitCode = 1
}

await main()
