import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { promisify } from 'node:util'
import type { Present } from './action.js'
import type { PlatformRun } from '../../src/report/report.js'
import type { Runtime } from './runtimes.js'

// The differential oracle of the runtime matrix: what Docker itself does with a second container of
// the image image-gate judged, with the image's HEALTHCHECK untouched, and where the two differ.
//   health: Docker's own final health status (healthy, unhealthy), or the container exited;
//   user:   the UIDs in /proc/<pid>/status of PID 1 and of every process PID 1 started (host PIDs
//           from docker top: the test runs on the engine's host), read as image-gate counts them:
//           root when the real or the effective UID is 0, else the effective one;
//   stop:   `docker stop -t N`, timed, and the exit code Docker records (killed: 137 after N s).

const run = promisify(execFile)
const docker = async (args: string[]) => (await run('docker', args, { encoding: 'utf8' })).stdout.trim()

export interface Seen {
  health: 'healthy' | 'unhealthy' | 'exited' | 'timeout'
  /** PID 1's UID and the distinct UIDs of its process tree, read when Docker gave its verdict */
  uid?: number
  uids?: number[]
  stop?: { outcome: 'exited' | 'killed'; exitCode: number; seconds: number }
}

interface State {
  Running: boolean
  Pid: number
  ExitCode: number
  Health?: { Status: string }
}

/** Runs `image` as Docker would, waits for Docker's health verdict (at most `limitSeconds`), reads the UIDs, stops it. */
export async function dockerSees(image: string, stopTimeout: number, limitSeconds = 90): Promise<Seen> {
  const id = await docker(['run', '--detach', image])
  try {
    const state = await verdict(id, limitSeconds)
    const health = !state.Running ? 'exited' : state.Health?.Status === 'healthy' || state.Health?.Status === 'unhealthy' ? state.Health.Status : 'timeout'
    if (!state.Running) return { health }
    const { uid, uids } = await processUids(id, state.Pid)
    const started = process.hrtime.bigint()
    await docker(['stop', '--time', String(stopTimeout), id])
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const exitCode = Number(await docker(['inspect', '--format', '{{.State.ExitCode}}', id]))
    const killed = exitCode === 137 && seconds >= stopTimeout - 0.1
    return { health, uid, uids, stop: { outcome: killed ? 'killed' : 'exited', exitCode, seconds } }
  } finally {
    await docker(['rm', '--force', id])
  }
}

/** Polls Docker's state until its health status is final or the container is gone. */
async function verdict(id: string, limitSeconds: number): Promise<State> {
  const deadline = Date.now() + limitSeconds * 1000
  for (;;) {
    const state = JSON.parse(await docker(['inspect', '--format', '{{json .State}}', id])) as State
    const status = state.Health?.Status
    if (!state.Running || status === 'healthy' || status === 'unhealthy' || Date.now() > deadline) return state
    await new Promise(resolve => setTimeout(resolve, 100))
  }
}

/** /proc/<pid>/status of each process docker top lists, keeping PID 1's tree (not the probes docker exec starts). */
async function processUids(id: string, pid1: number): Promise<{ uid: number; uids: number[] }> {
  const pids = (await docker(['top', id, '-eo', 'pid'])).split('\n').slice(1).map(Number)
  const procs = new Map<number, { ppid: number; uid: number }>()
  for (const pid of pids) {
    let status: string
    try {
      status = readFileSync(`/proc/${pid}/status`, 'utf8')
    } catch {
      continue // a probe that ended since
    }
    const [real, effective] = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1).map(Number)
    procs.set(pid, { ppid: Number(/^PPid:\s+(\d+)/m.exec(status)![1]), uid: real === 0 || effective === 0 ? 0 : effective })
  }
  const inTree = (pid: number): boolean => pid === pid1 || (procs.has(pid) && pid !== procs.get(pid)!.ppid && inTree(procs.get(pid)!.ppid))
  const uids = [...new Set([...procs].filter(([pid]) => inTree(pid)).map(([, p]) => p.uid))].sort((a, b) => a - b)
  return { uid: procs.get(pid1)!.uid, uids }
}

const stopText = (s: { outcome: string; exitCode?: number; seconds?: number }) =>
  s.outcome === 'killed' ? 'killed' : `${s.outcome} ${s.exitCode ?? '?'}${s.seconds === undefined ? '' : ` after ${s.seconds.toFixed(2)} s`}`

/**
 * Where image-gate's report and Docker differ, one line each naming the row and both values. Stop
 * agrees on the same outcome and exit code within 0.5 s, or when both were killed.
 */
export function disagreements(entry: Runtime, gated: Present<PlatformRun>, seen: Seen, stopTimeout: number): string[] {
  const out: string[] = []
  const say = (what: string, gate: unknown, dockers: unknown) => out.push(`${entry.name}: ${what}: image-gate says ${gate}, Docker ${dockers}`)
  if (gated.health.verdict !== seen.health) say('health', gated.health.verdict, `says ${seen.health}`)
  const { user, stop } = gated
  if (seen.uid !== undefined && user.uid !== undefined && user.uid !== seen.uid) say('UID of PID 1', user.uid, `(/proc) says ${seen.uid}`)
  if (seen.uids && user.processes) {
    const gate = [...new Set(user.processes.map(p => p.uid))].sort((a, b) => a - b)
    if (gate.join() !== seen.uids.join()) say("the processes' UIDs", `[${gate}]`, `(/proc) says [${seen.uids}]`)
  }
  if (seen.stop && stop && (stop.outcome === 'exited' || stop.outcome === 'killed')) {
    const both = stop.outcome === 'killed' && seen.stop.outcome === 'killed'
    const same = stop.outcome === seen.stop.outcome && stop.exitCode === seen.stop.exitCode && Math.abs(stop.seconds - seen.stop.seconds) <= 0.5
    if (!both && !same) say('stop', stopText(stop), `(docker stop -t ${stopTimeout}) says ${stopText(seen.stop)}`)
  }
  return out
}

/**
 * Where image-gate or Docker is not what the entry expects, and image-gate's rows whose status is
 * not the entry's: a matrix that agrees on a wrong verdict still fails.
 */
export function unexpected(entry: Runtime, gated: Present<PlatformRun>, seen: Seen): string[] {
  const out: string[] = []
  const { expect } = entry
  const check = (what: string, want: unknown, gate: unknown, dockers: unknown) => {
    if (gate !== want) out.push(`${entry.name}: ${what}: expected ${want}, image-gate says ${gate}`)
    if (dockers !== want) out.push(`${entry.name}: ${what}: expected ${want}, Docker says ${dockers}`)
  }
  check('health', expect.health, gated.health.verdict, seen.health)
  if (expect.uid !== undefined) check('UID of PID 1', expect.uid, gated.user.uid, seen.uid)
  if (expect.uids) check("the processes' UIDs", `[${expect.uids}]`, `[${[...new Set(gated.user.processes?.map(p => p.uid))].sort((a, b) => a - b)}]`, `[${seen.uids}]`)
  if (expect.stop) {
    const outcome = (s?: { outcome: string; exitCode?: number }) => (!s ? 'not stopped' : s.outcome === 'killed' ? 'killed' : `${s.outcome} ${s.exitCode}`)
    check('stop', expect.stop, outcome(gated.stop), outcome(seen.stop))
  }
  for (const [name, status] of Object.entries(expect.checks)) {
    const row = gated.checks.find(c => c.name === name)
    if (row?.status !== status) out.push(`${entry.name}: the ${name} row: expected ${status}, image-gate says ${row ? `${row.status} (${row.value})` : 'no such row'}`)
  }
  return out
}
