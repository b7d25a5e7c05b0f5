import { containerState, DOCKER_DEFAULT_INTERVAL_S, DOCKER_DEFAULT_RETRIES, logFields, logTail, ranSeconds, sinceStart, type ContainerState } from '../docker/container.js'
import type { Docker } from '../docker/docker.js'
import { SAFETY_POLL_MS, waitUntil, type Waiter } from '../docker/wait.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Probe, Report } from '../report/report.js'
import { round } from '../units.js'
import { cannotRun, imageLimitSeconds, NO_HEALTHCHECK_WATCH_S } from '../rules/health.js'
import { describeHealthcheck, type ImageFacts } from './inspect.js'

// Stage 4: wait until Docker itself says the container is healthy (its HEALTHCHECK state), and stop
// at once when the container dies. The wait wakes on Docker's own events (docker/events.ts: health
// status, exit, and each probe's start and end) and then reads Docker's state, so the verdict
// follows Docker's within tens of milliseconds.
//
// The rule, with fast-health (the default): the container is probed every second and the start
// period is health-timeout (run.ts), so Docker counts no failure while the app boots, and the first
// passing probe makes it healthy and ends the wait. "unhealthy" comes at the first of:
//   - a probe that could not run at all (its program is missing or not executable): at that probe;
//   - the moment Docker, on the image's own HEALTHCHECK settings, would have said unhealthy (its
//     start period, then `retries` failed probes at its interval), when no probe passed by then;
//   - health-timeout, then `retries` failed probes one second apart: Docker's own verdict.
// A health-cmd has no image settings: health-timeout decides. Only a check that never settles (a
// hanging probe) ends as "timeout". With fast-health: false Docker probes on the image's own
// settings and decides; the wait is health-timeout.

/** Beyond retries × 1 s: room for the probes themselves to run. */
const VERDICT_GRACE_MS = 5000
/** Without a health check, watch this long so a container that dies at start is still caught. */
export const NO_HEALTHCHECK_WATCH_MS = NO_HEALTHCHECK_WATCH_S * 1000
/** After a probe started, look again this soon for its result (an exec that cannot start ends without an event). */
const PROBE_RESULT_POLL_MS = 100

export type HealthInputs = Pick<Inputs, 'healthTimeout' | 'healthCmd' | 'fastHealth'>
export type Health = Report['health']

/** The wait's clock, woken by the container's events; `count` and `lastAt` tell of probes started. */
export interface HealthWatch extends Waiter {
  count?: (action: string) => number
  lastAt?: (action: string) => number | undefined
}

/** How long to wait for Docker's verdict. */
export function waitLimitMs(inputs: HealthInputs, image: ImageFacts): number {
  if (!inputs.healthCmd && !image.healthcheck) return NO_HEALTHCHECK_WATCH_MS
  if (!inputs.fastHealth) return inputs.healthTimeout * 1000
  const retries = image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  return inputs.healthTimeout * 1000 + retries * 1000 + VERDICT_GRACE_MS
}

/** With fast-health and the image's own HEALTHCHECK: when Docker on its settings would say unhealthy. */
export function imageLimit(inputs: HealthInputs, image: ImageFacts): number | undefined {
  if (!inputs.fastHealth || inputs.healthCmd || !image.healthcheck) return undefined
  const interval = image.healthcheckInterval ?? DOCKER_DEFAULT_INTERVAL_S
  return imageLimitSeconds(interval, image.healthcheckStartPeriod ?? 0, image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES)
}

export async function waitForHealth(docker: Docker, name: string, inputs: HealthInputs, image: ImageFacts, clock: HealthWatch): Promise<Health> {
  const health: Health = { verdict: 'skipped', timeoutSeconds: inputs.healthTimeout }
  if (inputs.healthCmd) Object.assign(health, { source: 'health-cmd', command: inputs.healthCmd })
  else if (image.healthcheck) Object.assign(health, { source: 'image', command: describeHealthcheck(image.healthcheck) })
  if (health.source) health.intervalSeconds = inputs.fastHealth ? 1 : inputs.healthCmd ? DOCKER_DEFAULT_INTERVAL_S : image.healthcheckInterval
  const limit = imageLimit(inputs, image)
  if (limit !== undefined) health.limitSeconds = limit

  const started = clock.now()
  const probesSeen = new Set<string>()
  let nextLookMs = SAFETY_POLL_MS
  const look = async (overdue: boolean): Promise<Health | undefined> => {
    const state = await containerState(docker, name)
    const now = clock.now()
    health.waitedSeconds = round((now - started) / 1000)
    health.verdictSeconds = sinceStart(state, now)
    nextLookMs = nextLook(state, probesSeen, clock, limit, now)
    // a probe passed before it exited: Docker had said healthy (one passing probe is enough), and
    // the exit that followed is the stop stage's to report (the container is gone when it goes to stop it)
    const passed = state.Health?.Status === 'healthy' || (!state.Running && (state.Health?.Log ?? []).some(p => p.ExitCode === 0))
    if (health.source && passed) {
      return { ...health, verdict: 'healthy', startupSeconds: startupSeconds(state), notReadyAtSeconds: notReadyAt(state), probeTimes: probeTimes(state.Health?.Log) }
    }
    if (!state.Running) return exited(docker, name, state, health)
    if (!health.source) return overdue ? watched(docker, name, health) : undefined
    const status = state.Health?.Status
    if (status === 'unhealthy') return unhealthy(docker, name, state, { ...health, rule: 'docker' })
    // a probe whose program cannot run fails the same way every time: no point waiting
    const last = state.Health?.Log?.at(-1)
    const stuck = last && cannotRun(last.ExitCode, last.Output, health.command)
    if (stuck) return unhealthy(docker, name, state, { ...health, rule: 'cannot-run', cannotRun: stuck })
    if (limit !== undefined && reachedImageLimit(state, limit, image.healthcheckStartPeriod ?? 0, now)) {
      return unhealthy(docker, name, state, { ...health, rule: 'image-limit' })
    }
    return overdue ? unhealthy(docker, name, state, health, 'timeout') : undefined
  }
  return waitUntil(clock, waitLimitMs(inputs, image), look, () => nextLookMs)
}

/**
 * When to look again: soon after a probe started whose result Docker has not logged yet (an exec
 * that cannot start sends no event of its end), at the image's limit when that comes first, else
 * at the next event or the safety poll.
 */
function nextLook(state: ContainerState, probesSeen: Set<string>, clock: HealthWatch, limit: number | undefined, now: number): number {
  for (const probe of state.Health?.Log ?? []) probesSeen.add(probe.Start)
  const startedAt = clock.lastAt?.('exec_start')
  const awaited = (clock.count?.('exec_start') ?? 0) > probesSeen.size && startedAt !== undefined && now - startedAt < 2 * SAFETY_POLL_MS
  let ms = awaited ? PROBE_RESULT_POLL_MS : SAFETY_POLL_MS
  const start = Date.parse(state.StartedAt)
  if (limit !== undefined && Number.isFinite(start)) ms = Math.min(ms, Math.max(PROBE_RESULT_POLL_MS, start + limit * 1000 - now))
  return ms
}

/** The image's limit has passed, at least one probe ran after its start period, and none passed. */
function reachedImageLimit(state: ContainerState, limit: number, startPeriod: number, now: number): boolean {
  const start = Date.parse(state.StartedAt)
  const log = state.Health?.Log ?? []
  const counted = log.filter(p => Date.parse(p.Start) - start >= startPeriod * 1000)
  return now - start >= limit * 1000 && counted.length > 0 && log.every(p => p.ExitCode !== 0)
}

async function unhealthy(docker: Docker, name: string, state: ContainerState, health: Health, verdict: 'unhealthy' | 'timeout' = 'unhealthy'): Promise<Health> {
  return { ...health, verdict, probes: probesOf(state), ...logFields(await logTail(docker, name)) }
}

/** No health check, and the container kept running: its log is all there is to see how it does (a worker's errors). */
async function watched(docker: Docker, name: string, health: Health): Promise<Health> {
  return { ...health, verdict: 'missing', ...logFields(await logTail(docker, name)) }
}

async function exited(docker: Docker, name: string, state: ContainerState, health: Health): Promise<Health> {
  const log = await logTail(docker, name)
  return {
    ...health,
    verdict: 'exited',
    exitCode: state.ExitCode,
    oomKilled: state.OOMKilled,
    ranSeconds: ranSeconds(state),
    probes: probesOf(state),
    ...logFields(log),
    // Docker's error from starting the container (State.Error): its words, not the app's log
    ...(state.Error && { startError: state.Error })
  }
}

/** Container start → end of the first passing probe, both stamped by Docker. */
export function startupSeconds(state: ContainerState): number | undefined {
  const passed = state.Health?.Log?.find(probe => probe.ExitCode === 0)
  if (!passed) return undefined
  return round(Math.max(0, Date.parse(passed.End) - Date.parse(state.StartedAt)) / 1000)
}

/** Container start → the start of the last failing probe before the first pass (not ready then). */
function notReadyAt(state: ContainerState): number | undefined {
  const log = state.Health?.Log ?? []
  const first = log.findIndex(probe => probe.ExitCode === 0)
  const before = first > 0 ? log[first - 1] : undefined
  return before && round(Math.max(0, Date.parse(before.Start) - Date.parse(state.StartedAt)) / 1000)
}

type ProbeLog = NonNullable<NonNullable<ContainerState['Health']>['Log']>

/** The passing probes' durations (Docker's own Start and End stamps): median and slowest, in ms. */
export function probeTimes(log: ProbeLog = []): Health['probeTimes'] {
  const ms = log
    .filter(p => p.ExitCode === 0)
    .map(p => Math.max(0, Math.round(Date.parse(p.End) - Date.parse(p.Start))))
    .filter(Number.isFinite)
    .sort((a, b) => a - b)
  if (ms.length === 0) return undefined
  const middle = Math.floor(ms.length / 2)
  const medianMs = ms.length % 2 ? ms[middle] : Math.round((ms[middle - 1] + ms[middle]) / 2)
  return { passing: ms.length, medianMs, slowestMs: ms[ms.length - 1] }
}

/** Docker keeps the last five probe results; keep them all, the newest last. */
function probesOf(state: ContainerState): Probe[] | undefined {
  const probes = (state.Health?.Log ?? []).map(p => ({ exitCode: p.ExitCode, output: p.Output.trim() }))
  return probes.length > 0 ? probes : undefined
}
