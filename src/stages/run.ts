import type { RunContext } from '../context.js'
import { logFields, signalName } from '../docker/container.js'
import type { Engine } from '../docker/engine.js'
import { Container } from '../docker/handle.js'
import type { Inputs } from '../inputs/inputs.js'
import type { SmokeResult, Stop, ImageFacts } from '../report/report.js'
import { hasStartInterval, probeTimes, probeTiming, waitForHealth, type EngineHealth, type Health, type HealthInputs } from '../health/wait-healthy.js'
import { gone, initOf, stopContainer } from './stop.js'
import { containerFlags } from './container-flags.js'
import { runSmoke, type SmokeInputs } from './smoke.js'
import { startFailure, unmappedUser } from './start.js'
import { probeAdvice, needsAdvice } from '../health/probe-advice.js'
import { readCause, rerunWithout, runAs } from './profile-rerun.js'
import { measureUser, readAccounts, type User } from '../user/measure.js'
import { readMemory } from './memory.js'
import { mark } from '../trace.js'

// Stage 3: run the built image as a detached container, wait for Docker's health verdict, and look
// at who it runs as; the smoke commands run alongside. Pass or fail, every container goes.

export type RunInputs = HealthInputs & SmokeInputs & Pick<Inputs, 'command' | 'stopTimeout' | 'requireHealthcheck'> & Partial<Pick<Inputs, 'file' | 'target'>>

export interface RunResult {
  health: Health
  user: User
  /** the container stopped as an orchestrator stops it; undefined when it never started */
  stop?: Stop
  smoke?: SmokeResult[]
}

export async function runAndWait(ctx: RunContext, inputs: RunInputs, image: string, facts: ImageFacts, engine: Pick<Engine, 'api' | 'userns'> & Partial<Pick<Engine, 'version'>>): Promise<RunResult> {
  const { docker } = ctx
  const name = ctx.containerName()
  const container = new Container(docker, name)
  // The other process types run alongside; a failure of theirs must not go unhandled meanwhile.
  const smoke = inputs.smokeCommands.length > 0 ? runSmoke(ctx, inputs, image, facts.stopSignal) : Promise.resolve(undefined)
  smoke.catch(() => undefined)
  // Follow Docker's events from before the container exists, so no transition is missed.
  // each probe's start and end too: a probe that cannot run is judged as soon as Docker logs it
  const watch = container.watch(['health_status', 'die', 'exec_start', 'exec_die'])
  let outcome: Omit<RunResult, 'smoke'> | undefined
  try {
    const started = await docker.call(runArgs(ctx, inputs, image, name, { imageHasHealthcheck: facts.healthcheck !== undefined, api: engine.api }))
    mark('container started')
    if (started.exitCode === 0) {
      container.started(idOf(started.stdout))
      // the account files are the image's: copied while the app starts, not after
      const accounts = readAccounts(container, ctx.tempDir('accounts'))
      accounts.catch(() => undefined) // awaited below; this only stops it counting as unhandled meanwhile
      let health = await waitForHealth(container, inputs, facts, watch, engine)
      mark(`health verdict: ${health.verdict}`)
      // the memory in use right at the healthy verdict, read meanwhile with the user check
      const memory = health.verdict === 'healthy' ? readMemory(container, inputs.runMemory !== undefined) : undefined
      if (needsAdvice(health, inputs)) health = { ...health, ...(await probeAdvice(container, facts, health)) }
      const state = await container.state()
      const user = await measureUser(container, accounts, state, facts.user ?? '', inputs, engine.userns)
      mark('user measured')
      if (memory) health = { ...health, ...(await memory) }
      // the probes that passed since the verdict time the health endpoint too
      if (health.verdict === 'healthy') health = { ...health, probeTimes: probeTimes(state.Health?.Log) ?? health.probeTimes }
      // gone after its health wait (a crash right after the healthy verdict): a failed stop, with
      // when and how it exited; gone before it was healthy: the health row says so already
      const signal = signalName(facts.stopSignal)
      const stopped = state.Running
        ? await stopContainer(container, facts.stopSignal ?? '', inputs.stopTimeout, watch, { pid: state.Pid, id: await container.id(), others: user.processes })
        : health.verdict === 'exited'
          ? { outcome: 'not-run' as const, signal }
          : gone(state, signal)
      mark('stopped')
      // what it said before it went is the explanation: the log, as for any container that exited
      if (stopped.outcome === 'gone' && !health.logTail?.length) health = { ...health, ...logFields(await container.logs()) }
      outcome = { health, user, stop: { ...stopped, pid1: user.process, init: initOf(user.process) } }
    } else {
      // e.g. the command's executable is missing: Docker creates the container but cannot start it.
      // A refusal that is not the image's (run-network, the engine) throws instead (start.ts).
      const why = startFailure(started, inputs)
      outcome = {
        health: { verdict: 'exited', exitCode: started.exitCode, startError: why },
        user: { unknownReason: `the container did not start (${why})` }
      }
    }
  } finally {
    // pass or fail, the container goes at once; the smoke commands finish in their own time
    watch.stop()
    await container.remove()
    mark('container removed')
    // thrown: the smoke commands still finish before the error goes on
    if (!outcome) await smoke.catch(() => undefined)
  }
  try {
    // while they finish, a failure under the run profile is looked into
    outcome = await explainProfile(ctx, inputs, image, facts, engine, outcome)
  } finally {
    await smoke.catch(() => undefined)
  }
  return { ...outcome, smoke: await smoke }
}

/**
 * Not healthy under run-profile or read-only: which setting its log blames, and when the log does
 * not prove it, how it runs without them (profile-rerun.ts).
 */
async function explainProfile(ctx: RunContext, inputs: RunInputs, image: string, facts: ImageFacts, engine: EngineHealth, outcome: Omit<RunResult, 'smoke'>): Promise<Omit<RunResult, 'smoke'>> {
  // an engine that cannot run the profile's UID at all (start.ts) says nothing of the image or the profile
  const unmapped = outcome.health.startError ? unmappedUser(outcome.health.startError, inputs) : undefined
  if (unmapped) throw unmapped
  const read = readCause(outcome.health, runAs(inputs, outcome.user, facts.user))
  if (!read) return outcome
  let cause = read.cause
  if (read.rerun) {
    ctx.stage = 'running the container again without the run profile, to see whether it is the cause'
    const without = { ...inputs, runProfile: 'docker' as const, readOnly: false }
    const health = { imageHasHealthcheck: facts.healthcheck !== undefined, api: engine.api }
    cause = { ...cause, rerun: await rerunWithout(ctx, name => runArgs(ctx, without, image, name, health), without, facts, engine) }
  }
  return { ...outcome, health: { ...outcome.health, profileCause: cause } }
}

/** What the health flags depend on besides the inputs. */
export interface HealthFlagsFor {
  imageHasHealthcheck: boolean
  /** the API version in use: the start interval exists from 1.44 (Docker 25) */
  api: string
}

/** The run-time health flags: fast probing so the verdict comes when the app is ready. */
export function healthFlags(inputs: HealthInputs, { imageHasHealthcheck, api }: HealthFlagsFor): string[] {
  const flags: string[] = []
  if (inputs.healthCmd) flags.push('--health-cmd', inputs.healthCmd)
  if (inputs.fastHealth && (inputs.healthCmd || imageHasHealthcheck)) {
    // Probe every 0.1 s instead of the image's interval (often 30 s), so startup is known to a
    // fraction of a second. The start period covers the whole wait, so Docker counts no failure
    // while a slow starter boots (the wait applies the image's limit, or health-start-period for
    // a health-cmd, itself); the image's timeout and command stay.
    const timing = probeTiming(api)
    flags.push(`--health-interval=${durationFlag(timing.intervalSeconds)}`, `--health-start-period=${inputs.healthTimeout}s`)
    // Since API 1.44 the engine probes at the start interval during the start period (5 s unless
    // set) and at the interval once healthy; older clients and daemons refuse the flag.
    if (hasStartInterval(api)) flags.push(`--health-start-interval=${durationFlag(timing.startIntervalSeconds)}`)
  } else if (inputs.healthCmd && inputs.healthStartPeriod > 0) {
    // fast-health: false leaves the timing to Docker, with the start period the user gave
    flags.push(`--health-start-period=${inputs.healthStartPeriod}s`)
  }
  return flags
}

/** "1s", "100ms": what docker run's duration flags take. */
function durationFlag(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`
}

export function runArgs(ctx: RunContext, inputs: RunInputs, image: string, name: string, health: HealthFlagsFor): string[] {
  const args = ['run', '--detach', '--name', name, ...ctx.labels(), ...containerFlags(inputs, { main: true })]
  args.push(...healthFlags(inputs, health))
  args.push(image)
  if (inputs.command) args.push(...inputs.command)
  return args
}

/** The full container ID `docker run --detach` prints, when it printed one. */
function idOf(stdout: string): string | undefined {
  const id = stdout.trim().split('\n').pop() ?? ''
  return /^[0-9a-f]{64}$/.test(id) ? id : undefined
}
