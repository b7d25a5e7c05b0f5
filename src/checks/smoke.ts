import type { Check, PlatformRun, SmokeResult } from '../report/report.js'
import { logNote, startNote, type CheckRule, type JudgeInputs } from './check.js'
import { describeStop, stoppedCleanly, whyNot } from './stop.js'
import { dependencyNote } from '../advice/unreachable.js'
import { smokeProfileNote } from '../advice/profile-cause.js'
import { maybeOomNote, oomCause, oomFix, oomValue } from '../advice/oom.js'

// smoke-commands: each other process type passes if it exits 0 or is still running after
// smoke-seconds; one still running is then stopped like the main container, and judged so too.

export const smokeCheck: CheckRule = (run, inputs) => (run.smoke ?? []).map(smoke => smokeRow(smoke, inputs, run))

function smokeRow(smoke: SmokeResult, inputs: JudgeInputs, run: PlatformRun): Check {
  const limit = `exit 0, or running after ${inputs.smokeSeconds} s`
  if (smoke.outcome === 'running') {
    const stop = smoke.stop
    const value = `running after ${smoke.seconds} s${stop ? `; ${describeStop(stop)}` : ''}`
    const clean = !stop || stop.outcome === 'not-run' || (stop.outcome === 'gone' && stop.exitCode === 0) || stoppedCleanly(stop)
    if (clean || !inputs.requireGracefulStop) {
      const note = clean ? '' : `. ${whyNot(stop!, inputs.stopTimeout, run)} Not judged (require-graceful-stop: false).`
      return { name: 'smoke', status: 'pass', value, limit, detail: `command: ${smoke.command}${note}` }
    }
    return { name: 'smoke', status: 'fail', value, limit: `${limit}, then a clean stop`, detail: `command: ${smoke.command}. ${whyNot(stop!, inputs.stopTimeout, run)}` }
  }
  if (smoke.exitCode === 0) {
    return { name: 'smoke', status: 'pass', value: `exited 0 after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}` }
  }
  if (smoke.startError) {
    return { name: 'smoke', status: 'fail', value: `did not start (docker run exited ${smoke.exitCode})`, limit, detail: `command: ${smoke.command}. ${startNote(smoke.startError)}` }
  }
  if (smoke.oomKilled) {
    // killed for memory: the command's own fault only in what it allocates, said as the health row says it
    const value = oomValue(run, smoke.exitCode, smoke.seconds)
    return { name: 'smoke', status: 'fail', value, limit, detail: `command: ${smoke.command}. It stopped (exit code ${smoke.exitCode}): ${oomCause(run)}. ${oomFix(run)}${logNote(smoke)}` }
  }
  // a worker that cannot reach its queue says so in its log
  const dependency = dependencyNote(smoke.logTail ?? [], inputs.runNetwork)
  return { name: 'smoke', status: 'fail', value: `exited (code ${smoke.exitCode}) after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}.${maybeOomNote(run, smoke.exitCode, false)}${dependency}${smokeProfileNote(run, smoke)}${logNote(smoke)}` }
}
