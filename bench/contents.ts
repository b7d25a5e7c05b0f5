// What does the contents check cost a run? It reads the layers in the same `docker save` pass as
// the compressed size, so it should add little: on examples/focus-flow-backend (built once first,
// so every timed run hits the build cache), whole runs of the action with the scan and without it
// (IMAGE_GATE_BENCH_NO_SCAN=1, a switch only this bench uses), alternated, median of REPS. Target:
// the scan adds < 10% to the run. Also, to show where the time goes, the save pass alone in this
// process (docker save → readSaveStream): reading only, scanning only, compressing, both.
// Run with `bash bench/run.sh contents`. It runs dist/index.js as the e2e tests do (real Docker).
import { execFileSync, spawn } from 'node:child_process'
import * as path from 'node:path'
import { EXAMPLES, removeImages, runAction } from '../__tests__/e2e/action.js'
import { readSaveStream, type ReadOptions } from '../src/saved/saved-image.js'

const TAG = 'image-gate-bench/contents'
const REPS = Number(process.env.BENCH_REPS ?? 5)

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const seconds = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e9

/** One save pass in this process, timed. */
async function pass(image: string, options: ReadOptions): Promise<{ seconds: number; files?: number }> {
  const started = process.hrtime.bigint()
  const child = spawn('docker', ['save', image], { stdio: ['ignore', 'pipe', 'inherit'] })
  const measured = await readSaveStream(child.stdout, options)
  const files = measured.scanned?.layers.reduce((sum, l) => sum + (l?.files ?? 0), 0)
  return { seconds: seconds(started), files }
}

async function main(): Promise<void> {
  const app = path.join(EXAMPLES, 'focus-flow-backend')
  const image = `${TAG}:focus-flow`
  execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', image, app], { stdio: 'ignore' })

  const runs: Record<'scan' | 'none', number[]> = { scan: [], none: [] }
  let found = ''
  for (let i = 0; i < REPS; i++) {
    for (const mode of ['scan', 'none'] as const) {
      const env: Record<string, string> = mode === 'none' ? { IMAGE_GATE_BENCH_NO_SCAN: '1' } : {}
      const run = await runAction({ context: app, tags: image }, { env })
      if (run.outputs.health !== 'healthy') throw new Error(`expected healthy: ${run.stderr}`)
      if (mode === 'scan') found = `${run.report.runs[0].contents?.files} files, ${run.outputs['contents-findings']} findings`
      if (mode === 'none' && run.report.runs[0].contents) throw new Error('the scan ran although the bench switch was set')
      runs[mode].push(run.seconds)
    }
  }
  const added = median(runs.scan) - median(runs.none)
  const share = added / median(runs.none)

  const alone: Record<string, number[]> = { read: [], scan: [], compress: [], both: [] }
  let files = 0
  for (let i = 0; i < REPS; i++) {
    alone.read.push((await pass(image, { compress: false })).seconds)
    const scanned = await pass(image, { compress: false, scan: { forbid: () => false } })
    alone.scan.push(scanned.seconds)
    files = scanned.files ?? 0
    alone.compress.push((await pass(image, {})).seconds)
    alone.both.push((await pass(image, { scan: { forbid: () => false } })).seconds)
  }
  removeImages(TAG)

  console.log(`\nimage-gate contents bench (focus-flow-backend, median of ${REPS}; ${found})\n`)
  console.log('| what | measured | target | met |')
  console.log('|---|---|---|---|')
  console.log(
    `| whole run with the scan vs without | ${median(runs.scan).toFixed(2)} s vs ${median(runs.none).toFixed(2)} s: ${added >= 0 ? '+' : ''}${added.toFixed(2)} s (${(share * 100).toFixed(1)}%) | < 10% | ${share < 0.1 ? 'yes' : 'NO'} |`
  )
  const m = (k: string) => `${median(alone[k]).toFixed(2)} s`
  console.log(`| the save pass alone (${files} files): read ${m('read')}, scan ${m('scan')}, compress ${m('compress')}, compress + scan ${m('both')} | | | |`)
  if (share >= 0.1) process.exitCode = 1
}

await main()
