import { execFileSync, spawnSync } from 'node:child_process'
import { docker } from './action.js'

// Docker's own behaviour on a second container of the image a test gated: what image-gate's
// verdict must agree with. Its containers carry no image-gate label and are removed before the
// call returns.

export interface DockerStopped {
  /** docker stop's wall time, seconds */
  seconds: number
  /** the exit code Docker recorded */
  exitCode: number
}

/**
 * `docker stop -t TIMEOUT` on a fresh container of `image`, once it is up: healthy by Docker's own
 * probe (the image's HEALTHCHECK command, probed every 0.1 s so the wait is short), or, without a
 * HEALTHCHECK, `upSeconds` after start.
 */
export function dockerStop(image: string, timeout: number, upSeconds = 1): DockerStopped {
  const id = docker(['run', '--detach', '--health-interval=100ms', image])
  try {
    const until = Date.now() + 30_000
    const hasCheck = docker(['inspect', '--format', '{{if .State.Health}}yes{{end}}', id]) === 'yes'
    for (;;) {
      const status = docker(['inspect', '--format', '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}', id])
      if (!status.startsWith('running')) throw new Error(`the oracle's container of ${image} is ${status} before it was stopped`)
      if (hasCheck ? status.endsWith('healthy') && !status.endsWith('unhealthy') : false) break
      if (Date.now() > until) throw new Error(`the oracle's container of ${image} was not healthy within 30 s (${status})`)
      execFileSync('sleep', [hasCheck ? '0.1' : String(upSeconds)])
      if (!hasCheck) break
    }
    const started = process.hrtime.bigint()
    const stop = spawnSync('docker', ['stop', '--time', String(timeout), id], { encoding: 'utf8' })
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    if (stop.status !== 0) throw new Error(`docker stop failed: ${stop.stderr}`)
    return { seconds, exitCode: Number(docker(['inspect', '--format', '{{.State.ExitCode}}', id])) }
  } finally {
    execFileSync('docker', ['rm', '--force', id], { stdio: 'ignore' })
  }
}
