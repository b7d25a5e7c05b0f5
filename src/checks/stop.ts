import { constants } from 'node:os'
import type { Check, PlatformRun, Stop } from '../report/report.js'
import { cleanExit } from '../docker/container.js'
import { initAdvice } from '../advice/init-process.js'
import { relayAdvice, rubyExit } from '../advice/signal-relay.js'
import { shellFormAdvice, shellFormWarning } from '../advice/build-checks.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'
import { oomCause, oomFix } from '../advice/oom.js'

// stop: after the health wait and the user check the container is stopped as an orchestrator
// stops it (its stop signal, SIGKILL after stop-timeout). It passes when it exits within
// stop-timeout, cleanly: 0, or 128 + the signal (the default action of a process that did not
// handle it, e.g. 143 for SIGTERM).

export const stopCheck: CheckRule = (run, inputs) => {
  const stop = run.stop
  if (!stop) return [notRun('stop', run)]
  return [judged(stopRow(stop, inputs, run), inputs)]
}

function stopRow(stop: Stop, inputs: JudgeInputs, run: PlatformRun): Check {
  const limit = `exits within ${inputs.stopTimeout} s of ${stop.signal}`
  if (stop.outcome === 'not-run') return { name: 'stop', status: 'skip', value: 'not run', limit: '', detail: 'not run: the container had already exited (see health).' }
  const outcome = describeStop(stop)
  if (stoppedCleanly(stop)) {
    return { name: 'stop', status: 'pass', value: outcome, limit, detail: `${who(stop)} exited on ${stop.signal}, as docker stop and Kubernetes expect.` }
  }
  if (stop.outcome === 'gone' || stop.signal === 'SIGKILL') return { name: 'stop', status: 'fail', value: outcome, limit, detail: whyNot(stop, inputs.stopTimeout, run) }
  // the app had a handler and PID 1 kept the signal from it: that is the cause, and making the app
  // PID 1 the fix; else a shell-form CMD that BuildKit already warned of: that warning is the cause
  const warning = shellFormWarning(run, stop)
  const relay = relayAdvice(stop, run, warning)
  const killed = killedLine(stop, inputs.stopTimeout)
  const detail = relay ? `${killed} ${relay}` : warning ? `${killed} ${shellFormAdvice(warning, run, stop.signal)}` : whyNot(stop, inputs.stopTimeout, run)
  return { name: 'stop', status: 'fail', value: outcome, limit, detail }
}

/**
 * Exited on its stop signal: 0, or 128 + the signal (the default action of a process that did not
 * handle it). Never on SIGKILL: exit 137 then means it was killed outright, not that it shut down.
 */
export function stoppedCleanly(stop: Stop): boolean {
  return stop.outcome === 'exited' && stop.signal !== 'SIGKILL' && stop.exitCode !== undefined && cleanExit(stop.exitCode, stop.signal)
}

/** "exited 0, 0.04 s after SIGTERM", "killed after 10 s", "killed after 0.06 s (SIGTERM lost)" or "exited on its own (code 1)". */
export function describeStop(stop: Stop): string {
  if (stop.outcome === 'gone') return `exited on its own (code ${stop.exitCode})${stop.oomKilled ? ', OOM-killed' : ''}`
  if (stop.outcome !== 'killed') return `exited ${stop.exitCode}, ${stop.seconds} s after ${stop.signal}`
  // the seconds really waited: next to nothing for a signal known lost
  return `killed after ${stop.waitedSeconds ?? stop.seconds} s${stop.unhandled ? ` (${stop.signal} lost)` : ''}`
}

/** What went wrong with a stop, and the fix, written for the image in `report`. Shared with the smoke rows. */
export function whyNot(stop: Stop, timeout: number, run: PlatformRun): string {
  if (stop.outcome === 'gone' && stop.oomKilled) {
    const ran = stop.ranSeconds !== undefined ? ` ${stop.ranSeconds} s after start` : ''
    return `${who(stop)} stopped${ran} (exit code ${stop.exitCode}), after it was healthy and before image-gate went to stop it: ${oomCause(run)}. ${oomFix(run)}`
  }
  if (stop.outcome === 'gone') {
    const ran = stop.ranSeconds !== undefined ? `, ${stop.ranSeconds} s after it started` : ''
    return (
      `${who(stop)} exited on its own with code ${stop.exitCode}${ran}: after the health wait, before image-gate went to stop it. ` +
      'A service that crashes or quits right after it is ready is restarted in a loop in production; its log says why.'
    )
  }
  if (stop.signal === 'SIGKILL') {
    return (
      "The image's STOPSIGNAL is SIGKILL: docker stop and Kubernetes kill it outright, so it never shuts down gracefully (in-flight requests dropped, nothing flushed). " +
      'Remove STOPSIGNAL SIGKILL (SIGTERM is the default) and handle SIGTERM in the app.'
    )
  }
  if (stop.outcome === 'exited' && stop.go && stop.exitCode === 2) {
    // Go's runtime catches every signal; with no handler of the app's it re-raises it with the default
    // action, which the kernel does not apply to PID 1, and then exits 2 itself
    return (
      `${who(stop)} exited with code 2 on ${stop.signal}. It is a Go program, and exit 2 is Go's runtime, not the app's code: with no handler for ${stop.signal}, ` +
      "the runtime ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 2 instead. " +
      `Handle it: ctx, stop := signal.NotifyContext(context.Background(), syscall.${stop.signal}); when ctx is done, shut the server down (srv.Shutdown, which finishes in-flight requests) and return from main, which exits 0.`
    )
  }
  const ruby = stop.outcome === 'exited' && stop.exitCode === 1 ? rubyExit(stop.pid1, stop.signal) : undefined
  if (ruby) return `${who(stop)} exited with code 1 on ${stop.signal}. ${ruby} Or run it under an init, as whose child it dies of the signal (${signalExit(stop.signal)}): ${initAdvice(run)}`
  if (stop.outcome === 'exited') {
    return `${who(stop)} exited with code ${stop.exitCode} on ${stop.signal}: a clean shutdown exits 0 (or 128 + the signal). Finish in-flight work, close connections, and exit 0 when ${stop.signal} arrives.`
  }
  const killed = killedLine(stop, timeout)
  if (stop.init) return `${killed} PID 1 is ${stop.init}, which passed ${stop.signal} on: the app itself ignores it. Handle ${stop.signal} in the app (close the server, then exit).`
  return `${killed} No init runs in the container, and PID 1 ignores ${stop.signal} unless the app handles it: handle ${stop.signal} in the app, or run it under an init that passes it on: ${initAdvice(run)}`
}

/** "exit 143" for SIGTERM: what a process killed by the signal exits with, as Docker records it. */
function signalExit(signal: string): string {
  const number = (constants.signals as Record<string, number>)[signal]
  return number !== undefined ? `exit ${128 + number}` : 'exit 128 + the signal'
}

function killedLine(stop: Stop, timeout: number): string {
  const orchestrator = `docker stop would kill it (SIGKILL) after ${timeout} s, Kubernetes after 30 s, dropping whatever it was doing`
  const waited = stop.waitedSeconds ?? 0
  if (stop.reset) {
    // Node's own handler restores the terminal and re-raises the signal: a no-op for PID 1
    const own = stop.pid1?.split('/').pop() === 'node' ? " (Node's own, which restores the terminal and re-raises the signal: the kernel drops it for PID 1)" : ''
    const ports = stop.listening?.length ? `, still listening on ${stop.listening.join(', ')}` : ''
    return (
      `${who(stop)} caught ${stop.signal} only to reset its handler${own}, and ${waited} s later ran on with no handler left${ports}, so it was not shutting down: ` +
      `${orchestrator}. image-gate killed it then instead of waiting that out.`
    )
  }
  if (stop.unhandled) {
    return (
      `${who(stop)} has no handler for ${stop.signal} and does not wait for it, and in its own PID namespace PID 1 gets no signal it does not handle: the kernel dropped it, so ${orchestrator}. ` +
      `image-gate killed it ${waited} s after the signal instead of waiting that out.`
    )
  }
  return `${who(stop)} did not exit within ${timeout} s of ${stop.signal} and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing.`
}

function who(stop: Stop): string {
  return stop.pid1 ? `PID 1 (${stop.pid1})` : 'The container'
}

/** require-graceful-stop: false reports the stop without judging it. */
function judged(check: Check, inputs: JudgeInputs): Check {
  if (inputs.requireGracefulStop || check.status !== 'fail') return check
  return { ...check, status: 'skip', detail: `${check.detail} Not judged (require-graceful-stop: false).` }
}
