import { constants } from 'node:os'
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
  return JSON.parse(await docker.ok(['inspect', '--format', '{{json .State}}', name])) as ContainerState
}

/** The container's full ID (its cgroup on the host is named by it). */
export async function containerId(docker: Docker, name: string): Promise<string> {
  return (await docker.ok(['inspect', '--format', '{{.Id}}', name])).trim()
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
  const r = await docker.call(['logs', '--timestamps', '--tail', String(lines), name])
  if (r.exitCode !== 0) return { lines: [], error: dockerSays(r.stderr || r.stdout) }
  const stamped = [...r.stdout.split('\n'), ...r.stderr.split('\n')].filter(l => l !== '')
  // Each line starts with an RFC 3339 timestamp of fixed width per engine, so text order is time order.
  stamped.sort((a, b) => (a.slice(0, 35) < b.slice(0, 35) ? -1 : a.slice(0, 35) > b.slice(0, 35) ? 1 : 0))
  return { lines: stamped.slice(-lines).map(l => l.replace(/^\S+ /, '')) }
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
