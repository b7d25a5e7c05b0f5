import { dockerOk } from '../docker/docker.js'
import { DOCKER_DEFAULT_RETRIES, describeHealthcheck } from './inspect.js'
import { logTail } from './run.js'
import type { Inputs } from '../inputs/inputs.js'
import { round, type Probe, type Report } from '../report/report.js'
import type { Waiter } from '../docker/events.js'

// Stage 4: wait until Docker itself says the container is healthy (its HEALTHCHECK state), and stop
// at once when the container dies. The wait wakes on Docker's own events (watch.ts) and then reads
// Docker's state, so the verdict follows Docker's within tens of milliseconds.
//
// The rule, with fast-health (the default): the start period is health-timeout (container.ts), so
// Docker counts no failure before it; the first passing probe makes the container healthy and ends
// the wait. After the start period Docker needs `retries` failed probes (1 s apart) to say
// "unhealthy"; we wait that long more, so a check that never passes gets Docker's own "unhealthy"
// rather than our guess. A container that turns unhealthy after having been healthy is not waited
// on: the wait ends at the first "healthy". Only a check that never settles (a hanging probe) ends
// as "timeout". With fast-health: false the image's own settings apply and the wait is health-timeout.

/** Without events, look anyway this often: a lost event stream costs at most this. */
export const SAFETY_POLL_MS = 2000
/** Beyond retries × 1 s: room for the probes themselves to run. */
const VERDICT_GRACE_MS = 5000
/** Without a health check, watch this long so a container that dies at start is still caught. */
export const NO_HEALTHCHECK_WATCH_MS = 3000

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

export async function containerState(name: string): Promise<ContainerState> {
  return JSON.parse(await dockerOk(['inspect', '--format', '{{json .State}}', name])) as ContainerState
}

/** How long to wait for Docker's verdict. */
export function waitLimitMs(inputs: Inputs, report: Report): number {
  if (!report.health.source) return NO_HEALTHCHECK_WATCH_MS
  if (!inputs.fastHealth) return inputs.healthTimeout * 1000
  const retries = report.image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  return inputs.healthTimeout * 1000 + retries * 1000 + VERDICT_GRACE_MS
}

export async function waitForHealth(inputs: Inputs, name: string, report: Report, waiter: Waiter): Promise<void> {
  const health = report.health
  const imageCheck = report.image.healthcheck
  health.timeoutSeconds = inputs.healthTimeout
  if (inputs.healthCmd) {
    health.source = 'health-cmd'
    health.command = inputs.healthCmd
  } else if (imageCheck) {
    health.source = 'image'
    health.command = describeHealthcheck(imageCheck)
  }

  const started = waiter.now()
  const limitMs = waitLimitMs(inputs, report)
  for (;;) {
    const state = await containerState(name)
    health.waitedSeconds = round((waiter.now() - started) / 1000)
    health.verdictSeconds = sinceStart(state, waiter.now())
    if (!state.Running) return exited(name, state, report)
    if (health.source && state.Health?.Status === 'healthy') {
      health.verdict = 'healthy'
      health.startupSeconds = startupSeconds(state)
      return
    }
    if (health.source && state.Health?.Status === 'unhealthy') {
      health.verdict = 'unhealthy'
      recordProbes(state, report)
      health.logTail = await logTail(name)
      return
    }
    if (waiter.now() - started >= limitMs) {
      health.verdict = health.source ? 'timeout' : 'missing'
      if (health.source) {
        recordProbes(state, report)
        health.logTail = await logTail(name)
      }
      return
    }
    await waiter.wait(Math.min(SAFETY_POLL_MS, limitMs - (waiter.now() - started)))
  }
}

async function exited(name: string, state: ContainerState, report: Report): Promise<void> {
  const health = report.health
  health.verdict = 'exited'
  health.exitCode = state.ExitCode
  health.oomKilled = state.OOMKilled
  health.ranSeconds = ranSeconds(state)
  recordProbes(state, report)
  health.logTail = await logTail(name)
  if (state.Error) health.logTail.push(state.Error)
}

/** How long a stopped container ran, from Docker's own timestamps. */
export function ranSeconds(state: ContainerState): number {
  return round(Math.max(0, Date.parse(state.FinishedAt) - Date.parse(state.StartedAt)) / 1000)
}

/** Container start → end of the first passing probe, both stamped by Docker. */
export function startupSeconds(state: ContainerState): number | undefined {
  const passed = state.Health?.Log?.find(probe => probe.ExitCode === 0)
  if (!passed) return undefined
  return round(Math.max(0, Date.parse(passed.End) - Date.parse(state.StartedAt)) / 1000)
}

function sinceStart(state: ContainerState, now: number): number | undefined {
  const started = Date.parse(state.StartedAt)
  return Number.isFinite(started) && started > 0 ? round(Math.max(0, now - started) / 1000) : undefined
}

/** Docker keeps the last five probe results; keep them all, the newest last. */
function recordProbes(state: ContainerState, report: Report): void {
  const probes: Probe[] = (state.Health?.Log ?? []).map(p => ({ exitCode: p.ExitCode, output: p.Output.trim() }))
  if (probes.length === 0) return
  report.health.probes = probes
}
