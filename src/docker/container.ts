import { constants } from 'node:os'
import type { Secrets } from '../secrets.js'
import { round } from '../units.js'
import { dockerSays, type Docker } from './docker.js'

// One container as Docker sees it: its state (running, exit code, health and the probe log), its
// log, and its removal.

/** What Docker uses when a HEALTHCHECK sets no --retries or --interval (and for a health-cmd given at run time). */
export const DOCKER_DEFAULT_RETRIES = 3
export const DOCKER_DEFAULT_INTERVAL_S = 30

/** "SIGTERM" for "", "TERM", "15" or "SIGTERM": the stop signal Docker sends, as the report names it. */
export function signalName(stopSignal = ''): string {
  const text = stopSignal.trim().toUpperCase()
  if (text === '') return 'SIGTERM'
  if (/^\d+$/.test(text)) return Object.entries(constants.signals).find(([, n]) => n === Number(text))?.[0] ?? text
  return text.startsWith('SIG') ? text : `SIG${text}`
}

/** The exit codes of a clean stop: 0, or the shell's 128 + the signal's number. */
export function cleanExit(exitCode: number, signal: string): boolean {
  const number = (constants.signals as Record<string, number>)[signal]
  return exitCode === 0 || (number !== undefined && exitCode === 128 + number)
}

export interface ContainerState {
  Status: string
  Running: boolean
  ExitCode: number
  OOMKilled: boolean
  Pid: number
  Error?: string
  StartedAt: string
  FinishedAt: string
  Health?: {
    Status: 'starting' | 'healthy' | 'unhealthy'
    Log?: { Start: string; End: string; ExitCode: number; Output: string }[]
  }
}

export async function containerState(docker: Docker, name: string): Promise<ContainerState> {
  // masked once parsed, so no mask can break the JSON
  const state = docker.secrets.maskStrings(JSON.parse(await docker.ok(['inspect', '--format', '{{json .State}}', name], { raw: true })) as ContainerState)
  for (const probe of state.Health?.Log ?? []) probe.Output = probeOutput(probe.Output, docker.secrets)
  return state
}

/** Docker keeps this many bytes of a probe's output, and marks a longer one with "..." after them. */
const PROBE_OUTPUT_BYTES = 4_096

/** A probe's output as Docker kept it, with what its cut left of a secret masked too. */
function probeOutput(output: string, secrets: Secrets): string {
  if (!output.endsWith('...') || Buffer.byteLength(output) < PROBE_OUTPUT_BYTES) return output
  return `${secrets.maskCut(output.slice(0, -3), { end: true })}...`
}

/** The container's full ID (its cgroup on the host is named by it). */
export async function containerId(docker: Docker, name: string): Promise<string> {
  return (await docker.ok(['inspect', '--format', '{{.Id}}', name], { raw: true })).trim()
}

export async function removeContainer(docker: Docker, name: string): Promise<void> {
  await docker.call(['rm', '--force', '--volumes', name])
}

/** What the container printed, or, apart from it, what Docker said when it could not give it. */
export interface ContainerLog {
  lines: string[]
  /** Docker's message when `docker logs` failed: never a line of the log, so never read as the app's words */
  error?: string
}

/** The last lines the container printed, stdout and stderr in the order they were written. */
export async function logTail(docker: Docker, name: string, lines = 50): Promise<ContainerLog> {
  // raw: the lines are masked once they are whole again (wholeLine)
  const r = await docker.call(['logs', '--timestamps', '--tail', String(lines), name], { raw: true })
  if (r.exitCode !== 0) return { lines: [], error: docker.secrets.mask(dockerSays(r.stderr || r.stdout)) }
  // a stream over the kept bytes (command.ts) starts inside a line, with no timestamp: that piece goes
  const streamLines = (text: string, cut = false) => text.split('\n').slice(cut ? 1 : 0)
  const stamped = [...streamLines(r.stdout, r.cutAtStart?.stdout), ...streamLines(r.stderr, r.cutAtStart?.stderr)].filter(l => l !== '')
  // Each line starts with an RFC 3339 timestamp of fixed width per engine, so text order is time order.
  stamped.sort((a, b) => (a.slice(0, 35) < b.slice(0, 35) ? -1 : a.slice(0, 35) > b.slice(0, 35) ? 1 : 0))
  return { lines: stamped.slice(-lines).map(l => docker.secrets.mask(wholeLine(l.replace(/^\S+ /, '')))) }
}

/** Docker logs a line longer than this as several messages, each of these bytes but the last. */
const PARTIAL_BYTES = 16 * 1024
/** `docker logs --timestamps`' stamp before each message: RFC 3339 with nanoseconds, fixed width. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}(?:Z|[+-]\d\d:\d\d) /

/**
 * A long line as the app wrote it: `docker logs --timestamps` stamps each 16 KiB message of it, so
 * the stamps inside it go (a secret across one would otherwise be in two pieces, masked by neither).
 */
function wholeLine(line: string): string {
  let bytes = Buffer.from(line, 'utf8')
  for (let at = PARTIAL_BYTES; at < bytes.length; at += PARTIAL_BYTES) {
    const stamp = STAMP.exec(bytes.subarray(at, at + 40).toString('latin1'))
    if (!stamp) break
    bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + stamp[0].length)])
  }
  return bytes.toString('utf8')
}

/** The report's fields for a log: `logTail` (the container's lines, when any) and `logError` (Docker's complaint). */
export function logFields(log: ContainerLog): { logTail?: string[]; logError?: string } {
  return { ...(log.lines.length > 0 && { logTail: log.lines }), ...(log.error !== undefined && { logError: log.error }) }
}

/** How long a stopped container ran, from Docker's own timestamps. */
export function ranSeconds(state: ContainerState): number {
  return round(Math.max(0, Date.parse(state.FinishedAt) - Date.parse(state.StartedAt)) / 1000)
}

/** Container start → `now`, or undefined before Docker has stamped the start. */
export function sinceStart(state: ContainerState, now: number): number | undefined {
  const started = Date.parse(state.StartedAt)
  return Number.isFinite(started) && started > 0 ? round(Math.max(0, now - started) / 1000) : undefined
}
