import type { Check, PlatformRun } from '../report/report.js'
import { buildCheck } from './build.js'
import type { CheckRule, JudgeInputs } from './check.js'
import { contentsCheck } from './contents.js'
import { healthCheck } from './health.js'
import { memoryCheck } from './memory.js'
import { platformCheck } from './platform.js'
import { probeTimeCheck } from './probe-time.js'
import { sizeIncreaseCheck } from './size-increase.js'
import { sizeCheck } from './size.js'
import { smokeCheck } from './smoke.js'
import { startupCheck } from './startup.js'
import { stopCheck } from './stop.js'
import { userCheck } from './user.js'

// Judging: the checks, in the order their rows appear in the table. A new check is a file in this
// folder (a CheckRule) and one line here.

export const CHECKS: CheckRule[] = [buildCheck, platformCheck, healthCheck, startupCheck, probeTimeCheck, memoryCheck, sizeCheck, sizeIncreaseCheck, userCheck, contentsCheck, stopCheck, smokeCheck]

export interface Verdict {
  checks: Check[]
  /** no check failed (the report's own verdict also needs no error: pipeline.ts) */
  passed: boolean
}

export function judge(run: PlatformRun, inputs: JudgeInputs): Verdict {
  const checks = CHECKS.flatMap(check => check(run, inputs))
  return { checks, passed: checks.every(check => check.status !== 'fail') }
}
