import { DOCKER_DEFAULT_RETRIES } from '../docker/container.js'
import type { Check, Report } from '../report/report.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'

// Docker's own health verdict, and what to do about each way of not being healthy.

export const healthCheck: CheckRule = (report, inputs) => [healthRow(report, inputs)]

function healthRow(report: Report, inputs: JudgeInputs): Check {
  const h = report.health
  const limit = `healthy within ${inputs.healthTimeout} s`
  const last = h.probes?.at(-1)
  const probe = last ? ` Last probe exited ${last.exitCode}${last.output ? `: ${last.output}` : ''}.` : ''
  const by = h.source === 'health-cmd' ? `health-cmd: ${h.command}` : `HEALTHCHECK: ${h.command}`
  switch (h.verdict) {
    case 'healthy':
      return { name: 'health', status: 'pass', value: `healthy after ${h.startupSeconds ?? h.waitedSeconds} s`, limit, detail: by }
    case 'unhealthy':
      return { name: 'health', status: 'fail', value: 'unhealthy', limit, detail: `${unhealthyWhy(report, inputs)} (${by}).${probe} The container log is below.` }
    case 'exited':
      return {
        name: 'health',
        status: 'fail',
        value: `exited (code ${h.exitCode})${h.oomKilled ? ', OOM-killed' : ''}`,
        limit: h.source ? limit : 'keeps running',
        detail: `The container stopped${h.ranSeconds !== undefined ? ` ${h.ranSeconds} s after start` : ''} before it was healthy${h.oomKilled ? ': the kernel killed it for using too much memory' : ''}. Its last log lines are below.`
      }
    case 'timeout':
      return {
        name: 'health',
        status: 'fail',
        value: `not healthy after ${inputs.healthTimeout} s`,
        limit,
        // verdictSeconds: from the container's start, as Docker stamps it (the wait began a little later)
        detail: `Docker had no verdict ${h.verdictSeconds ?? h.waitedSeconds} s after start: the probes did not finish (${by}).${probe} Check that the probe command returns quickly; raise health-timeout if the app needs longer.`
      }
    case 'missing':
      return {
        name: 'health',
        status: inputs.requireHealthcheck ? 'fail' : 'skip',
        value: 'no health check',
        limit: inputs.requireHealthcheck ? 'a HEALTHCHECK' : '',
        detail: inputs.requireHealthcheck
          ? 'The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given. Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.'
          : 'The image has no HEALTHCHECK and no health-cmd was given; not judged (require-healthcheck: false). The container kept running.'
      }
    case 'skipped':
      return notRun('health', report)
  }
}

/** Why Docker said unhealthy, in the terms of the timing it really used. */
function unhealthyWhy(report: Report, inputs: JudgeInputs): string {
  const retries = report.image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  const failed = `${retries} ${retries === 1 ? 'probe' : 'probes'} in a row`
  if (inputs.fastHealth) return `Docker marked the container unhealthy: it was not healthy within ${inputs.healthTimeout} s, then failed ${failed}`
  // fast-health: false leaves Docker's timing as the image (or Docker's defaults) set it
  const timing = report.health.source === 'image' ? "the image's own HEALTHCHECK timing" : "Docker's default timing (interval 30 s)"
  return `Docker marked the container unhealthy after ${failed} failed, probing on ${timing} (fast-health: false)`
}
