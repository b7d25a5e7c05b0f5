import type { Inputs } from '../inputs/inputs.js'
import { round, type Check, type Report, type SmokeResult } from '../report/report.js'
import { formatDelta, formatSize } from '../bytes.js'

// Judging: turns the measurements in the report into one row per check. Pure: no Docker, no I/O,
// so every verdict and message can be unit-tested. Rendering is separate (render.ts).

export function judge(report: Report, inputs: Inputs): void {
  report.checks = [buildCheck(report), healthCheck(report, inputs)]
  if (inputs.maxStartupTime !== undefined) report.checks.push(startupCheck(report, inputs.maxStartupTime))
  report.checks.push(sizeCheck(report, inputs))
  if (inputs.maxSizeIncrease) report.checks.push(sizeIncreaseCheck(report, inputs, inputs.maxSizeIncrease))
  report.checks.push(userCheck(report, inputs))
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
  const last = h.probes?.at(-1)
  const probe = last ? ` Last probe exited ${last.exitCode}${last.output ? `: ${last.output}` : ''}.` : ''
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
  const { size, compressedSize } = report.image
  if (size === undefined) return notRun('size', report)
  const compressed = compressedSize !== undefined ? `, compressed ${formatSize(compressedSize)}` : ''
  const value = `${formatSize(size)} (${size.toLocaleString('en-US')} bytes)${compressed}`
  const notes = [...sizeNotes(report)]
  if (!inputs.maxSize) return { name: 'size', status: 'skip', value, limit: '', detail: ['No max-size set: measured, not judged.', ...notes].join(' ') }
  const basis = inputs.sizeBasis === 'compressed' ? compressedSize : size
  const limit = `≤ ${inputs.maxSize.text}${inputs.sizeBasis === 'compressed' ? ' compressed' : ''}`
  if (basis === undefined) {
    return { name: 'size', status: 'fail', value, limit, detail: ['The compressed size could not be measured (see the warning in the log).', ...notes].join(' ') }
  }
  if (basis <= inputs.maxSize.bytes) {
    return { name: 'size', status: 'pass', value, limit, detail: [`${formatSize(inputs.maxSize.bytes - basis)} under the budget.`, ...notes].join(' ') }
  }
  return {
    name: 'size',
    status: 'fail',
    value,
    limit,
    detail: [`${formatSize(basis - inputs.maxSize.bytes)} over the budget. The largest layers are listed below; keep build tools in an earlier stage.`, ...notes].join(' ')
  }
}

/** What the size figures mean, and what they compare with. */
function* sizeNotes(report: Report): Generator<string> {
  const { size = 0, compressedSize, compressedBy, store } = report.image
  yield 'Sizes in decimal units (1 MB = 1,000,000 bytes, as docker images prints them).'
  if (store === 'containerd') yield 'The engine uses the containerd image store, where its size counts the image content as that store keeps it.'
  if (compressedBy === 'store') yield 'Compressed: the layer blobs as the containerd store keeps them.'
  else if (compressedSize !== undefined) yield 'Compressed: each layer through gzip -6, about what a push transfers.'
  const b = report.baseline
  if (b?.error) yield `No comparison with ${b.ref}: ${b.error}.`
  else if (b?.size !== undefined) {
    const zipped = compressedSize !== undefined && b.compressedSize !== undefined ? `; compressed ${formatDelta(compressedSize, b.compressedSize)}` : ''
    yield `${formatDelta(size, b.size)} compared with ${b.ref}${growthNote(size - b.size, b.growth)}${zipped}.`
  }
  const st = report.stages
  if (st?.error) yield `No stage comparison: ${st.error}.`
  else if (st?.size !== undefined) {
    const saved = st.size - size
    yield saved >= 0
      ? `Multi-stage payoff: ${formatSize(saved)} (${((saved / st.size) * 100).toFixed(0)}%) smaller than stage ${st.stage} (${formatSize(st.size)}).`
      : `The final image is ${formatSize(-saved)} larger than stage ${st.stage}: the multi-stage build saves nothing.`
  }
}

/** Which instruction the growth came from: "most of it from" only when that is true. */
function growthNote(delta: number, growth: NonNullable<Report['baseline']>['growth']): string {
  if (!growth || delta <= 0) return ''
  const layer = `${growth.instruction} (+${formatSize(growth.bytes)})`
  return growth.bytes * 2 >= delta ? `, most of it from ${layer}` : `; the largest growth: ${layer}`
}

function sizeIncreaseCheck(report: Report, inputs: Inputs, increase: NonNullable<Inputs['maxSizeIncrease']>): Check {
  const b = report.baseline
  const compressed = inputs.sizeBasis === 'compressed'
  const now = compressed ? report.image.compressedSize : report.image.size
  const before = compressed ? b?.compressedSize : b?.size
  const limit = 'percent' in increase.limit ? `≤ +${increase.limit.percent}%` : `≤ +${formatSize(increase.limit.bytes)}`
  if (now === undefined || before === undefined) {
    const why = b?.error ?? `the ${compressed ? 'compressed ' : ''}size of ${b?.ref ?? 'compare-to'} could not be measured`
    return { name: 'size-increase', status: 'fail', value: 'unknown', limit, detail: `No comparison: ${why}.` }
  }
  const delta = now - before
  const allowed = 'percent' in increase.limit ? (before * increase.limit.percent) / 100 : increase.limit.bytes
  const value = formatDelta(now, before)
  const detail = `${compressed ? 'Compressed size' : 'Size'} compared with ${b!.ref} (${formatSize(before)}).`
  if (delta <= allowed) return { name: 'size-increase', status: 'pass', value, limit, detail }
  const growth = b!.growth ? ` The largest growth: ${b!.growth.instruction} (+${formatSize(b!.growth.bytes)}${compressed ? ' uncompressed' : ''}).` : ''
  return { name: 'size-increase', status: 'fail', value, limit, detail: `${detail}${growth} The largest layers are listed below.` }
}

function userCheck(report: Report, inputs: Inputs): Check {
  const u = report.user
  if (report.health.verdict === 'skipped' && u.uid === undefined && u.resolvedUid === undefined) return notRun('user', report)
  const limit = inputs.requireNonRoot ? 'non-root' : ''
  const judged = (status: Check['status'], value: string, detail: string): Check =>
    inputs.requireNonRoot
      ? { name: 'user', status, value, limit, detail }
      : { name: 'user', status: 'skip', value, limit, detail: `${detail} Not judged (require-non-root: false).` }

  const user = report.image.user ?? ''
  const configured = describeConfigured(user, u)
  if (u.uid === undefined) {
    // The container died before it could be looked at: judge USER as the image resolves it.
    if (u.resolvedUid === undefined) {
      return { name: 'user', status: 'skip', value: 'unknown', limit: '', detail: `${configured}; runtime user not read: ${u.unknownReason}.` }
    }
    const value = `UID ${u.resolvedUid} (from USER)`
    const why = `${configured}. Runtime user not read (${u.unknownReason}), so this is USER as the image resolves it.`
    return u.resolvedUid === 0 ? judged('fail', value, `${why} ${fixRoot(user, u)}`) : judged('pass', value, why)
  }

  const value = `UID ${u.uid}${u.gid !== undefined ? `, GID ${u.gid}` : ''}`
  const others = (u.processes ?? []).filter(p => p.uid === 0 && p.pid !== u.pid)
  const rootOthers = others.length ? ` Also running as UID 0: ${others.map(p => `${p.command} (PID ${p.pid})`).join(', ')}.` : ''
  const seen = `${configured}; PID 1 (${u.process}) runs as UID ${u.uid}.${rootOthers}`
  if (u.uid !== 0 && others.length === 0) return judged('pass', value, seen)
  const fix = u.uid !== 0 ? 'Start every process as the unprivileged user, or drop the root helper.' : fixRoot(user, u)
  return judged('fail', value, `${seen} ${fix}`)
}

/** `user`: the image's USER ("" when unset). */
function describeConfigured(user: string, u: Report['user']): string {
  if (!user) return 'no USER (root)'
  if (u.unresolved) return `USER ${user} (${u.unresolved})`
  if (u.resolvedUid !== undefined && !/^\d+(:\d+)?$/.test(user)) return `USER ${user} (UID ${u.resolvedUid} in the image)`
  return `USER ${user}`
}

function fixRoot(user: string, u: Report['user']): string {
  if (user && u.resolvedUid === 0) return `USER ${user} is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001), or use a numeric USER.`
  return 'Create an unprivileged user in the final stage and switch to it, e.g. USER 1001.'
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
