import { DOCKER_DEFAULT_INTERVAL_S, DOCKER_DEFAULT_RETRIES, logFields, ranSeconds, sinceStart, type ContainerState } from '../docker/container.js'
import type { Container } from '../docker/handle.js'
import { SAFETY_POLL_MS, waitUntil, type Waiter } from '../docker/wait.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Probe, PlatformRun, ImageFacts } from '../report/report.js'
import { round } from '../units.js'
import { apiAtLeast, type Engine } from '../docker/engine.js'
import { cannotRun, FAST_INTERVAL_S, fastTiming, NO_HEALTHCHECK_WATCH_S, type ProbeTiming } from './rules.js'
import { ScheduleReplay, startIntervalRule, type HealthcheckTiming, type Replayed, type StartIntervalRule, type TimedProbe } from './probe-schedule.js'
import { describeHealthcheck } from './rules.js'

// Stage 4: wait until Docker itself says the container is healthy (its HEALTHCHECK state), and stop
// at once when the container dies. The wait wakes on Docker's own events (docker/events.ts: health
// status, exit, and each probe's start and end) and then reads Docker's state, so the verdict
// follows Docker's within tens of milliseconds.
//
// The rule, with fast-health (the default): the container is probed every 0.1 s while it starts
// (health/rules.ts: fastTiming) and the start period is health-timeout (stages/run.ts), so Docker counts
// no failure while the app boots, and the first passing probe makes it healthy and ends the wait.
// "unhealthy" comes at the first of:
//   - a probe that could not run at all (its program is missing or not executable): at that probe;
//   - the image's own limit: Docker, on the image's own HEALTHCHECK settings, would have said
//     unhealthy. Its schedule (health/probe-schedule.ts: each probe an interval after the last one
//     ended, the start period's interval, which failures count) is replayed with the costs the
//     wait's own probes measured (the same command and timeout), and the verdict comes once a
//     probe that started no earlier than Docker's last counted probe would start has failed: the
//     app was provably not ready when Docker's probe ran, so Docker says unhealthy;
//   - for a health-cmd, the same rule on health-start-period, then 3 failed probes a second apart
//     (a health-cmd has no settings of its own; Docker's 30 s interval would take 90 s);
//   - health-timeout, then `retries` failed probes: Docker's own verdict.
// Only a check that never settles (a hanging probe) ends as "timeout". With fast-health: false
// Docker probes on the image's own settings and decides; the wait is health-timeout.

/** Beyond retries × 1 s: room for the probes themselves to run. */
const VERDICT_GRACE_MS = 5000
/** Without a health check, watch this long so a container that dies at start is still caught. */
export const NO_HEALTHCHECK_WATCH_MS = NO_HEALTHCHECK_WATCH_S * 1000
/**
 * After a probe started, look again this soon for its result (an exec that cannot start ends
 * without an event); also the least time between two looks woken by probes (see paced).
 */
const PROBE_RESULT_POLL_MS = 250

export type HealthInputs = Pick<Inputs, 'healthTimeout' | 'healthCmd' | 'fastHealth' | 'healthStartPeriod'>
export type Health = PlatformRun['health']

/** The wait's clock, woken by the container's events; `count` and `lastAt` tell of probes started. */
export interface HealthWatch extends Waiter {
  count?: (action: string) => number
  lastAt?: (action: string) => number | undefined
}

/** Whether client and daemon have Docker's start interval (API 1.44, Docker 25). */
export function hasStartInterval(api: string): boolean {
  return apiAtLeast(api, '1.44')
}

/** How often fast-health probes on an engine speaking API `api`. */
export function probeTiming(api: string): ProbeTiming {
  return fastTiming(hasStartInterval(api))
}

/** How long to wait for Docker's verdict. */
export function waitLimitMs(inputs: HealthInputs, image: ImageFacts): number {
  if (!inputs.healthCmd && !image.healthcheck) return NO_HEALTHCHECK_WATCH_MS
  if (!inputs.fastHealth) return inputs.healthTimeout * 1000
  const retries = image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  return inputs.healthTimeout * 1000 + retries * 1000 + VERDICT_GRACE_MS
}

/** What the health wait needs to know of the engine: the API for the flags, the daemon's version for its schedule. */
export type EngineHealth = Pick<Engine, 'api'> & Partial<Pick<Engine, 'version'>>

/** The limit the wait applies before Docker's own verdict: the settings Docker would probe a check that never passes on. */
export interface ProbeLimit {
  rule: 'image-limit' | 'start-period'
  timing: HealthcheckTiming
  /** how the engine spaces probes during the start period */
  startRule: StartIntervalRule
}

/**
 * With fast-health: the image's own HEALTHCHECK settings on this engine, or for a health-cmd its
 * start period, then Docker's default retries a second apart (a second from the start too, as
 * `--health-start-interval=1s` would have it, on every engine).
 */
export function probeLimit(inputs: HealthInputs, image: ImageFacts, engineVersion = ''): ProbeLimit | undefined {
  if (!inputs.fastHealth) return undefined
  if (inputs.healthCmd) {
    const timing = { interval: FAST_INTERVAL_S, startPeriod: inputs.healthStartPeriod, startInterval: FAST_INTERVAL_S, retries: DOCKER_DEFAULT_RETRIES }
    return { rule: 'start-period', timing, startRule: 'interval' }
  }
  if (!image.healthcheck) return undefined
  const timing = {
    interval: image.healthcheckInterval ?? DOCKER_DEFAULT_INTERVAL_S,
    startPeriod: image.healthcheckStartPeriod ?? 0,
    startInterval: image.healthcheckStartInterval,
    retries: image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  }
  return { rule: 'image-limit', timing, startRule: startIntervalRule(engineVersion) }
}

type ProbeLog = NonNullable<NonNullable<ContainerState['Health']>['Log']>

export async function waitForHealth(container: Container, inputs: HealthInputs, image: ImageFacts, clock: HealthWatch, engine: EngineHealth = { api: '' }): Promise<Health> {
  const { api } = engine
  const health: Health = { verdict: 'skipped', timeoutSeconds: inputs.healthTimeout }
  if (inputs.healthCmd) Object.assign(health, { source: 'health-cmd', command: inputs.healthCmd })
  else if (image.healthcheck) Object.assign(health, { source: 'image', command: describeHealthcheck(image.healthcheck) })
  if (health.source && inputs.fastHealth) Object.assign(health, probeTiming(api))
  else if (health.source) health.intervalSeconds = inputs.healthCmd ? DOCKER_DEFAULT_INTERVAL_S : image.healthcheckInterval
  const limit = probeLimit(inputs, image, engine.version)
  const timing = probeTiming(api)
  // a health-cmd's start period: the limit's with fast-health, Docker's own without (stages/run.ts)
  if (inputs.healthCmd && (inputs.fastHealth || inputs.healthStartPeriod > 0)) health.startPeriodSeconds = inputs.healthStartPeriod

  const started = clock.now()
  // Docker keeps only the last five probes, a second's worth at 0.1 s: every probe seen is kept
  // here, so the first pass, the failure before it and the failures counted are never lost
  const seen = new Map<string, ProbeLog[number]>()
  const replay = limit && new ScheduleReplay(limit.timing, limit.startRule, timing.startIntervalSeconds, inputs.healthTimeout)
  let nextLookMs = SAFETY_POLL_MS
  const look = async (overdue: boolean): Promise<Health | undefined> => {
    const state = await container.state()
    const now = clock.now()
    for (const probe of state.Health?.Log ?? []) seen.set(probe.Start, probe)
    const history = [...seen.values()].sort((a, b) => Date.parse(a.Start) - Date.parse(b.Start))
    health.waitedSeconds = round((now - started) / 1000)
    health.verdictSeconds = sinceStart(state, now)
    const planned = replay?.update(timed(history, state.StartedAt), timed(state.Health?.Log ?? [], state.StartedAt))
    if (planned) health.limitSeconds = round(planned.unhealthySeconds)
    nextLookMs = nextLook(state, seen.size, clock, planned?.unhealthySeconds, now)
    // a probe passed before it exited: Docker had said healthy (one passing probe is enough), and
    // the exit that followed is the stop stage's to report (the container is gone when it goes to stop it)
    const passed = state.Health?.Status === 'healthy' || (!state.Running && history.some(p => p.ExitCode === 0))
    if (health.source && passed) {
      return { ...health, verdict: 'healthy', startupSeconds: startupSeconds(history, state.StartedAt), notReadyAtSeconds: notReadyAt(history, state.StartedAt), probeTimes: probeTimes(state.Health?.Log) }
    }
    if (!state.Running) return exited(container, state, health)
    if (!health.source) return overdue ? watched(container, health) : undefined
    const status = state.Health?.Status
    if (status === 'unhealthy') return unhealthy(container, state, { ...health, rule: 'docker' })
    // a probe whose program cannot run fails the same way every time: no point waiting
    const last = state.Health?.Log?.at(-1)
    const stuck = last && cannotRun(last.ExitCode, last.Output, health.command)
    if (stuck) return unhealthy(container, state, { ...health, rule: 'cannot-run', cannotRun: stuck })
    if (limit && planned?.proof) {
      const failedProbes = countedFailures(history, state.StartedAt, limit.timing.startPeriod)
      return unhealthy(container, state, { ...health, rule: limit.rule, failedProbes, notReadyAtSeconds: round(planned.proof.start), ...scheduleFields(planned, limit) })
    }
    return overdue ? unhealthy(container, state, health, 'timeout') : undefined
  }
  return waitUntil(paced(clock), waitLimitMs(inputs, image), look, () => nextLookMs)
}

/** The events that are news at once: a verdict or an exit. */
const URGENT = ['health_status', 'die']

/**
 * The clock, waking on a probe's events at most every PROBE_RESULT_POLL_MS (probes start and end
 * every tenth of a second while the app starts, and each look is one docker inspect; Docker's last
 * five probes cover a second, so none is missed), and at once on Docker's verdict or the
 * container's exit. A clock that does not count events is used as it is.
 */
function paced(clock: HealthWatch): Waiter {
  if (!clock.count) return clock
  const count = clock.count
  const urgent = () => URGENT.reduce((n, action) => n + count(action), 0)
  return {
    now: clock.now,
    wait: async (ms: number) => {
      const began = clock.now()
      const before = urgent()
      const gap = Math.min(ms, PROBE_RESULT_POLL_MS)
      await clock.wait(ms)
      while (urgent() === before && clock.now() - began < gap) await clock.wait(gap - (clock.now() - began))
    }
  }
}

/**
 * When to look again: soon after a probe started whose result Docker has not logged yet (an exec
 * that cannot start sends no event of its end), at the limit when that comes first, else at the
 * next event or the safety poll.
 */
function nextLook(state: ContainerState, probesSeen: number, clock: HealthWatch, limit: number | undefined, now: number): number {
  const startedAt = clock.lastAt?.('exec_start')
  const awaited = (clock.count?.('exec_start') ?? 0) > probesSeen && startedAt !== undefined && now - startedAt < 2 * SAFETY_POLL_MS
  let ms = awaited ? PROBE_RESULT_POLL_MS : SAFETY_POLL_MS
  const start = Date.parse(state.StartedAt)
  if (limit !== undefined && Number.isFinite(start)) ms = Math.min(ms, Math.max(PROBE_RESULT_POLL_MS, start + limit * 1000 - now))
  return ms
}

/** The probes that started after the start period (Docker counts only those) and failed. */
function countedFailures(history: ProbeLog, startedAt: string, startPeriod: number): number {
  const start = Date.parse(startedAt)
  return history.filter(p => Date.parse(p.Start) - start >= startPeriod * 1000 && p.ExitCode !== 0).length
}

/** Docker's probe log in seconds after the container's start. */
function timed(log: ProbeLog, startedAt: string): TimedProbe[] {
  const start = Date.parse(startedAt)
  return log.map(p => ({ start: (Date.parse(p.Start) - start) / 1000, end: (Date.parse(p.End) - start) / 1000, exitCode: p.ExitCode })).filter(p => Number.isFinite(p.start) && Number.isFinite(p.end))
}

/** The schedule's figures for the report: when Docker says unhealthy, when its last counted probe starts, what each probe costs. */
function scheduleFields(planned: Replayed, limit: ProbeLimit): Partial<Health> {
  const fields: Partial<Health> = { limitSeconds: round(planned.unhealthySeconds), lastProbeSeconds: round(planned.lastProbeSeconds), probeMs: Math.round(planned.slowestRun * 1000) }
  if (limit.timing.startPeriod > 0 && planned.startPeriodInterval !== limit.timing.interval) fields.startPeriodIntervalSeconds = planned.startPeriodInterval
  return fields
}

async function unhealthy(container: Container, state: ContainerState, health: Health, verdict: 'unhealthy' | 'timeout' = 'unhealthy'): Promise<Health> {
  return { ...health, verdict, probes: probesOf(state), ...logFields(await container.logs()) }
}

/** No health check, and the container kept running: its log is all there is to see how it does (a worker's errors). */
async function watched(container: Container, health: Health): Promise<Health> {
  return { ...health, verdict: 'missing', ...logFields(await container.logs()) }
}

async function exited(container: Container, state: ContainerState, health: Health): Promise<Health> {
  const log = await container.logs()
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
export function startupSeconds(history: ProbeLog, startedAt: string): number | undefined {
  const passed = history.find(probe => probe.ExitCode === 0)
  if (!passed) return undefined
  return round(Math.max(0, Date.parse(passed.End) - Date.parse(startedAt)) / 1000)
}

/** Container start → the start of the last failing probe before the first pass (not ready then). */
function notReadyAt(history: ProbeLog, startedAt: string): number | undefined {
  const first = history.findIndex(probe => probe.ExitCode === 0)
  const before = first > 0 ? history[first - 1] : undefined
  return before && round(Math.max(0, Date.parse(before.Start) - Date.parse(startedAt)) / 1000)
}

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
