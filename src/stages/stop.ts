import { ranSeconds, signalName, type ContainerState } from '../docker/container.js'
import { catcherPid, readSignalFacts } from '../docker/pid1.js'
import { lastLine } from '../docker/docker.js'
import type { Container } from '../docker/handle.js'
import { waitUntil, type Waiter } from '../docker/wait.js'
import type { Stop } from '../report/report.js'
import { lostSignal, RESET_SETTLE_MS, type Lost, type SignalFacts } from '../rules/stop-signal.js'
import { isGoProgram } from '../saved/go-program.js'

// Stopping a container the way an orchestrator does (docker stop, a Kubernetes rollout): its stop
// signal, then SIGKILL if it has not exited after the grace period. A Node app running as PID 1
// without a SIGTERM handler ignores the signal (the kernel gives PID 1 no default action) and is
// killed, dropping whatever it was doing; that is what this measures. Where the kernel shows that
// the signal was lost (rules/stop-signal.ts), the rest of the grace period could only end in
// SIGKILL, so it is not waited out.

export { initOf } from '../rules/stop-signal.js'

/** The container's PID 1 as the host sees it, to tell whether the signal was lost. */
export interface Pid1 {
  /** State.Pid: PID 1's PID on the engine's host */
  pid: number
  /** the container's full ID (its cgroup names it) */
  id: string
  /** the container's other processes (host PIDs and programs): those that would have caught it */
  others?: { pid: number; command: string }[]
}

/** How often to look at PID 1 while whether the signal was lost is still open. */
const LOST_LOOK_MS = 100

/**
 * Sends the stop signal and follows the container until it exits, or kills it after
 * `timeoutSeconds`. `clock` wakes on the container's `die` event. When the signal is known lost
 * (PID 1 could not take it, or took it only to reset its handler and ran on), the container is
 * killed then, with the verdict docker stop would reach. A container that had already exited is
 * said to be gone.
 */
export async function stopContainer(container: Container, stopSignal: string, timeoutSeconds: number, clock: Waiter, pid1?: Pid1, proc?: string): Promise<Stop> {
  const signal = signalName(stopSignal)
  const read = (): SignalFacts | undefined => (pid1 ? readSignalFacts(pid1.pid, pid1.id, signal, proc) : undefined)
  // named by their PID in the container (puma's own log says "PID: 7"), not the host's
  const catchers = (pid1?.others ?? []).flatMap(p => {
    const pid = p.pid !== pid1?.pid ? catcherPid(p.pid, pid1?.id ?? '', signal, proc) : undefined
    return pid !== undefined ? [{ pid, program: p.command }] : []
  })
  const before = read()
  const sent = Date.now()
  const signalled = clock.now()
  const kill = await container.kill(signal)
  if (kill.exitCode !== 0) {
    const state = await container.state()
    if (!state.Running) return gone(state, signal)
    throw new Error(`docker kill --signal ${signal} failed: ${lastLine(kill.stderr)}`)
  }
  let lost: Lost | undefined
  let after: SignalFacts | undefined
  // open while a lost signal could still be told: at once for one nothing could take, after the
  // settle time for a handler that reset itself; then only Docker's events and the safety poll
  const open = () => before !== undefined && clock.now() - signalled <= RESET_SETTLE_MS + 2 * LOST_LOOK_MS
  const exited = await waitUntil(
    clock,
    timeoutSeconds * 1000,
    async overdue => {
      // PID 1 first: the sooner after the signal, the fewer wake-ups that are not its
      const now = before && read()
      const state = await container.state()
      if (!state.Running) return state
      if (overdue) return null
      after = now
      lost = before && after && lostSignal(before, after, clock.now() - signalled)
      return lost ? null : undefined
    },
    () => (open() ? LOST_LOOK_MS : Number.POSITIVE_INFINITY)
  )
  if (exited) {
    const stopped: Stop = { outcome: 'exited', signal, exitCode: exited.ExitCode, seconds: secondsSince(sent, exited) }
    // exit 2 on the signal is what Go's runtime does as PID 1 with no handler: worth telling apart
    return exited.ExitCode === 2 && (await isGoProgram(container)) ? { ...stopped, go: true } : stopped
  }
  // the grace period is over, or could only end so: what docker stop does next
  const waitedSeconds = Math.round((clock.now() - signalled) / 10) / 100
  await container.kill('SIGKILL')
  const killed = await waitUntil(clock, 10_000, async overdue => {
    const state = await container.state()
    return !state.Running || overdue ? state : undefined
  })
  return {
    outcome: 'killed',
    signal,
    exitCode: killed.Running ? undefined : killed.ExitCode,
    seconds: timeoutSeconds,
    waitedSeconds,
    ...(lost && { unhandled: true }),
    ...(lost === 'reset' && { reset: true, ...(after?.listening?.length && { listening: after.listening }) }),
    ...(catchers.length > 0 && { catchers })
  }
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
