import { containerState, DOCKER_DEFAULT_RETRIES, logTail, ranSeconds, sinceStart, type ContainerState } from '../docker/container.js'
import type { Docker } from '../docker/docker.js'
import { waitUntil, type Waiter } from '../docker/wait.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Probe, Report } from '../report/report.js'
import { round } from '../units.js'
import { describeHealthcheck, type ImageFacts } from './inspect.js'

// Stage 4: wait until Docker itself says the container is healthy (its HEALTHCHECK state), and stop
// at once when the container dies. The wait wakes on Docker's own events (docker/events.ts) and then
// reads Docker's state, so the verdict follows Docker's within tens of milliseconds.
//
// The rule, with fast-health (the default): the start period is health-timeout (run.ts), so
// Docker counts no failure before it; the first passing probe makes the container healthy and ends
// the wait. After the start period Docker needs `retries` failed probes (1 s apart) to say
// "unhealthy"; we wait that long more, so a check that never passes gets Docker's own "unhealthy"
// rather than our guess. A container that turns unhealthy after having been healthy is not waited
// on: the wait ends at the first "healthy". Only a check that never settles (a hanging probe) ends
// as "timeout". With fast-health: false the image's own settings apply and the wait is health-timeout.

/** Beyond retries × 1 s: room for the probes themselves to run. */
const VERDICT_GRACE_MS = 5000
/** Without a health check, watch this long so a container that dies at start is still caught. */
export const NO_HEALTHCHECK_WATCH_MS = 3000

export type HealthInputs = Pick<Inputs, 'healthTimeout' | 'healthCmd' | 'fastHealth'>
export type Health = Report['health']

/** How long to wait for Docker's verdict. */
export function waitLimitMs(inputs: HealthInputs, image: ImageFacts): number {
  if (!inputs.healthCmd && !image.healthcheck) return NO_HEALTHCHECK_WATCH_MS
  if (!inputs.fastHealth) return inputs.healthTimeout * 1000
  const retries = image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  return inputs.healthTimeout * 1000 + retries * 1000 + VERDICT_GRACE_MS
}

export async function waitForHealth(docker: Docker, name: string, inputs: HealthInputs, image: ImageFacts, clock: Waiter): Promise<Health> {
  const health: Health = { verdict: 'skipped', timeoutSeconds: inputs.healthTimeout }
  if (inputs.healthCmd) Object.assign(health, { source: 'health-cmd', command: inputs.healthCmd })
  else if (image.healthcheck) Object.assign(health, { source: 'image', command: describeHealthcheck(image.healthcheck) })

  const started = clock.now()
  return waitUntil(clock, waitLimitMs(inputs, image), async overdue => {
    const state = await containerState(docker, name)
    health.waitedSeconds = round((clock.now() - started) / 1000)
    health.verdictSeconds = sinceStart(state, clock.now())
    if (!state.Running) return exited(docker, name, state, health)
    const status = health.source ? state.Health?.Status : undefined
    if (status === 'healthy') return { ...health, verdict: 'healthy', startupSeconds: startupSeconds(state) }
    if (status === 'unhealthy') return { ...health, verdict: 'unhealthy', probes: probesOf(state), logTail: await logTail(docker, name) }
    if (!overdue) return undefined
    if (!health.source) return { ...health, verdict: 'missing' }
    return { ...health, verdict: 'timeout', probes: probesOf(state), logTail: await logTail(docker, name) }
  })
}

async function exited(docker: Docker, name: string, state: ContainerState, health: Health): Promise<Health> {
  const log = await logTail(docker, name)
  if (state.Error) log.push(state.Error)
  return {
    ...health,
    verdict: 'exited',
    exitCode: state.ExitCode,
    oomKilled: state.OOMKilled,
    ranSeconds: ranSeconds(state),
    probes: probesOf(state),
    logTail: log
  }
}

/** Container start → end of the first passing probe, both stamped by Docker. */
export function startupSeconds(state: ContainerState): number | undefined {
  const passed = state.Health?.Log?.find(probe => probe.ExitCode === 0)
  if (!passed) return undefined
  return round(Math.max(0, Date.parse(passed.End) - Date.parse(state.StartedAt)) / 1000)
}

/** Docker keeps the last five probe results; keep them all, the newest last. */
function probesOf(state: ContainerState): Probe[] | undefined {
  const probes = (state.Health?.Log ?? []).map(p => ({ exitCode: p.ExitCode, output: p.Output.trim() }))
  return probes.length > 0 ? probes : undefined
}
