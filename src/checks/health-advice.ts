import type { Report } from '../report/report.js'
import { exposedTcpPorts, probePorts } from '../rules/ports.js'
import { probePort, probeUrl, servesNoPort, type ProbeFacts } from '../rules/probe.js'
import { shellLine } from '../rules/shell.js'

// What the health row tells an image without a working health check to do, from what the image
// really has (stages/probe-advice.ts): the programs a probe can use, /bin/sh, and the ports it
// listens on. A suggested value is always labelled "Suggested" and written as one code span, apart
// from the command that failed.

type Health = Report['health']
type Suggested = NonNullable<Health['suggestedCmd']>

function facts(report: Report): ProbeFacts {
  return { exposed: report.image.exposedPorts ?? [], listening: report.health.listeningPorts, probed: probePorts(report.health.command ?? '') }
}

/** A worker (no port at all) has no endpoint to probe: it is judged by keeping running. */
export function isWorker(report: Report): boolean {
  return servesNoPort(facts(report), report.health.logTail ?? [])
}

/**
 * The advice after "The image has no HEALTHCHECK … and no health-cmd was given.": for a worker,
 * `require-healthcheck: false`; for an image without /bin/sh, the exec form (health-cmd cannot run
 * there) or `require-healthcheck: false`; else a HEALTHCHECK or health-cmd, with a suggested one.
 */
export function missingAdvice(report: Report, seconds: number): string {
  const s = report.health.suggestedCmd
  if (isWorker(report)) {
    return ` No process in the container listened on a TCP port (${report.health.listeningSeconds ?? seconds} s after start), so there is nothing to probe, as for a queue worker: set \`require-healthcheck: false\` to have it watched to keep running instead (the image's other process types can run as \`smoke-commands\`).`
  }
  if (report.health.hasShell === false || s?.shell === false) {
    return ` It has no /bin/sh, so a health-cmd cannot run in it (Docker runs one with /bin/sh -c): add an exec-form HEALTHCHECK to the final stage of the Dockerfile, or set \`require-healthcheck: false\`.${s ? suggestion(report, s, 'dockerfile') : ''}`
  }
  // the sockets could not be read: a worker cannot be told from a server that EXPOSEs nothing
  const worker = report.health.listeningPorts === undefined && probePort(facts(report)) === undefined ? ' If it serves no port (a queue worker), set `require-healthcheck: false` instead.' : ''
  return ` Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.${s ? suggestion(report, s, 'health-cmd') : ''}${worker}`
}

/**
 * After a probe whose program is not in the image: a probe from what it has, as a Dockerfile line
 * for the image's own HEALTHCHECK, as a health-cmd line for health-cmd; "" when there is none.
 */
export function replacementAdvice(report: Report): string {
  const s = report.health.suggestedCmd
  // (no worker here: a probe that cannot run is judged about a second after start, maybe before the app listens)
  if (!s) return ''
  const form = report.health.source === 'health-cmd' && s.shell ? 'health-cmd' : 'dockerfile'
  return suggestion(report, s, form, ' instead')
}

/** " Suggested, from what the image has (python3; EXPOSE 8080): `health-cmd: python3 -c …` (…)." */
function suggestion(report: Report, s: Suggested, form: 'health-cmd' | 'dockerfile', instead = ''): string {
  const url = probeUrl(facts(report))
  const port = portNote(report)
  if (s.tool === 'app') {
    const exec = `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
    return ` Suggested${instead}, with the app's own binary (the image has no python, node, wget or curl; ${port}): \`${exec}\`, a mode to add to the app that requests ${url} and exits 0 only when it answers.`
  }
  const line = form === 'health-cmd' ? `health-cmd: ${shellLine(s.argv)}` : s.shell ? `HEALTHCHECK CMD ${shellLine(s.argv)}` : `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
  return ` Suggested${instead}, from what the image has (${s.tool}; ${port}): \`${line}\` (point /health at the app's health endpoint).`
}

/** Where the probe's port comes from: EXPOSE, the socket it listens on, or PORT to fill in. */
function portNote(report: Report): string {
  const port = probePort(facts(report))
  if (port === undefined) return "no EXPOSE, so put the app's port for PORT"
  if (exposedTcpPorts(report.image.exposedPorts ?? []).includes(port)) return `EXPOSE ${port}`
  return report.health.listeningPorts?.includes(port) ? `it listens on ${port}` : `the port the failing probe asked`
}
