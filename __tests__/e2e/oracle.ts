import { execFileSync, spawnSync } from 'node:child_process'
import { docker } from './action.js'

// Docker's own behaviour on a second container of the image a test gated: what image-gate's
// verdict must agree with. Its containers carry no image-gate label and are removed before the
// call returns.

export interface DockerStopped {
  /** docker stop's signal to the exit, seconds, as the daemon's events stamp them */
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
    const since = (Date.now() / 1000 - 1).toFixed(3)
    const stop = spawnSync('docker', ['stop', '--time', String(timeout), id], { encoding: 'utf8' })
    if (stop.status !== 0) throw new Error(`docker stop failed: ${stop.stderr}`)
    // Docker's own clock: its kill event (the stop signal sent) to its die event, as the daemon
    // stamped them, without the CLI's start and the teardown after the exit
    const events = docker(['events', '--since', since, '--until', (Date.now() / 1000 + 1).toFixed(3), '--filter', `container=${id}`, '--format', '{{.Action}} {{.TimeNano}}'])
    const at = (action: string) => events.split('\n').map(line => line.split(' ')).find(([a]) => a === action)?.[1]
    const [signalled, died] = [at('kill'), at('die')]
    if (!signalled || !died) throw new Error(`docker events showed no kill and die for the oracle's container: ${events}`)
    return { seconds: Number(BigInt(died) - BigInt(signalled)) / 1e9, exitCode: Number(docker(['inspect', '--format', '{{.State.ExitCode}}', id])) }
  } finally {
    execFileSync('docker', ['rm', '--force', id], { stdio: 'ignore' })
  }
}
