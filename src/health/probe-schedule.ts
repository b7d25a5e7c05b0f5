// When Docker would run each probe of a HEALTHCHECK that never passes, and when it would say
// "unhealthy", as moby's daemon/health.go schedules them (monitor, getInterval, handleProbeResult):
//   - the monitor starts a moment after the container (StartedAt) and waits one interval;
//   - each next probe starts one interval after the previous one ENDED (the timer is reset after
//     the result is handled), so every probe's own run adds to the schedule;
//   - while the start period lasts and the container is still "starting", that interval is the
//     start interval: Docker 25 and 26 default it to the interval, Docker 27 and later to 5 s;
//     before 25 there is none (one interval throughout, and an image's --start-interval is ignored);
//   - a failure counts only when its probe STARTED at or after the start period (result.Start −
//     StartedAt), and `retries` counted failures in a row make it unhealthy, when that probe ends.
// Pure: the wait (health/wait-healthy.ts) feeds it what its own probes measured.

/** How an engine spaces its probes during the start period. */
export type StartIntervalRule = 'none' | 'interval' | 'five-seconds'

/** Docker's start interval when the image sets none, on Docker 27 and later. */
export const DOCKER_DEFAULT_START_INTERVAL_S = 5

/**
 * The start-period rule of the engine of version `version` (`docker version`'s Server.Version:
 * "20.10.24+dfsg1", "28.5.2"): the daemon's, not the API's, since the daemon applies the image's
 * start interval whatever API version the client speaks. A version it cannot read is taken as the
 * newest.
 */
export function startIntervalRule(version: string): StartIntervalRule {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim())
  if (!m) return 'five-seconds'
  const major = Number(m[1])
  if (major < 25) return 'none'
  return major < 27 ? 'interval' : 'five-seconds'
}

/** A HEALTHCHECK's timing, seconds (Docker's defaults filled in, but startInterval: undefined when unset). */
export interface HealthcheckTiming {
  interval: number
  startPeriod: number
  startInterval?: number
  retries: number
}

/** What each probe costs on the schedule, seconds: see probeCosts for how they are measured. */
export interface ProbeCosts {
  /** container start (StartedAt) → the monitor starting its first interval */
  monitorDelay: number
  /** the run of Docker's `nth` probe (from 1), starting at `start`: Docker's Start to End stamps */
  probe: (start: number, nth: number) => number
  /** a probe's End → the next interval's start (Docker handling the result; killing a timed-out probe) */
  gap: number
}

export const NO_COSTS: ProbeCosts = { monitorDelay: 0, probe: () => 0, gap: 0 }

export interface Schedule {
  /** when Docker's last counted probe starts: the `retries`-th failure in a row after the start period */
  lastProbeSeconds: number
  /** when it ends: Docker's "unhealthy" */
  unhealthySeconds: number
  /** the probes Docker runs until then, those inside the start period included */
  probes: number
  /** the interval Docker waits while the start period lasts (the start interval, or the interval) */
  startPeriodInterval: number
  /** the longest run counted for one of those probes */
  slowestRun: number
}

/** Beyond this many probes the schedule stops (a 1 ms start interval over a long start period). */
const MAX_PROBES = 100_000

/** Docker's probes of a check that never passes, on `timing`, under the engine's `rule`, with `costs`. */
export function dockerSchedule(timing: HealthcheckTiming, rule: StartIntervalRule, costs: ProbeCosts): Schedule {
  const startPeriodInterval = rule === 'none' ? timing.interval : (timing.startInterval ?? (rule === 'interval' ? timing.interval : DOCKER_DEFAULT_START_INTERVAL_S))
  // getInterval(): the start interval while the start period lasts (the check never passed, so the
  // container is still "starting"), asked when the monitor starts and after each probe
  const intervalAt = (t: number) => (t >= timing.startPeriod ? timing.interval : startPeriodInterval)
  const retries = Math.max(1, timing.retries)
  let timerFrom = costs.monitorDelay
  let counted = 0
  let slowestRun = 0
  for (let probes = 1; probes <= MAX_PROBES; probes++) {
    const start = timerFrom + intervalAt(timerFrom)
    const run = costs.probe(start, probes)
    slowestRun = Math.max(slowestRun, run)
    if (start >= timing.startPeriod) counted++
    if (counted === retries) return { lastProbeSeconds: start, unhealthySeconds: start + run, probes, startPeriodInterval, slowestRun }
    timerFrom = start + run + costs.gap
  }
  return { lastProbeSeconds: Infinity, unhealthySeconds: Infinity, probes: MAX_PROBES, startPeriodInterval, slowestRun }
}

/** One probe as Docker logged it, seconds after the container's start. */
export interface TimedProbe {
  start: number
  end: number
  exitCode: number
}

/**
 * The costs of Docker's probes on the image's own schedule, estimated from the wait's probes (the
 * same command, with the image's timeout, in the same container, on the same engine). Each errs
 * late rather than early: an early schedule could call "unhealthy" an app Docker would still have
 * seen get ready (a healthy app failed), a late one only waits a little longer while the fast
 * probes watch the app get ready. (Docker's own run-to-run jitter is a few tens of ms a probe.)
 *   - probe: Docker's probe starting at t runs as long as the slower of the wait's two probes
 *     around t (the one running then, or the last before, and the next): the app, the machine's
 *     load and the probe's own work are what they were then, and a probe that timed out took the
 *     timeout and its exec's start. Docker's first probe is also its first exec into the
 *     container, slower than later ones (its binaries read from disk, the app still starting), so
 *     it runs at least as long as the wait's first did. Beyond the probes seen: the slowest seen;
 *   - monitorDelay: the first probe seen, less the one interval before it (an upper bound even when
 *     Docker had rotated the first probe out of its log: a later one only starts later);
 *   - gap: the longest gap seen between two probes Docker logged one after the other (`pairs`),
 *     less the interval the wait probes at (`interval`).
 */
export function probeCosts(probes: TimedProbe[], pairs: [TimedProbe, TimedProbe][], interval: number): ProbeCosts {
  if (probes.length === 0) return NO_COSTS
  const seen = [...probes].sort((a, b) => a.start - b.start)
  const runs = seen.map(p => Math.max(0, p.end - p.start))
  const slowest = Math.max(...runs)
  const probe = (start: number, nth: number) => {
    const next = seen.findIndex(p => p.start > start)
    if (next === -1) return slowest
    const around = Math.max(runs[next - 1] ?? 0, runs[next])
    return nth === 1 ? Math.max(around, runs[0]) : around
  }
  return {
    monitorDelay: Math.max(0, seen[0].start - interval),
    probe,
    gap: Math.max(0, ...pairs.map(([a, b]) => b.start - a.end - interval))
  }
}

/**
 * The probe that shows Docker's last counted probe would fail: the first failed probe of the
 * wait's that started no earlier than it would. Readiness only grows while an app starts, so an
 * app not ready when that probe ran was not ready when Docker's ran either, nor at any probe
 * before: Docker, on the image's settings, says "unhealthy". Undefined while none has (or one
 * passed: then Docker would have said healthy).
 */
export function provenUnhealthy(probes: TimedProbe[], schedule: Schedule): TimedProbe | undefined {
  if (probes.some(p => p.exitCode === 0)) return undefined
  return probes.filter(p => p.start >= schedule.lastProbeSeconds).sort((a, b) => a.start - b.start)[0]
}

/** Docker's schedule as replayed at one look: its costs, and the proof once there is one. */
export type Replayed = Schedule & { costs: ProbeCosts; proof?: TimedProbe }

/**
 * Docker's schedule on a limit's settings, replayed afresh at each look of the wait with every
 * probe seen so far. Docker's log lists consecutive probes (the wait may miss some between two
 * looks), so the gap between probes is timed only on pairs from one log, and only while the wait
 * probed at its start interval (`waitInterval`, until `waitStartPeriod`, health-timeout: after
 * it the interval is another).
 */
export class ScheduleReplay {
  private readonly pairs = new Map<number, [TimedProbe, TimedProbe]>()

  constructor(
    private readonly timing: HealthcheckTiming,
    private readonly rule: StartIntervalRule,
    private readonly waitInterval: number,
    private readonly waitStartPeriod: number
  ) {}

  /** `history`: every probe seen, oldest first; `log`: Docker's log as it stands. */
  update(history: TimedProbe[], log: TimedProbe[]): Replayed {
    for (let i = 1; i < log.length; i++) if (log[i - 1].end < this.waitStartPeriod) this.pairs.set(log[i - 1].start, [log[i - 1], log[i]])
    const costs = probeCosts(history, [...this.pairs.values()], this.waitInterval)
    const schedule = dockerSchedule(this.timing, this.rule, costs)
    return { ...schedule, costs, proof: provenUnhealthy(history, schedule) }
  }
}
