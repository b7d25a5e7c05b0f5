import { judge } from '../../src/checks/index.js'
import type { JudgeInputs } from '../../src/checks/check.js'
import type { Report } from '../../src/report/report.js'

/** Judges the report and puts the verdict into it, as the pipeline does. */
export function judged<R extends Report>(report: R, inputs: JudgeInputs): R {
  return Object.assign(report, judge(report, inputs))
}
