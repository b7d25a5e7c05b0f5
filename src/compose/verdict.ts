import type { Condition } from './config.js'

// Whether a dependency's container meets the condition the file asks of it, read from Docker's own
// state (`docker inspect`'s .State), the way compose decides it: started (it ran), healthy
// (Docker's health status, from the service's healthcheck or the image's), completed
// successfully (exited 0: a one-shot service such as a migration). Pure, so each reading is
// unit-tested; the waiting is in wait.ts.

/** The part of `docker inspect`'s .State read here. */
export interface ContainerState {
  Status: string
  ExitCode: number
  OOMKilled?: boolean
  StartedAt?: string
  Health?: { Status: string; FailingStreak?: number; Log?: { ExitCode: number; Output: string }[] } | null
}

export type Verdict =
  | { met: true }
  | { met: false; failed: true; why: string }
  /** not decided yet: what it is waiting for, for the timeout's message */
  | { met: false; failed: false; waiting: string }

const NEVER_STARTED = '0001-01-01T00:00:00Z'

export function verdict(condition: Condition, state: ContainerState): Verdict {
  const exited = state.Status === 'exited' || state.Status === 'dead'
  // a restart policy brings it back, but only after it failed: that failure is the verdict
  const failedExit = (exited || state.Status === 'restarting') && state.ExitCode !== 0
  const exitWhy = () => (state.OOMKilled ? `was killed for running out of memory (exit code ${state.ExitCode})` : `exited with code ${state.ExitCode}`)
  switch (condition) {
    case 'service_completed_successfully':
      if (exited && state.ExitCode === 0) return { met: true }
      if (failedExit) return { met: false, failed: true, why: `${exitWhy()}; service_completed_successfully needs exit code 0` }
      return { met: false, failed: false, waiting: `still ${state.Status}, not yet exited` }
    case 'service_healthy': {
      const health = state.Health?.Status
      if (health === 'healthy' && !exited) return { met: true }
      if (failedExit || exited) return { met: false, failed: true, why: `${exitWhy()} before it was healthy` }
      if (!state.Health) return { met: false, failed: true, why: 'has no healthcheck (neither in the file nor in its image), so it can never be service_healthy' }
      if (health === 'unhealthy') return { met: false, failed: true, why: `is unhealthy: its healthcheck failed ${state.Health.FailingStreak ?? '?'} times in a row` }
      return { met: false, failed: false, waiting: `health: ${health ?? 'none'}` }
    }
    case 'service_started':
      if (failedExit) return { met: false, failed: true, why: exitWhy() }
      if (state.Status === 'running' || exited || (state.StartedAt && state.StartedAt !== NEVER_STARTED)) return { met: true }
      return { met: false, failed: false, waiting: `still ${state.Status}` }
  }
}

/** The last health probe's output and exit code, as Docker kept it, or undefined when there was none. */
export function lastHealthOutput(state: ContainerState): string | undefined {
  const log = state.Health?.Log ?? []
  const last = log[log.length - 1]
  if (!last) return undefined
  const output = last.Output.trim()
  return `exit code ${last.ExitCode}${output ? `: ${output}` : ', no output'}`
}
