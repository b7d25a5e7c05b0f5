import type { Check, SmokeResult } from '../report/report.js'
import type { CheckRule } from './check.js'

// smoke-commands: each other process type passes if it exits 0 or is still running after smoke-seconds.

export const smokeCheck: CheckRule = (report, inputs) => (report.smoke ?? []).map(smoke => smokeRow(smoke, inputs.smokeSeconds))

function smokeRow(smoke: SmokeResult, smokeSeconds: number): Check {
  const limit = `exit 0, or running after ${smokeSeconds} s`
  if (smoke.outcome === 'running') {
    return { name: 'smoke', status: 'pass', value: `running after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}` }
  }
  if (smoke.exitCode === 0) {
    return { name: 'smoke', status: 'pass', value: `exited 0 after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}` }
  }
  return { name: 'smoke', status: 'fail', value: `exited (code ${smoke.exitCode}) after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}. Its last log lines are below.` }
}
