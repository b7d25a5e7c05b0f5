import type { Report } from '../report/report.js'
import { exposedTcpPorts, probePorts } from '../health/ports.js'
import { probePort, probeTarget, servesNoPort, targetUrl, unlistenedExposed, type ProbeFacts, type ProbeTarget } from '../health/probe.js'
import { shellLine } from '../health/shell.js'

// What the health row tells an image without a working health check to do, from what the image
// really has (health/probe-advice.ts): the programs a probe can use, /bin/sh, the ports it listens
// on and what the port to probe speaks (HTTP, FastCGI, or neither). A suggested value is always
// labelled "Suggested" and written as one code span, apart from the command that failed.

type Health = Report['health']
type Suggested = NonNullable<Health['suggestedCmd']>
type Answer = NonNullable<Health['portAnswer']>

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
 * there) or `require-healthcheck: false`; for one that EXPOSEs a port nothing listens on, that;
 * else a HEALTHCHECK or health-cmd, with a suggested one fitted to what the port speaks.
 */
export function missingAdvice(report: Report, seconds: number): string {
  const s = report.health.suggestedCmd
  if (isWorker(report)) {
    return ` No process in the container listened on a TCP port (${report.health.listeningSeconds ?? seconds} s after start), so there is nothing to probe, as for a queue worker: set \`require-healthcheck: false\` to have it watched to keep running instead (the image's other process types can run as \`smoke-commands\`).`
  }
  const exposed = exposedTcpPorts(report.image.exposedPorts ?? [])
  if (report.health.listeningPorts?.length === 0 && exposed.length > 0) {
    const ports = [...new Set(exposed)].join(', ')
    return ` Nothing in the container listened on a TCP port (${report.health.listeningSeconds ?? seconds} s after start), though the image EXPOSEs ${ports}: no probe of ${ports} can pass until the app listens there. Check that the app starts its server on ${exposed[0]} (often its PORT environment variable); if it serves no port (a queue worker), remove the EXPOSE and set \`require-healthcheck: false\`.`
  }
  if (report.health.hasShell === false || s?.shell === false) {
    return ` It has no /bin/sh, so a health-cmd cannot run in it (Docker runs one with /bin/sh -c): add an exec-form HEALTHCHECK to the final stage of the Dockerfile, or set \`require-healthcheck: false\`.${protocolNote(report)}${s ? suggestion(report, s, 'dockerfile') : ''}`
  }
  // the sockets could not be read: a worker cannot be told from a server that EXPOSEs nothing
  const worker = report.health.listeningPorts === undefined && probePort(facts(report)) === undefined ? ' If it serves no port (a queue worker), set `require-healthcheck: false` instead.' : ''
  return ` Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.${protocolNote(report)}${s ? suggestion(report, s, 'health-cmd') : ''}${worker}`
}

/**
 * After a probe whose program is not in the image: a probe from what it has, as a Dockerfile line
 * for the image's own HEALTHCHECK, as a health-cmd line for health-cmd; "" when there is none.
 */
export function replacementAdvice(report: Report): string {
  const s = report.health.suggestedCmd
  // (no worker here: a probe that cannot run is judged about a second after start, maybe before the app listens)
  if (!s) return ''
  return `${protocolNote(report)}${suggestion(report, s, form(report, s), ' instead')}`
}

/**
 * After an HTTP probe that never passed: why it cannot, when the container shows it (nothing listens
 * on its port while the app listens on another, or the port speaks FastCGI or no HTTP at all), with
 * a probe that fits; "" when the port answered HTTP (the app's answer is the cause) or is not known.
 */
export function misfitAdvice(report: Report): string {
  const h = report.health
  const probed = probePorts(h.command ?? '')[0]
  const listening = h.listeningPorts ?? []
  if (probed === undefined || !h.portAnswer) return ''
  const s = h.suggestedCmd
  const instead = s ? suggestion(report, s, form(report, s), ' instead') : ''
  if (!listening.includes(probed) && h.portAnswer.port !== probed && listening.length > 0) {
    const other = h.portAnswer.port
    const exposed = exposedTcpPorts(report.image.exposedPorts ?? [])
    const also = exposed.includes(probed) && !exposed.includes(other) ? { says: ` (EXPOSE says ${probed} too)`, what: 'the probe and EXPOSE' } : { says: '', what: 'the probe' }
    return ` Nothing listens on port ${probed} in the container${also.says}: it listens on ${listening.join(', ')}. Point ${also.what} at ${other}, or make the app listen on ${probed} (often its PORT environment variable).${instead}`
  }
  if (h.portAnswer.port !== probed || !notHttp(h.portAnswer)) return ''
  return `${protocolNote(report, 'this HTTP probe cannot pass there, however long the app is given to start')}${instead}`
}

/** Whether the probe that failed cannot pass whatever the timing (misfitAdvice says why): then no "raise the start period". */
export function probeCannotPass(report: Report): boolean {
  return misfitAdvice(report) !== ''
}

function form(report: Report, s: Suggested): 'health-cmd' | 'dockerfile' {
  return report.health.source === 'health-cmd' && s.shell ? 'health-cmd' : 'dockerfile'
}

function notHttp(a: Answer): boolean {
  return a.protocol === 'fastcgi' || a.protocol === 'other' || a.protocol === 'silent'
}

/** " Port 9000 speaks FastCGI, not HTTP (…), so no HTTP probe can pass there." for a port that speaks no HTTP; "" otherwise. */
function protocolNote(report: Report, cannot = 'no HTTP probe (curl, wget) can pass there'): string {
  const a = report.health.portAnswer
  if (!a || !notHttp(a)) return ''
  const asked = a.by ? ` (asked with ${a.by} inside the container)` : ''
  if (a.protocol === 'fastcgi') return ` Port ${a.port} speaks FastCGI, not HTTP${asked}: the protocol a web server in front of it uses (nginx's fastcgi_pass), so ${cannot}.`
  const said = a.protocol === 'other' ? 'it answered an HTTP request with bytes that are not HTTP' : 'it accepted the connection but answered neither an HTTP nor a FastCGI request within 2 s'
  return ` Port ${a.port} does not speak HTTP${asked}: ${said}, so ${cannot}.`
}

/** " Suggested, from what the image has (python3; EXPOSE 8080): `health-cmd: python3 -c …` (…)." */
function suggestion(report: Report, s: Suggested, form: 'health-cmd' | 'dockerfile', instead = ''): string {
  const target = targetOf(report, s)
  const port = portNote(report, target.port)
  if (s.tool === 'app') {
    const exec = `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
    const does = target.kind === 'http' ? `requests ${targetUrl(target)} and exits 0 only when it answers` : `connects to port ${target.port ?? 'PORT'} and exits 0 only when it accepts`
    return ` Suggested${instead}, with the app's own binary (the image has no python, node, php, ruby, wget, curl or bash; ${port}): \`${exec}\`, a mode to add to the app that ${does}.`
  }
  const line = form === 'health-cmd' ? `health-cmd: ${shellLine(s.argv)}` : s.shell ? `HEALTHCHECK CMD ${shellLine(s.argv)}` : `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
  return ` Suggested${instead}, from what the image has (${s.tool}; ${port}): \`${line}\` (${what(target, report.health.portAnswer)}).`
}

/** The target the suggestion was built for: its kind and path as the stage chose them, on the port it asked. */
function targetOf(report: Report, s: Suggested): ProbeTarget {
  const a = report.health.portAnswer
  const port = a?.port ?? probePort(facts(report))
  const answered = a && a.port === port ? a : undefined
  return { ...probeTarget(port, answered), kind: s.kind ?? 'http', ...(s.path !== undefined && { path: s.path }) }
}

/** What the suggested probe does, and whether it passes as it is. */
function what(target: ProbeTarget, a: Answer | undefined): string {
  if (target.kind === 'fastcgi') return 'a FastCGI management request, FCGI_GET_VALUES: it passes when the server answers it, without running a script'
  if (target.kind === 'tcp') return 'a TCP connect: it passes while the port accepts connections'
  const health = a?.healthStatus
  if (health === undefined || a?.protocol !== 'http') return "point /health at the app's health endpoint"
  if (target.path === '/health' && health < 400) return `GET /health answered ${health} there`
  if (target.path === '/') return `GET /health answered ${health} and GET / ${a.rootStatus}, so it asks /: point it at the app's health endpoint if it has one`
  return `GET /health answered ${health}: point /health at the app's health endpoint`
}

/** Where the probe's port comes from: EXPOSE, the socket it listens on, or PORT to fill in. */
function portNote(report: Report, port: number | undefined): string {
  if (port === undefined) return "no EXPOSE, so put the app's port for PORT"
  if (exposedTcpPorts(report.image.exposedPorts ?? []).includes(port)) return `EXPOSE ${port}`
  const unlistened = unlistenedExposed(facts(report))
  if (report.health.listeningPorts?.includes(port)) return unlistened.length > 0 ? `it listens on ${port}, not on EXPOSE ${unlistened.join(', ')}` : `it listens on ${port}`
  return 'the port the failing probe asked'
}
