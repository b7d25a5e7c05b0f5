import { judge } from '../../src/checks/index.js'
import type { JudgeInputs } from '../../src/checks/check.js'
import type { PlatformRun } from '../../src/report/report.js'

/** Judges the run and puts the verdict into it, as the pipeline does. */
export function judged<R extends PlatformRun>(run: R, inputs: JudgeInputs): R {
  return Object.assign(run, judge(run, inputs))
}
