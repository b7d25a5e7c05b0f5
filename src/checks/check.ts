import type { Inputs } from '../inputs/inputs.js'
import type { Check, PlatformRun } from '../report/report.js'

// What every check is: a pure function from the measurements (a platform run as the stages left it)
// and the inputs that set its limits to its rows in the table: none when it does not apply, one
// usually, one per command for smoke. No Docker, no I/O, so every verdict is unit-tested.

export type JudgeInputs = Pick<
  Inputs,
  'healthTimeout' | 'fastHealth' | 'requireHealthcheck' | 'maxStartupTime' | 'maxProbeTime' | 'maxSize' | 'sizeBasis' | 'maxSizeIncrease' | 'requireBaseline' | 'requireNonRoot' | 'requireCleanContents' | 'smokeSeconds' | 'stopTimeout' | 'requireGracefulStop' | 'runNetwork' | 'runProfile' | 'readOnly' | 'runMemory' | 'maxMemory'
>

export type CheckRule = (run: PlatformRun, inputs: JudgeInputs) => Check[]

/** The row of a check whose stage did not run. */
export function notRun(name: Check['name'], run: PlatformRun): Check {
  return { name, status: 'skip', value: 'not run', limit: '', detail: run.build.ok ? 'not run' : 'not run: the build failed' }
}

/**
 * " Its last log lines are below." when the container printed something; Docker's complaint, as
 * Docker's, when it could not give the log; else that it printed nothing.
 */
export function logNote(log: { logTail?: string[]; logError?: string }, below = 'Its last log lines are below.'): string {
  if (log.logTail?.length) return ` ${below}`
  if (log.logError) return ` Docker could not give the container's log: ${log.logError.replace(/\.$/, '')}.`
  return ' The container printed nothing.'
}

/** " Docker could not start it: exec: "node": executable file not found in $PATH." */
export function startNote(startError: string): string {
  return `Docker could not start it: ${startError.replace(/\.$/, '')}.`
}
