import type { PlatformRun } from '../report/report.js'

// How fast-health probes, and a probe that can never pass: pure, so each can be tested on captured
// probe output. When Docker, on an image's own settings, would say unhealthy is probe-schedule.ts.

/**
 * How often Docker probes with fast-health, in seconds: every 0.1 s while the app starts, so its
 * startup is known to a tenth of a second (plus the probe's own run) and not to a whole interval.
 * Where the engine has a start interval (API 1.44, Docker 25+) only the start period is probed
 * that fast and a healthy container every second after; older engines have one interval for the
 * whole run, so it is 0.1 s throughout (each probe is one exec: a few a second is cheap).
 * Docker accepts intervals down to 1 ms on both.
 */
export const START_INTERVAL_S = 0.1
export const FAST_INTERVAL_S = 1

export interface ProbeTiming {
  /** the interval Docker probes at once the app is healthy */
  intervalSeconds: number
  /** the interval while it starts (Docker's start interval, or the one interval) */
  startIntervalSeconds: number
}

export function fastTiming(hasStartInterval: boolean): ProbeTiming {
  return hasStartInterval ? { intervalSeconds: FAST_INTERVAL_S, startIntervalSeconds: START_INTERVAL_S } : { intervalSeconds: START_INTERVAL_S, startIntervalSeconds: START_INTERVAL_S }
}

/** Without a health check the container is only watched this long, to see that it keeps running. */
export const NO_HEALTHCHECK_WATCH_S = 3

export type CannotRun = NonNullable<PlatformRun['health']['cannotRun']>

/** How a shell names itself at the start of its own error: "/bin/sh: ", "bash: ", "sh: ". */
const SHELL = '(?:/\\S*/)?(?:sh|ash|dash|bash|zsh): '

/**
 * Whether a probe failed because its program could not run at all: it will fail the same way
 * every time, so waiting longer only delays the verdict. Only the shapes the shell and the runtime
 * print for that count, with the exit codes they come with (127 not found, 126 not executable, -1
 * Docker could not start the exec), so an app's own check that prints "Not Found" for a 404 (and
 * exits 1, or curl's 22) is never taken for one. `command`: the check as written; the common
 * `curl -f URL || exit 1` turns the shell's 127 into 1, so a shell's own "not found" also counts
 * with another exit code when it names a program the check itself calls.
 */
export function cannotRun(exitCode: number, output: string, command = ''): CannotRun | undefined {
  if (exitCode === 0) return undefined
  const lines = output.split('\n').map(line => line.trim())
  for (const line of lines) {
    // ash/busybox "/bin/sh: curl: not found", dash "/bin/sh: 1: curl: not found",
    // bash "bash: line 1: curl: command not found" / "sh: curl: command not found"
    const m = new RegExp(`^${SHELL}(?:line \\d+: |\\d+: )?(.+?): (?:command )?not found$`).exec(line)
    if (m && (exitCode === 127 || calls(command, m[1]))) return { program: m[1], why: 'missing' }
  }
  for (const line of lines) {
    const m = new RegExp(`^${SHELL}(?:line \\d+: |\\d+: )?(.+?): (?:Permission denied|cannot execute.*)$`, 'i').exec(line)
    if (m && (exitCode === 126 || calls(command, m[1]))) return { program: m[1], why: 'not-executable' }
  }
  if (exitCode === -1 || exitCode === 126 || exitCode === 127) {
    // exec form (and a shell form in an image without /bin/sh), as the runtime words it:
    // exec: "curl": executable file not found in $PATH / exec: "/app/hc": stat /app/hc: no such file
    // or directory / exec: "/app/hc": permission denied
    const m = /exec: "([^"]+)": (executable file not found|stat [^:]+: no such file or directory|permission denied)/i.exec(output)
    if (m) return { program: m[1], why: /permission/i.test(m[2]) ? 'not-executable' : 'missing' }
  }
  return undefined
}

/** Whether `program` stands as a command word in the shell text `command` ("curl -f ... || exit 1"). */
function calls(command: string, program: string): boolean {
  const escaped = program.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  return new RegExp(`(?:^|[;&|(\\s])${escaped}(?:\\s|$)`).test(command)
}

/** `HEALTHCHECK NONE` and an inherited empty test both mean: no health check. */
export function healthcheckOf(test: string[] | undefined): string[] | undefined {
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined
  return test
}

/** ["CMD-SHELL", "wget ... || exit 1"] → "wget ... || exit 1"; ["CMD", "a", "b"] → "a b". */
export function describeHealthcheck(test: string[]): string {
  return test.slice(1).join(' ')
}
