import type { PlatformRun } from '../report/report.js'
import { exposedTcpPorts, probePorts } from '../health/ports.js'
import { probePort, probeTarget, servesNoPort, targetUrl, unlistenedExposed, type ProbeFacts, type ProbeTarget } from '../health/probe.js'
import { shellLine } from '../health/shell.js'

// What the health row tells an image without a working health check to do, from what the image
// really has (health/probe-advice.ts): the programs a probe can use, /bin/sh, the ports it listens
// on and what the port to probe speaks (HTTP, FastCGI, or neither). A suggested value is always
// labelled "Suggested" and written as one code span, apart from the command that failed.

type Health = PlatformRun['health']
type Suggested = NonNullable<Health['suggestedCmd']>
type Answer = NonNullable<Health['portAnswer']>

function facts(run: PlatformRun): ProbeFacts {
  return { exposed: run.image.exposedPorts ?? [], listening: run.health.listeningPorts, probed: probePorts(run.health.command ?? '') }
}

/** A worker (no port at all) has no endpoint to probe: it is judged by keeping running. */
export function isWorker(run: PlatformRun): boolean {
  return servesNoPort(facts(run), run.health.logTail ?? [])
}

/**
 * The advice after "The image has no HEALTHCHECK … and no health-cmd was given.": for a worker,
 * `require-healthcheck: false`; for an image without /bin/sh, the exec form (health-cmd cannot run
 * there) or `require-healthcheck: false`; for one that EXPOSEs a port nothing listens on, that;
 * else a HEALTHCHECK or health-cmd, with a suggested one fitted to what the port speaks.
 */
export function missingAdvice(run: PlatformRun, seconds: number): string {
  const s = run.health.suggestedCmd
  if (isWorker(run)) {
    return ` No process in the container listened on a TCP port (${run.health.listeningSeconds ?? seconds} s after start), so there is nothing to probe, as for a queue worker: set \`require-healthcheck: false\` to have it watched to keep running instead (the image's other process types can run as \`smoke-commands\`).`
  }
  const exposed = exposedTcpPorts(run.image.exposedPorts ?? [])
  if (run.health.listeningPorts?.length === 0 && exposed.length > 0) {
    const ports = [...new Set(exposed)].join(', ')
    return ` Nothing in the container listened on a TCP port (${run.health.listeningSeconds ?? seconds} s after start), though the image EXPOSEs ${ports}: no probe of ${ports} can pass until the app listens there. Check that the app starts its server on ${exposed[0]} (often its PORT environment variable); if it serves no port (a queue worker), remove the EXPOSE and set \`require-healthcheck: false\`.`
  }
  if (run.health.hasShell === false || s?.shell === false) {
    return ` It has no /bin/sh, so a health-cmd cannot run in it (Docker runs one with /bin/sh -c): add an exec-form HEALTHCHECK to the final stage of the Dockerfile, or set \`require-healthcheck: false\`.${protocolNote(run)}${s ? suggestion(run, s, 'dockerfile') : ''}`
  }
  // the sockets could not be read: a worker cannot be told from a server that EXPOSEs nothing
  const worker = run.health.listeningPorts === undefined && probePort(facts(run)) === undefined ? ' If it serves no port (a queue worker), set `require-healthcheck: false` instead.' : ''
  return ` Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.${protocolNote(run)}${s ? suggestion(run, s, 'health-cmd') : ''}${worker}`
}

/**
 * After a probe whose program is not in the image: a probe from what it has, as a Dockerfile line
 * for the image's own HEALTHCHECK, as a health-cmd line for health-cmd; "" when there is none.
 */
export function replacementAdvice(run: PlatformRun): string {
  const s = run.health.suggestedCmd
  // (no worker here: a probe that cannot run is judged about a second after start, maybe before the app listens)
  if (!s) return ''
  return `${protocolNote(run)}${suggestion(run, s, form(run, s), ' instead')}`
}

/**
 * After an HTTP probe that never passed: why it cannot, when the container shows it (nothing listens
 * on its port while the app listens on another, or the port speaks FastCGI or no HTTP at all), with
 * a probe that fits; "" when the port answered HTTP (the app's answer is the cause) or is not known.
 */
export function misfitAdvice(run: PlatformRun): string {
  const h = run.health
  const probed = probePorts(h.command ?? '')[0]
  const listening = h.listeningPorts ?? []
  if (probed === undefined || !h.portAnswer) return ''
  const s = h.suggestedCmd
  const instead = s ? suggestion(run, s, form(run, s), ' instead') : ''
  if (!listening.includes(probed) && h.portAnswer.port !== probed && listening.length > 0) {
    const other = h.portAnswer.port
    const exposed = exposedTcpPorts(run.image.exposedPorts ?? [])
    const also = exposed.includes(probed) && !exposed.includes(other) ? { says: ` (EXPOSE says ${probed} too)`, what: 'the probe and EXPOSE' } : { says: '', what: 'the probe' }
    return ` Nothing listens on port ${probed} in the container${also.says}: it listens on ${listening.join(', ')}. Point ${also.what} at ${other}, or make the app listen on ${probed} (often its PORT environment variable).${instead}`
  }
  if (h.portAnswer.port !== probed || !notHttp(h.portAnswer)) return ''
  return `${protocolNote(run, 'this HTTP probe cannot pass there, however long the app is given to start')}${instead}`
}

/** Whether the probe that failed cannot pass whatever the timing (misfitAdvice says why): then no "raise the start period". */
export function probeCannotPass(run: PlatformRun): boolean {
  return misfitAdvice(run) !== ''
}

function form(run: PlatformRun, s: Suggested): 'health-cmd' | 'dockerfile' {
  return run.health.source === 'health-cmd' && s.shell ? 'health-cmd' : 'dockerfile'
}

function notHttp(a: Answer): boolean {
  return a.protocol === 'fastcgi' || a.protocol === 'other' || a.protocol === 'silent'
}

/** " Port 9000 speaks FastCGI, not HTTP (…), so no HTTP probe can pass there." for a port that speaks no HTTP; "" otherwise. */
function protocolNote(run: PlatformRun, cannot = 'no HTTP probe (curl, wget) can pass there'): string {
  const a = run.health.portAnswer
  if (!a || !notHttp(a)) return ''
  const asked = a.by ? ` (asked with ${a.by} inside the container)` : ''
  if (a.protocol === 'fastcgi') return ` Port ${a.port} speaks FastCGI, not HTTP${asked}: the protocol a web server in front of it uses (nginx's fastcgi_pass), so ${cannot}.`
  const said = a.protocol === 'other' ? 'it answered an HTTP request with bytes that are not HTTP' : 'it accepted the connection but answered neither an HTTP nor a FastCGI request within 2 s'
  return ` Port ${a.port} does not speak HTTP${asked}: ${said}, so ${cannot}.`
}

/** " Suggested, from what the image has (python3; EXPOSE 8080): `health-cmd: python3 -c …` (…)." */
function suggestion(run: PlatformRun, s: Suggested, form: 'health-cmd' | 'dockerfile', instead = ''): string {
  const target = targetOf(run, s)
  const port = portNote(run, target.port)
  if (s.tool === 'app') {
    const exec = `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
    const does = target.kind === 'http' ? `requests ${targetUrl(target)} and exits 0 only when it answers` : `connects to port ${target.port ?? 'PORT'} and exits 0 only when it accepts`
    return ` Suggested${instead}, with the app's own binary (the image has no python, node, php, ruby, wget, curl or bash; ${port}): \`${exec}\`, a mode to add to the app that ${does}.`
  }
  const line = form === 'health-cmd' ? `health-cmd: ${shellLine(s.argv)}` : s.shell ? `HEALTHCHECK CMD ${shellLine(s.argv)}` : `HEALTHCHECK CMD [${s.argv.map(a => JSON.stringify(a)).join(', ')}]`
  return ` Suggested${instead}, from what the image has (${s.tool}; ${port}): \`${line}\` (${what(target, run.health.portAnswer)}).`
}

/** The target the suggestion was built for: its kind and path as the stage chose them, on the port it asked. */
function targetOf(run: PlatformRun, s: Suggested): ProbeTarget {
  const a = run.health.portAnswer
  const port = a?.port ?? probePort(facts(run))
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
function portNote(run: PlatformRun, port: number | undefined): string {
  if (port === undefined) return "no EXPOSE, so put the app's port for PORT"
  if (exposedTcpPorts(run.image.exposedPorts ?? []).includes(port)) return `EXPOSE ${port}`
  const unlistened = unlistenedExposed(facts(run))
  if (run.health.listeningPorts?.includes(port)) return unlistened.length > 0 ? `it listens on ${port}, not on EXPOSE ${unlistened.join(', ')}` : `it listens on ${port}`
  return 'the port the failing probe asked'
}
