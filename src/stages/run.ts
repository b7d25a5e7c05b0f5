import { randomBytes } from 'node:crypto'
import { noteContainer, RUN_ID, RUN_LABEL } from '../docker/cleanup.js'
import { docker, lastLine } from '../docker/docker.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Report } from '../report/report.js'

// Stage 3: start the built image as a detached container. Everything image-gate creates carries
// the label below and an "image-gate-" name, so cleanup only ever touches our own containers.

export const LABEL = 'io.github.image-gate'

function labels(): string[] {
  return ['--label', `${LABEL}=true`, '--label', `${RUN_LABEL}=${RUN_ID}`]
}

/** A name for a container this run is about to create (which cleanup then has to remove). */
export function containerName(): string {
  noteContainer()
  return `image-gate-${randomBytes(6).toString('hex')}`
}

/** The run-time health flags: fast probing so the verdict comes when the app is ready. */
export function healthFlags(inputs: Inputs, imageHasHealthcheck: boolean): string[] {
  const flags: string[] = []
  if (inputs.healthCmd) flags.push('--health-cmd', inputs.healthCmd)
  if (inputs.fastHealth && (inputs.healthCmd || imageHasHealthcheck)) {
    // Probe every second instead of the image's interval (often 30 s). The start period covers the
    // whole wait, so a slow starter is not failed while it boots; the image's timeout and command stay.
    flags.push('--health-interval=1s', `--health-start-period=${inputs.healthTimeout}s`)
  }
  return flags
}

export function runArgs(inputs: Inputs, image: string, name: string, imageHasHealthcheck: boolean): string[] {
  const args = ['run', '--detach', '--name', name, ...labels()]
  for (const pair of inputs.env) args.push('--env', pair)
  args.push(...healthFlags(inputs, imageHasHealthcheck))
  args.push(image)
  if (inputs.command) args.push(...inputs.command)
  return args
}

/** A smoke container: same image and env, another command, no health check of its own. */
export function smokeArgs(inputs: Inputs, image: string, name: string, command: string[]): string[] {
  const args = ['run', '--detach', '--name', name, ...labels(), '--no-healthcheck']
  for (const pair of inputs.env) args.push('--env', pair)
  return [...args, image, ...command]
}

/** Starts the container; returns false (with the reason in the report) when Docker could not. */
export async function startContainer(inputs: Inputs, name: string, report: Report): Promise<boolean> {
  const image = report.image.id ?? report.tag
  const result = await docker(runArgs(inputs, image, name, report.image.healthcheck !== undefined))
  if (result.exitCode === 0) return true
  // e.g. the command's executable is missing: Docker creates the container but cannot start it.
  report.health.verdict = 'exited'
  report.health.exitCode = result.exitCode
  report.health.logTail = [lastLine(result.stderr)]
  return false
}

export async function removeContainer(name: string): Promise<void> {
  await docker(['rm', '--force', '--volumes', name])
}

/** The last lines the container printed, stdout and stderr in the order they were written. */
export async function logTail(name: string, lines = 50): Promise<string[]> {
  const r = await docker(['logs', '--timestamps', '--tail', String(lines), name])
  const stamped = [...r.stdout.split('\n'), ...r.stderr.split('\n')].filter(l => l !== '')
  // Each line starts with an RFC 3339 timestamp of fixed width per engine, so text order is time order.
  stamped.sort((a, b) => (a.slice(0, 35) < b.slice(0, 35) ? -1 : a.slice(0, 35) > b.slice(0, 35) ? 1 : 0))
  return stamped.slice(-lines).map(l => l.replace(/^\S+ /, ''))
}
