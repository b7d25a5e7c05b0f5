import { containerState, ranSeconds, signalName, type ContainerState } from '../docker/container.js'
import { pid1Handles } from '../docker/pid1.js'
import { lastLine, type Docker } from '../docker/docker.js'
import { waitUntil, type Waiter } from '../docker/wait.js'
import type { Stop } from '../report/report.js'
import { isGoProgram } from './go-program.js'

// Stopping a container the way an orchestrator does (docker stop, a Kubernetes rollout): its stop
// signal, then SIGKILL if it has not exited after the grace period. A Node app running as PID 1
// without a SIGTERM handler ignores the signal (the kernel gives PID 1 no default action) and is
// killed, dropping whatever it was doing; that is what this measures.

/** Programs that run as PID 1 to pass signals on to the app and reap zombies. */
const INITS = ['dumb-init', 'tini', 'tini-static', 'docker-init', 'catatonit', 's6-svscan']

/** Whether PID 1's program is an init that passes signals on. */
export function initOf(pid1: string | undefined): string | undefined {
  const name = pid1?.split('/').pop()
  return name && INITS.includes(name) ? name : undefined
}

/** The container's PID 1 as the host sees it, to tell at once whether it handles its stop signal. */
export interface Pid1 {
  /** State.Pid: PID 1's PID on the engine's host */
  pid: number
  /** the container's full ID (its cgroup names it) */
  id: string
}

/**
 * Sends the stop signal and follows the container until it exits, or kills it after
 * `timeoutSeconds`. `clock` wakes on the container's `die` event. A PID 1 that does not handle the
 * signal (pid1.ts) cannot be stopped by it: it is killed at once instead of after the grace period,
 * with the verdict docker stop would reach. A container that had already exited is said to be gone.
 */
export async function stopContainer(docker: Docker, name: string, stopSignal: string, timeoutSeconds: number, clock: Waiter, pid1?: Pid1, proc?: string): Promise<Stop> {
  const signal = signalName(stopSignal)
  const handled = pid1 && pid1Handles(pid1.pid, pid1.id, signal, proc)
  const sent = Date.now()
  const signalled = clock.now()
  const kill = await docker.call(['kill', '--signal', signal, name])
  if (kill.exitCode !== 0) {
    const state = await containerState(docker, name)
    if (!state.Running) return gone(state, signal)
    throw new Error(`docker kill --signal ${signal} failed: ${lastLine(kill.stderr)}`)
  }
  if (handled !== false) {
    const exited = await waitUntil(clock, timeoutSeconds * 1000, async overdue => {
      const state = await containerState(docker, name)
      if (!state.Running) return state
      return overdue ? null : undefined
    })
    if (exited) {
      const stopped: Stop = { outcome: 'exited', signal, exitCode: exited.ExitCode, seconds: secondsSince(sent, exited) }
      // exit 2 on the signal is what Go's runtime does as PID 1 with no handler: worth telling apart
      return exited.ExitCode === 2 && (await isGoProgram(docker, name)) ? { ...stopped, go: true } : stopped
    }
  }
  // the grace period is over, or could only end so: what docker stop does next
  const waitedSeconds = Math.round((clock.now() - signalled) / 10) / 100
  await docker.call(['kill', '--signal', 'SIGKILL', name])
  const killed = await waitUntil(clock, 10_000, async overdue => {
    const state = await containerState(docker, name)
    return !state.Running || overdue ? state : undefined
  })
  return { outcome: 'killed', signal, exitCode: killed.Running ? undefined : killed.ExitCode, seconds: timeoutSeconds, waitedSeconds, ...(handled === false && { unhandled: true }) }
}

/** A container that exited on its own before it was stopped: when, and with what code. */
export function gone(state: ContainerState, signal: string): Stop {
  return { outcome: 'gone', signal, exitCode: state.ExitCode, ranSeconds: ranSeconds(state), ...(state.OOMKilled && { oomKilled: true }) }
}

/** Signal → exit, from Docker's own FinishedAt where it is sane (same host), to the hundredth. */
function secondsSince(sent: number, state: ContainerState): number {
  const finished = Date.parse(state.FinishedAt)
  const ms = Number.isFinite(finished) && finished >= sent - 1000 ? finished - sent : Date.now() - sent
  return Math.round(Math.max(0, ms) / 10) / 100
}
