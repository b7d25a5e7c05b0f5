// The whole gate against what a careful hand-written check costs (issue 33). On
// examples/focus-flow-backend (a 120 MB image, built once first so every timed build is cached),
// paired runs, the order alternating within each pair, medians of REPS:
//   gate — `node dist/cli/index.js --tags TAG --stop-timeout 30 CONTEXT` (and again with
//          --compressed-size false), every check image-gate makes;
//   hand — the shell script below, proving five of those rows in turn: the cached build,
//          `docker run --health-interval 0.2s`, waiting for Docker's healthy, `docker image inspect`
//          size, `docker top` UID, a timed `docker stop`, the removal.
// Wall seconds and CPU seconds (user + system of the process and every child it waited for, as
// /usr/bin/time counts them: Node, its worker threads, the docker CLIs; not the engine's own),
// the ratio, and where the gate's time goes: each stage of its IMAGE_GATE_TRACE timeline (src/trace.ts),
// the docker save pass, and the tail after the container was removed. The figures each gate run
// reported (size, compressed size, contents) must be the same in every run.
// Target (issue 33): the gate at most 1.5× the hand script on the containerd store, 2× on the classic.
// Run with `bash bench/run.sh gate`. The machine should be quiet: the load is printed with the figures.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { EXAMPLES, removeImages, standin } from '../__tests__/e2e/action.js'
import type { TraceEvent } from '../src/trace.js'

const TAG = 'image-gate-bench/gate:1'
const REPS = Number(process.env.BENCH_REPS ?? 5)
const CONTEXT = path.join(EXAMPLES, 'focus-flow-backend')
const CLI = path.join(EXAMPLES, '..', 'dist', 'cli', 'index.js')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

// The hand script: what someone careful writes to prove build, health, size, user and stop.
const HAND = `set -eu
docker buildx build --load --quiet --tag "$1" "$2" >/dev/null
id=$(docker run --detach --health-interval 0.2s "$1")
until [ "$(docker inspect --format '{{.State.Health.Status}}' "$id")" = healthy ]; do sleep 0.05; done
echo "size $(docker image inspect --format '{{.Size}}' "$1")"
echo "uid $(docker top "$id" -eo pid,uid | awk 'NR == 2 { print $2 }')"
start=$(date +%s%N)
docker stop --time 30 "$id" >/dev/null
echo "stop $(( ($(date +%s%N) - start) / 1000000 )) ms"
docker rm "$id" >/dev/null
`

interface Timed {
  wall: number
  cpu: number
  stdout: string
}

/** Runs a command under /usr/bin/time: wall seconds, CPU seconds of it and its children, its stdout. */
function timed(command: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const result = spawnSync('/usr/bin/time', ['-f', 'TIMED %e %U %S', ...command], { env, encoding: 'utf8', maxBuffer: 64 << 20 })
  const line = /TIMED ([\d.]+) ([\d.]+) ([\d.]+)/.exec(result.stderr)
  if (!line) throw new Error(`${command.join(' ')} did not run: ${result.stderr.slice(-2000)}`)
  return { wall: Number(line[1]), cpu: Number(line[2]) + Number(line[3]), stdout: result.stdout }
}

interface GateRun extends Timed {
  /** the report's figures: the size, contents and stop rows' verdict columns */
  figures: string
  /** seconds each part took, from the run's timeline */
  parts: Map<string, number>
}

function gate(extra: string[]): GateRun {
  const trace = path.join(mkdtempSync(path.join(tmpdir(), 'image-gate-bench-')), 'trace.json')
  const run = timed([process.execPath, CLI, '--tags', TAG, '--stop-timeout', '30', ...extra, CONTEXT], { ...process.env, IMAGE_GATE_TRACE: trace })
  // the rows whose figures must not change between runs (the size one, to the byte)
  const figures = run.stdout
    .split('\n')
    .filter(l => /^\s+\S+ (size|contents|user) /.test(l))
    .map(l => l.trim().replace(/\s{2,}/g, ' | ').slice(0, 160))
    .join('\n')
  const { exitAt, events } = JSON.parse(readFileSync(trace, 'utf8')) as { exitAt: number; events: TraceEvent[] }
  return { ...run, figures, parts: breakdown(events, exitAt, run.wall) }
}

/** Where a gate run's time went: Node's start, each stage (to the next one), the save pass, the tail. */
function breakdown(events: TraceEvent[], exitAt: number, wall: number): Map<string, number> {
  const parts = new Map<string, number>()
  const stages = events.filter(e => e.kind === 'stage')
  parts.set('node start, to the first stage', (stages[0]?.start ?? 0) / 1000)
  for (const [i, stage] of stages.entries()) parts.set(`stage: ${stage.name}`, ((stages[i + 1]?.start ?? exitAt) - stage.start) / 1000)
  parts.set('exit after the last stage', Math.max(0, wall - exitAt / 1000))
  const save = events.find(e => e.kind === 'process' && e.name.startsWith('docker save'))
  if (save?.end !== undefined) parts.set('docker save (while the container runs)', (save.end - save.start) / 1000)
  const removed = events.find(e => e.name === 'container removed')
  const read = events.find(e => e.name === 'save pass read')
  if (removed && read) parts.set('save pass after the container was removed', Math.max(0, read.start - removed.start) / 1000)
  return parts
}

function hand(): Timed {
  return timed(['bash', '-c', HAND, 'hand', TAG, CONTEXT])
}

function store(): string {
  const status = execFileSync('docker', ['info', '--format', '{{json .DriverStatus}}'], { encoding: 'utf8' })
  const version = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim()
  return `Docker ${version}, ${status.includes('io.containerd.snapshotter') ? 'containerd store' : 'classic store'}`
}

const s = (x: number) => `${x.toFixed(2)} s`

async function main(): Promise<void> {
  standin('node')
  // the first build fills the cache; every timed one hits it
  execFileSync('docker', ['buildx', 'build', '--load', '--quiet', '--tag', TAG, CONTEXT], { stdio: 'ignore' })
  const engine = store()
  const containerd = engine.includes('containerd')
  const target = containerd ? 1.5 : 2
  const variants = [
    { name: 'image-gate', extra: [] as string[] },
    { name: 'image-gate, --compressed-size false', extra: ['--compressed-size', 'false'] }
  ]
  const load = loadavg()[0]
  console.log(`\nimage-gate whole-gate bench: ${engine}, ${path.basename(CONTEXT)}, median of ${REPS} pairs, load ${load.toFixed(2)} at the start\n`)
  console.log('| run | gate wall | hand wall | ratio | gate CPU | hand CPU | met |')
  console.log('|---|---|---|---|---|---|---|')
  let failed = false
  const results: { name: string; gates: GateRun[]; hands: Timed[] }[] = []
  for (const variant of variants) {
    const gates: GateRun[] = []
    const hands: Timed[] = []
    for (let r = 0; r < REPS; r++) {
      // alternate which goes first, so neither always runs on a warmer cache
      if (r % 2 === 0) {
        gates.push(gate(variant.extra))
        hands.push(hand())
      } else {
        hands.push(hand())
        gates.push(gate(variant.extra))
      }
    }
    const ratio = median(gates.map(g => g.wall)) / median(hands.map(h => h.wall))
    const same = gates.every(g => g.figures === gates[0].figures)
    const met = ratio <= target && same
    if (variant.extra.length === 0) failed ||= !met
    console.log(
      `| ${variant.name} | ${s(median(gates.map(g => g.wall)))} | ${s(median(hands.map(h => h.wall)))} | ${ratio.toFixed(2)}× (target ${target}×) | ` +
        `${s(median(gates.map(g => g.cpu)))} | ${s(median(hands.map(h => h.cpu)))} | ${met ? 'yes' : same ? 'NO' : 'NO: figures differ between runs'} |`
    )
    results.push({ name: variant.name, gates, hands })
  }
  for (const { name, gates, hands } of results) {
    console.log(`\nwhere the time goes: ${name} (medians)\n`)
    console.log('| part | seconds |')
    console.log('|---|---|')
    for (const part of gates[0].parts.keys()) console.log(`| ${part} | ${s(median(gates.map(g => g.parts.get(part) ?? 0)))} |`)
    console.log(`\nits figures (every run alike):\n${gates[0].figures}\nthe hand script's: ${hands[0].stdout.trim().replace(/\n/g, ', ')}`)
  }
  console.log(`\nload ${loadavg()[0].toFixed(2)} at the end`)
  removeImages('image-gate-bench/gate')
  if (failed) process.exitCode = 1
}

await main()
