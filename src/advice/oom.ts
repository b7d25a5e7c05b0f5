import { memoryReading } from '../units.js'
import type { PlatformRun } from '../report/report.js'

// An OOM kill (Docker's State.OOMKilled): the kernel killed the container's process for memory.
// With run-memory that is the limit the user set (swap at the same value, so there is no swap to
// spill into, as on Kubernetes); without it, the memory of the machine the engine runs on ran out.
// Said alike by the health row (killed before it was healthy) and the stop row (after).

/** SIGKILL as an exit code: what the OOM killer's kill gives PID 1. */
const SIGKILL_EXIT = 137

/**
 * "killed by the 256m limit (OOMKilled) 3.2 s after start"; when PID 1 outlived the kill (another
 * process was killed, and it exited with its own code): "exited (code 1) 3.2 s after start; a
 * process was OOM-killed by the 256m limit".
 */
export function oomValue(run: PlatformRun, exitCode: number | undefined, ranSeconds: number | undefined): string {
  const after = ranSeconds !== undefined ? ` ${ranSeconds} s after start` : ''
  const limit = run.settings?.memory?.text
  if (exitCode === undefined || exitCode === SIGKILL_EXIT) return `killed ${limit ? `by the ${limit} limit` : 'for memory'} (OOMKilled)${after}`
  return `exited (code ${exitCode})${after}; a process was OOM-killed${limit ? ` by the ${limit} limit` : ''}`
}

/** Why, as a clause: "it reached the run-memory limit (256m = 256 MiB, no swap), and the kernel's OOM killer ended it". */
export function oomCause(run: PlatformRun): string {
  const text = run.settings?.memory?.text
  const limit = text && (memoryReading(text)?.short ?? text)
  const why = limit ? `it reached the run-memory limit (${limit}, no swap)` : 'no run-memory was set, so the machine the engine runs on ran out of memory'
  return `${why}, and the kernel's OOM killer ended it`
}

/** What to do: raise the limit to production's, or make the app use less. */
export function oomFix(run: PlatformRun): string {
  if (run.settings?.memory) {
    return 'Raise run-memory to the limit it gets in production, or make the app use less (for Node, --max-old-space-size below the limit; for the JVM, -XX:MaxRAMPercentage).'
  }
  return "Make the app use less (for Node, --max-old-space-size; for the JVM, -XX:MaxRAMPercentage), or give the engine more memory; set run-memory to test it against production's limit."
}

/**
 * Exit 137 without OOMKilled under run-memory: SIGKILL, which is what the OOM killer sends, but
 * Docker did not say it was one (some engines on cgroup v2 record the OOM event after the exit, or
 * not at all). Said as a possibility, never as the verdict.
 */
export function maybeOomNote(run: PlatformRun, exitCode: number | undefined, oomKilled: boolean | undefined): string {
  const limit = run.settings?.memory?.text
  if (!limit || oomKilled || exitCode !== SIGKILL_EXIT) return ''
  return ` Code 137 is SIGKILL, which the kernel's OOM killer sends; Docker did not report an OOM kill, but it may have been the ${limit} limit (run-memory).`
}
