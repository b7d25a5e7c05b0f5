import type { Inputs } from './inputs.js'
import { round, type Check, type Report, type SmokeResult } from './report.js'
import { formatSize } from './size.js'

// Judging: turns the measurements in the report into one row per check. Pure: no Docker, no I/O,
// so every verdict and message can be unit-tested. Rendering is separate (render.ts).

export function judge(report: Report, inputs: Inputs): void {
  report.checks = [buildCheck(report), healthCheck(report, inputs)]
  if (inputs.maxStartupTime !== undefined) report.checks.push(startupCheck(report, inputs.maxStartupTime))
  report.checks.push(sizeCheck(report, inputs), userCheck(report, inputs))
  for (const smoke of report.smoke ?? []) report.checks.push(smokeCheck(smoke, inputs))
  report.passed = !report.error && report.checks.every(check => check.status !== 'fail')
}

function notRun(name: Check['name'], report: Report): Check {
  return { name, status: 'skip', value: 'not run', limit: '', detail: report.build.ok ? 'not run' : 'not run: the build failed' }
}

function buildCheck(report: Report): Check {
  const b = report.build
  if (b.ok) {
    return { name: 'build', status: 'pass', value: `built in ${b.seconds} s`, limit: '', detail: `image ${shortId(report.image.id)}` }
  }
  const where = b.failedStep ? `failed at ${b.failedStep}` : 'failed'
  return {
    name: 'build',
    status: 'fail',
    value: 'failed',
    limit: '',
    detail: `${where}${b.error ? `: ${b.error}` : ''}. The end of the build log is below.`
  }
}

function healthCheck(report: Report, inputs: Inputs): Check {
  const h = report.health
  const limit = `healthy within ${inputs.healthTimeout} s`
  const probe = h.lastProbe ? ` Last probe exited ${h.lastProbe.exitCode}${h.lastProbe.output ? `: ${h.lastProbe.output}` : ''}.` : ''
  const by = h.source === 'health-cmd' ? `health-cmd: ${h.command}` : `HEALTHCHECK: ${h.command}`
  switch (h.verdict) {
    case 'healthy':
      return { name: 'health', status: 'pass', value: `healthy after ${h.startupSeconds ?? h.waitedSeconds} s`, limit, detail: by }
    case 'unhealthy':
      return {
        name: 'health',
        status: 'fail',
        value: 'unhealthy',
        limit,
        detail: `Docker marked the container unhealthy: it was not healthy within ${inputs.healthTimeout} s, then failed ${report.image.healthcheckRetries ?? 3} probes in a row (${by}).${probe} The container log is below.`
      }
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
        detail: `Docker had no verdict ${h.waitedSeconds} s after start: the probes did not finish (${by}).${probe} Check that the probe command returns quickly; raise health-timeout if the app needs longer.`
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

function startupCheck(report: Report, maxSeconds: number): Check {
  const startup = report.health.startupSeconds
  const limit = `≤ ${maxSeconds} s`
  if (startup === undefined) {
    return { name: 'startup', status: 'skip', value: 'not healthy', limit, detail: 'No startup time: the container never became healthy (see health).' }
  }
  const value = `${startup} s`
  if (startup <= maxSeconds) return { name: 'startup', status: 'pass', value, limit, detail: 'Container start to the first passing health probe.' }
  return {
    name: 'startup',
    status: 'fail',
    value,
    limit,
    detail: `Healthy ${round(startup - maxSeconds)} s later than max-startup-time. Look for slow work before the server listens (migrations, cache warm-up) or raise the budget.`
  }
}

function smokeCheck(smoke: SmokeResult, inputs: Inputs): Check {
  const limit = `exit 0, or running after ${inputs.smokeSeconds} s`
  if (smoke.outcome === 'running') {
    return { name: 'smoke', status: 'pass', value: `running after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}` }
  }
  if (smoke.exitCode === 0) {
    return { name: 'smoke', status: 'pass', value: `exited 0 after ${smoke.seconds} s`, limit, detail: `command: ${smoke.command}` }
  }
  return {
    name: 'smoke',
    status: 'fail',
    value: `exited (code ${smoke.exitCode}) after ${smoke.seconds} s`,
    limit,
    detail: `command: ${smoke.command}. Its last log lines are below.`
  }
}


function sizeCheck(report: Report, inputs: Inputs): Check {
  const size = report.image.size
  if (size === undefined) return notRun('size', report)
  const value = `${formatSize(size)} (${size.toLocaleString('en-US')} bytes)`
  if (!inputs.maxSize) return { name: 'size', status: 'skip', value, limit: '', detail: 'No max-size set: measured, not judged.' }
  const limit = `≤ ${inputs.maxSize.text}`
  if (size <= inputs.maxSize.bytes) {
    return { name: 'size', status: 'pass', value, limit, detail: `${formatSize(inputs.maxSize.bytes - size)} under the budget.` }
  }
  return {
    name: 'size',
    status: 'fail',
    value,
    limit,
    detail: `${formatSize(size - inputs.maxSize.bytes)} over the budget. See which layers are large with docker history; keep build tools in an earlier stage.`
  }
}

function userCheck(report: Report, inputs: Inputs): Check {
  const u = report.user
  if (report.health.verdict === 'skipped' && u.uid === undefined) return notRun('user', report)
  const configured = u.configured ? `USER ${u.configured}` : 'no USER (root)'
  if (u.uid === undefined) {
    return { name: 'user', status: 'skip', value: 'unknown', limit: '', detail: `${configured}; runtime user not read: ${u.unknownReason}.` }
  }
  const value = `UID ${u.uid}${u.gid !== undefined ? `, GID ${u.gid}` : ''}`
  const seen = `${configured}; PID 1 (${u.process}) runs as UID ${u.uid}.`
  if (!inputs.requireNonRoot) return { name: 'user', status: 'skip', value, limit: '', detail: `${seen} Not judged (require-non-root: false).` }
  if (u.uid !== 0) return { name: 'user', status: 'pass', value, limit: 'non-root', detail: seen }
  return {
    name: 'user',
    status: 'fail',
    value,
    limit: 'non-root',
    detail: `${seen} Create an unprivileged user in the final stage and switch to it, e.g. USER 1001.`
  }
}

export function shortId(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : '(unknown)'
}

/** One line for the step's failure message, e.g. "health: exited (code 3); user: UID 0, GID 0". */
export function failureLine(report: Report): string {
  if (report.error) return report.error.message
  const failed = report.checks.filter(c => c.status === 'fail')
  return `${failed.length} of ${report.checks.length} checks failed: ${failed.map(c => `${c.name} (${c.value})`).join('; ')}`
}
