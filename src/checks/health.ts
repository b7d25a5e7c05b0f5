import { DOCKER_DEFAULT_INTERVAL_S, DOCKER_DEFAULT_RETRIES } from '../docker/container.js'
import type { Check, PlatformRun } from '../report/report.js'
import { logNote, notRun, startNote, type CheckRule, type JudgeInputs } from './check.js'
import { dependencyNote } from '../advice/unreachable.js'
import { misfitAdvice, missingAdvice, probeCannotPass, replacementAdvice } from '../advice/health.js'
import { profileNote } from '../advice/profile-cause.js'
import { NO_HEALTHCHECK_WATCH_S } from '../health/rules.js'
import { formatSize } from '../units.js'
import { maybeOomNote, oomCause, oomFix, oomValue } from '../advice/oom.js'
import { exposedTcpPorts, portMismatch, probePorts } from '../health/ports.js'

// Docker's own health verdict, and what to do about each way of not being healthy.

export const healthCheck: CheckRule = (run, inputs) => [healthRow(run, inputs)]

function healthRow(run: PlatformRun, inputs: JudgeInputs): Check {
  const h = run.health
  const limit = `healthy within ${inputs.healthTimeout} s`
  const last = h.probes?.at(-1)
  const probe = last ? ` Last probe exited ${last.exitCode}${last.output ? `: ${last.output}` : ''}.` : ''
  const by = h.source === 'health-cmd' ? `health-cmd: ${h.command}` : `HEALTHCHECK: ${h.command}`
  switch (h.verdict) {
    case 'healthy':
      return { name: 'health', status: 'pass', value: `healthy after ${h.startupSeconds ?? h.waitedSeconds} s`, limit, detail: `${by}${probeNote(h.probeTimes)}${memoryNote(run, !h.probeTimes)}` }
    case 'unhealthy':
      return {
        name: 'health',
        status: 'fail',
        value: 'unhealthy',
        limit: h.rule === 'image-limit' ? `healthy within ${h.limitSeconds} s (the image's HEALTHCHECK)` : h.rule === 'start-period' ? `healthy within ${h.limitSeconds} s (health-start-period ${h.startPeriodSeconds} s + retries)` : limit,
        // what to do about a probe that cannot run comes after the failed command, apart from it
        detail: `${unhealthyWhy(run, inputs)} (${by}).${probe}${h.rule === 'cannot-run' ? cannotRunFix(run) : misfitAdvice(run) || wrongPort(run)}${dependency(run, inputs)}${profileNote(run)}${logNote(h, 'The container log is below.')}`
      }
    case 'exited':
      if (h.startError && h.ranSeconds === undefined) return notStarted(run, inputs)
      if (h.oomKilled) return oomKilled(run, inputs)
      if (!h.source && h.ranSeconds !== undefined) return exitedWatched(run, inputs)
      return {
        name: 'health',
        status: 'fail',
        value: `exited (code ${h.exitCode})`,
        limit: h.source ? limit : `keeps running for ${NO_HEALTHCHECK_WATCH_S} s`,
        detail: `The container stopped${h.ranSeconds !== undefined ? ` ${h.ranSeconds} s after start` : ''} before it was healthy.${maybeOomNote(run, h.exitCode, h.oomKilled)}${h.startError ? ` Docker said: ${h.startError.replace(/\.$/, '')}.` : ''}${dependency(run, inputs)}${profileNote(run)}${logNote(h)}`
      }
    case 'timeout':
      return {
        name: 'health',
        status: 'fail',
        value: `not healthy after ${inputs.healthTimeout} s`,
        limit,
        // verdictSeconds: from the container's start, as Docker stamps it (the wait began a little later)
        detail: `Docker had no verdict ${h.verdictSeconds ?? h.waitedSeconds} s after start: the probes did not finish (${by}).${probe}${misfitAdvice(run) || wrongPort(run)}${dependency(run, inputs)}${profileNote(run) || (probeCannotPass(run) ? '' : ' Check that the probe command returns quickly; raise health-timeout if the app needs longer.')}`
      }
    case 'missing':
      return missingRow(run, inputs)
    case 'skipped':
      return notRun('health', run)
  }
}

// Without a health check the container is only watched for a few seconds: the rows say so, how
// long it ran, and what it printed (a worker that logs an error every second still keeps running).

function exitedWatched(run: PlatformRun, inputs: JudgeInputs): Check {
  const h = run.health
  return {
    name: 'health',
    status: 'fail',
    value: `exited (code ${h.exitCode}) ${h.ranSeconds} s after start`,
    limit: `keeps running for ${NO_HEALTHCHECK_WATCH_S} s`,
    detail: `No health check, so the container was watched for ${NO_HEALTHCHECK_WATCH_S} s to see it keep running; it stopped ${h.ranSeconds} s after start.${maybeOomNote(run, h.exitCode, h.oomKilled)}${dependency(run, inputs)}${profileNote(run)}${logNote(h)}`
  }
}

/** Killed for memory before it was healthy (or while watched): its own verdict, with the limit that killed it (advice/oom.ts). */
function oomKilled(run: PlatformRun, inputs: JudgeInputs): Check {
  const h = run.health
  const when = h.source ? 'before it was healthy' : `while it was watched (no health check)`
  return {
    name: 'health',
    status: 'fail',
    value: oomValue(run, h.exitCode, h.ranSeconds),
    limit: h.source ? `healthy within ${inputs.healthTimeout} s` : `keeps running for ${NO_HEALTHCHECK_WATCH_S} s`,
    detail: `The container stopped ${when} (exit code ${h.exitCode}): ${oomCause(run)}. ${oomFix(run)}${logNote(h)}`
  }
}

/**
 * " 88.2 MB of memory used once healthy (33% of the 256m limit)." as docker stats counts it; nothing
 * when it could not be read (the memory row says why, when max-memory asks). `sentence`: the detail
 * before it has no full stop yet.
 */
export function memoryNote(run: PlatformRun, sentence: boolean): string {
  const m = run.health.memory
  if (!m) return ''
  const limit = run.settings?.memory
  const of = limit && m.limitBytes ? ` (${Math.round((m.usedBytes / m.limitBytes) * 100)}% of the ${limit.text} limit)` : ''
  return `${sentence ? '.' : ''} ${formatSize(m.usedBytes)} of memory used once healthy${of}.`
}

/** Docker could not start the image's command (docker run exited 126, 127, or 125 on the image's USER): it never ran. */
function notStarted(run: PlatformRun, inputs: JudgeInputs): Check {
  const h = run.health
  return {
    name: 'health',
    status: 'fail',
    value: `did not start (docker run exited ${h.exitCode})`,
    limit: h.source ? `healthy within ${inputs.healthTimeout} s` : `keeps running for ${NO_HEALTHCHECK_WATCH_S} s`,
    detail: `The container never ran: ${startNote(h.startError ?? '')}${profileNote(run) || " Check the image's CMD and ENTRYPOINT (or the command input) and its USER: Docker names what it could not use."}`
  }
}

function missingRow(run: PlatformRun, inputs: JudgeInputs): Check {
  const h = run.health
  const seconds = h.verdictSeconds ?? h.waitedSeconds ?? NO_HEALTHCHECK_WATCH_S
  const log = h.logTail?.length || h.logError ? logNote(h) : ''
  if (inputs.requireHealthcheck) {
    return {
      name: 'health',
      status: 'fail',
      value: 'no health check',
      limit: 'a HEALTHCHECK',
      detail: `The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given.${missingAdvice(run, seconds)} Meanwhile the container kept running for ${seconds} s (watched).${dependency(run, inputs)}${log}`
    }
  }
  return {
    name: 'health',
    status: 'pass',
    value: `kept running for ${seconds} s (watched)`,
    limit: `keeps running for ${NO_HEALTHCHECK_WATCH_S} s`,
    detail: `No HEALTHCHECK and no health-cmd (require-healthcheck: false): the container was watched for ${seconds} s and kept running.${dependency(run, inputs)}${log}`
  }
}

/** " The app logs that it listens on port 8080, but the probe asks port 3000 ..." when the two disagree. */
function wrongPort(run: PlatformRun): string {
  const h = run.health
  const m = portMismatch(h.command ?? '', h.logTail ?? [], run.image.exposedPorts ?? [])
  if (!m) return ''
  const app = m.listening.join(' and ')
  const expose = m.exposed.length > 0 ? ` and EXPOSE says ${m.exposed.join(', ')}` : ''
  const pointAt = m.exposed.includes(m.probe) && !m.exposed.some(p => m.listening.includes(p)) ? 'the probe and EXPOSE' : 'the probe'
  return ` The app logs that it listens on port ${app}, but the probe asks port ${m.probe}${expose}, so the probe finds nothing to answer it. Point ${pointAt} at ${m.listening[0]}, or make the app listen on ${m.probe} (often its PORT environment variable).`
}

/**
 * " The app could not reach `postgres:5432` (connection refused): ..." when the probes' output or the
 * container log shows a dependency the app could not reach; "" otherwise. The app's own ports (the
 * probe's, the image's EXPOSE) on loopback are the app not listening, not a dependency.
 */
function dependency(run: PlatformRun, inputs: JudgeInputs): string {
  const h = run.health
  const ownPorts = [...probePorts(h.command ?? ''), ...exposedTcpPorts(run.image.exposedPorts ?? [])]
  return dependencyNote([...(h.probes ?? []).map(p => p.output), ...(h.logTail ?? [])], inputs.runNetwork, ownPorts)
}

/** " Probe 14 ms median, 31 ms slowest (3 passing probes)." */
export function probeNote(times: PlatformRun['health']['probeTimes']): string {
  if (!times) return ''
  if (times.passing === 1) return `. Probe ${times.slowestMs} ms (1 passing probe).`
  return `. Probe ${times.medianMs} ms median, ${times.slowestMs} ms slowest (${times.passing} passing probes).`
}

/** Why the verdict is unhealthy, in the terms of the rule that decided it and the timing Docker used. */
function unhealthyWhy(run: PlatformRun, inputs: JudgeInputs): string {
  const h = run.health
  const image = run.image
  const retries = image.healthcheckRetries ?? DOCKER_DEFAULT_RETRIES
  const interval = image.healthcheckInterval ?? DOCKER_DEFAULT_INTERVAL_S
  const failed = `${retries} ${retries === 1 ? 'probe' : 'probes'} in a row`
  if (h.rule === 'cannot-run' && h.cannotRun) return cannotRunWhy(h.cannotRun)
  if (h.rule === 'image-limit') {
    const sp = image.healthcheckStartPeriod ? `start period ${image.healthcheckStartPeriod} s${startPeriodInterval(h, image)}, ` : ''
    return `No probe passed within the image's own limit (${sp}interval ${interval} s, retries ${retries}): Docker starts each probe one interval after the last one ended, so ${schedule(h, retries)}`
  }
  if (h.rule === 'start-period') {
    // a health-cmd's own limit: what the image's rule would say with health-start-period as the start period
    const n = h.failedProbes ?? DOCKER_DEFAULT_RETRIES
    return `The probe failed ${n} ${n === 1 ? 'time' : 'times'} after the start period and never passed: unhealthy at ${h.limitSeconds} s, on health-start-period ${h.startPeriodSeconds} s, then ${DOCKER_DEFAULT_RETRIES} failed probes a second apart (each a second after the last one ended${h.probeMs !== undefined ? `; the probes took up to ${h.probeMs} ms` : ''}${h.notReadyAtSeconds !== undefined ? `; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed` : ''})${probeCannotPass(run) ? '' : '. Raise health-start-period if the app needs longer to start'}`
  }
  if (inputs.fastHealth) return `Docker marked the container unhealthy: it was not healthy within ${inputs.healthTimeout} s, then failed ${failed}`
  // fast-health: false leaves Docker's timing as the image (or Docker's defaults) set it
  const when = h.verdictSeconds !== undefined ? ` ${h.verdictSeconds} s after start` : ''
  const timing =
    h.source === 'image'
      ? `the image's own HEALTHCHECK settings (interval ${interval} s, start period ${image.healthcheckStartPeriod ?? 0} s, retries ${retries})`
      : `Docker's default timing (interval 30 s, retries 3)${h.startPeriodSeconds ? ` with health-start-period ${h.startPeriodSeconds} s` : ''}`
  return `Docker marked the container unhealthy${when}, on ${timing}: no probe passed, then ${failed} failed (fast-health: false)`
}

/**
 * "with probes of up to 60 ms its 3rd failed probe in a row would start at 3.2 s and mark it
 * unhealthy at 3.3 s; a fast-health probe that started at 3.3 s still failed": the schedule's figures.
 */
function schedule(h: PlatformRun['health'], retries: number): string {
  const took = h.probeMs !== undefined ? `with probes of up to ${h.probeMs} ms ` : ''
  const nth = retries === 1 ? 'its first failed probe after the start period' : `its ${ordinal(retries)} failed probe in a row`
  const when = h.lastProbeSeconds !== undefined ? `would start at ${h.lastProbeSeconds} s and mark` : 'would mark'
  const proof = h.notReadyAtSeconds !== undefined ? `; a fast-health probe that started at ${h.notReadyAtSeconds} s still failed` : ''
  return `${took}${nth} ${when} it unhealthy at ${h.limitSeconds} s${proof}`
}

/** " (probes 5 s apart in it: Docker's default start interval)" where the start period is probed at another interval. */
function startPeriodInterval(h: PlatformRun['health'], image: PlatformRun['image']): string {
  const every = h.startPeriodIntervalSeconds
  if (every === undefined) return ''
  return image.healthcheckStartInterval === every ? `, start interval ${every} s` : ` (probes ${every} s apart in it: Docker's default start interval)`
}

function ordinal(n: number): string {
  const tens = n % 100
  const suffix = tens >= 11 && tens <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'
  return `${n}${suffix}`
}

/** A probe that cannot run: which program, and why. */
function cannotRunWhy({ program, why }: NonNullable<PlatformRun['health']['cannotRun']>): string {
  const name = program.split('/').pop() ?? program
  if (why === 'not-executable') return `The probe could not run: \`${program}\` is not executable in the image`
  if (name === 'sh' || name === 'bash') {
    return `The probe could not run: the image has no \`${program}\`, so a shell-form HEALTHCHECK (and health-cmd, which Docker also runs with a shell) cannot run`
  }
  return `The probe could not run: \`${program}\` is not in the image${program.includes('/') ? '' : ' (or not on its PATH)'}`
}

/** What to use instead of a probe that cannot run: only programs the image has (advice/health.ts). */
function cannotRunFix(run: PlatformRun): string {
  const h = run.health
  if (!h.cannotRun) return ''
  const { program, why } = h.cannotRun
  const name = program.split('/').pop() ?? program
  if (why === 'not-executable') return ` Make it executable in the Dockerfile (COPY --chmod=755, or RUN chmod +x), or run it through its interpreter (sh ${program}).`
  const unneeded = h.source === 'health-cmd' ? ', or set `require-healthcheck: false`' : ''
  if (name === 'sh' || name === 'bash') {
    const example = h.suggestedCmd ? '' : ', e.g. `HEALTHCHECK CMD ["/app/healthcheck"]`'
    return ` Use an exec-form HEALTHCHECK in the Dockerfile with a program the image has${example}${unneeded}.${replacementAdvice(run)}`
  }
  const instead = replacementAdvice(run)
  const install = program.includes('/') ? `Copy \`${program}\` into the final stage` : `Install ${name} in the final stage`
  return instead ? `${instead} Or: ${install.replace(/^./, c => c.toLowerCase())}.` : ` ${install}, or probe with a program the image has.`
}
