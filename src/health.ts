import { dockerOk } from './docker.js'
import { DOCKER_DEFAULT_RETRIES, describeHealthcheck } from './inspect.js'
import { logTail } from './container.js'
import type { Inputs } from './inputs.js'
import { round, type Probe, type Report } from './report.js'

// Stage 4: wait until Docker itself says the container is healthy (its HEALTHCHECK state), and stop
// at once when the container dies. Docker's state is read a few times a second, so the verdict
// follows Docker's by well under a second.
//
// The start period is health-timeout (container.ts), so Docker counts no failure before it. After
// it, Docker needs `retries` failed probes (1 s apart) to say "unhealthy"; we wait that long more,
// so an always-failing check gets Docker's own "unhealthy" rather than our guess. Only a check that
// never settles (a hanging probe) ends as "timeout".

const POLL_MS = 200
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

export interface Clock {
  now: () => number
  sleep: (ms: number) => Promise<void>
}
const realClock: Clock = { now: () => Date.now(), sleep: ms => new Promise(resolve => setTimeout(resolve, ms)) }

export async function waitForHealth(inputs: Inputs, name: string, report: Report, clock: Clock = realClock): Promise<void> {
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

  const started = clock.now()
  const retries = report.image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  const watchMs = health.source ? inputs.healthTimeout * 1000 + retries * 1000 + VERDICT_GRACE_MS : NO_HEALTHCHECK_WATCH_MS
  for (;;) {
    const state = await containerState(name)
    health.waitedSeconds = round((clock.now() - started) / 1000)
    if (!state.Running) return exited(name, state, report)
    if (health.source && state.Health?.Status === 'healthy') {
      health.verdict = 'healthy'
      health.startupSeconds = startupSeconds(state)
      return
    }
    if (health.source && state.Health?.Status === 'unhealthy') {
      health.verdict = 'unhealthy'
      health.lastProbe = lastProbe(state)
      health.logTail = await logTail(name)
      return
    }
    if (clock.now() - started >= watchMs) {
      health.verdict = health.source ? 'timeout' : 'missing'
      if (health.source) {
        health.lastProbe = lastProbe(state)
        health.logTail = await logTail(name)
      }
      return
    }
    await clock.sleep(POLL_MS)
  }
}

async function exited(name: string, state: ContainerState, report: Report): Promise<void> {
  const health = report.health
  health.verdict = 'exited'
  health.exitCode = state.ExitCode
  health.oomKilled = state.OOMKilled
  health.lastProbe = lastProbe(state)
  health.logTail = await logTail(name)
  if (state.Error) health.logTail.push(state.Error)
}

/** Container start → end of the first passing probe, both stamped by Docker. */
export function startupSeconds(state: ContainerState): number | undefined {
  const passed = state.Health?.Log?.find(probe => probe.ExitCode === 0)
  if (!passed) return undefined
  return round(Math.max(0, Date.parse(passed.End) - Date.parse(state.StartedAt)) / 1000)
}

function lastProbe(state: ContainerState): Probe | undefined {
  const log = state.Health?.Log ?? []
  const probe = log[log.length - 1]
  return probe ? { exitCode: probe.ExitCode, output: probe.Output.trim() } : undefined
}
