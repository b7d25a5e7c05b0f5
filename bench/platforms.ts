// What does gating several platforms cost? On a FROM scratch fixture with each platform's own
// static busybox (the e2e fixture) and a RUN step that does some work (as a real build's compile
// or install step does, and much slower under QEMU), built without the cache: whole runs of the
// action for linux/amd64 alone (native), linux/arm64 alone (emulated under QEMU), and both in one
// run, alternated, median of REPS. Reported: each platform's time, emulated against native, and
// the two-platform run against the sum of its platforms run one after another. Target: the
// two-platform run takes less than its platforms one after another (≤ 0.9× the sum), since their
// builds run at once (stages/platforms.ts); the containers still run one after another.
// Run with `bash bench/run.sh platforms`. It runs dist/index.js as the e2e tests do (real Docker).
import { multiArch, removeImages, runAction } from '../__tests__/e2e/action.js'

const TAG = 'image-gate-bench/platforms'
const REPS = Number(process.env.BENCH_REPS ?? 3)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function main(): Promise<void> {
  // a loop of shell arithmetic: CPU work, about a second natively
  const context = multiArch(['RUN i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'])
  const modes = { native: 'linux/amd64', emulated: 'linux/arm64', both: 'linux/amd64,linux/arm64' } as const
  const times: Record<keyof typeof modes, number[]> = { native: [], emulated: [], both: [] }
  // a first round is not counted (the engine's first start of QEMU, the fixture's files in the page cache)
  for (let i = 0; i <= REPS; i++) {
    for (const [mode, platforms] of Object.entries(modes) as [keyof typeof modes, string][]) {
      const run = await runAction({ context, tags: `${TAG}:${mode}`, platforms, 'no-cache': 'true' })
      if (run.outputs.passed !== 'true') throw new Error(`expected ${platforms} to pass: ${run.stderr}`)
      if (i > 0) times[mode].push(run.seconds)
    }
  }
  removeImages(TAG)
  const [native, emulated, both] = [median(times.native), median(times.emulated), median(times.both)]
  const sum = native + emulated
  console.log(`\nimage-gate platforms bench (FROM scratch busybox httpd, median of ${REPS})\n`)
  console.log('| what | measured | target | met |')
  console.log('|---|---|---|---|')
  console.log(`| linux/amd64 alone (native) | ${native.toFixed(2)} s | | |`)
  console.log(`| linux/arm64 alone (emulated) | ${emulated.toFixed(2)} s: ${(emulated / native).toFixed(2)}× native | | |`)
  const ratio = both / sum
  console.log(`| both in one run vs one after another | ${both.toFixed(2)} s vs ${sum.toFixed(2)} s: ${ratio.toFixed(2)}× | ≤ 0.9× | ${ratio <= 0.9 ? 'yes' : 'NO'} |`)
  if (ratio > 0.9) process.exitCode = 1
}

await main()
