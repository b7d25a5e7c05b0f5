import { shellLine } from '../health/shell.js'
import { applyProbe, type DeployProbeTool } from './probe-cmd.js'
import type { Collected } from './settings.js'
import { child, items, keysOf, scalar, str, strings, textOf, wholeNumber, type Here } from './yaml-tree.js'

// The container's probe as the health check Docker runs: the readinessProbe (ready to serve is
// what image-gate waits for), else the startupProbe, else the livenessProbe. httpGet and tcpSocket
// become a probe written like src/health's (health-cmd), exec its command as it is; grpc needs a
// client the image may not have, so it is a note. The startupProbe's allowance (initialDelaySeconds
// + periodSeconds × failureThreshold) is the start period, as Kubernetes waits that long.

const KINDS = ['httpGet', 'tcpSocket', 'exec', 'grpc']
/** Kubernetes' defaults for a probe's timing */
const PERIOD = 10
const FAILURES = 3

export function readProbe(out: Collected, container: Here, tool: DeployProbeTool): void {
  const startup = child(container, 'startupProbe')
  const probe = child(container, 'readinessProbe') ?? startup ?? child(container, 'livenessProbe')
  if (!probe) return
  const kinds = keysOf(probe).filter(k => KINDS.includes(k))
  if (kinds.length !== 1) {
    const has = keysOf(probe).filter(k => !TIMING.includes(k))
    const what = kinds.length ? `more than one kind (${kinds.join(', ')})` : has.length ? `no kind Kubernetes knows (it has ${has.join(', ')})` : 'no kind'
    throw out.error(probe, `${probe.short} has ${what}: a probe has one of httpGet, tcpSocket, exec, grpc`)
  }
  const handler = child(probe, kinds[0])!
  switch (kinds[0]) {
    case 'httpGet':
      httpGet(out, container, handler, tool)
      break
    case 'tcpSocket': {
      const port = portOf(out, container, handler)
      applyProbe(out, tool, { kind: 'tcp', port, path: '', line: handler.line, key: handler.key }, `${handler.short} on port ${port}`)
      break
    }
    case 'exec':
      out.input('health-cmd', shellLine(strings(out, child(handler, 'command') ?? handler)), handler)
      break
    default:
      out.note(`${handler.short} on port ${portOf(out, container, handler)}: Docker's health check cannot ask gRPC's health service without a client in the image (grpc_health_probe), so no health-cmd is written; give one in health-cmd.`, handler)
  }
  timing(out, probe, startup)
}

const TIMING = ['initialDelaySeconds', 'periodSeconds', 'timeoutSeconds', 'successThreshold', 'failureThreshold', 'terminationGracePeriodSeconds']

function httpGet(out: Collected, container: Here, handler: Here, tool: DeployProbeTool): void {
  const port = portOf(out, container, handler)
  const pathAt = child(handler, 'path')
  const path = pathAt ? str(out, pathAt) : '/'
  const scheme = textOf(handler, 'scheme') || 'HTTP'
  if (scheme.toUpperCase() === 'HTTPS') {
    out.note(`${handler.short} asks HTTPS on port ${port} (Kubernetes skips the certificate check), which image-gate's probes do not: no health-cmd is written; give one in health-cmd.`, child(handler, 'scheme')!)
    return
  }
  const host = child(handler, 'host')
  if (host) out.note(`${host.short} "${textOf(handler, 'host')}" is not asked: the probe asks 127.0.0.1 inside the container.`, host)
  const headers = child(handler, 'httpHeaders')
  if (headers) out.note(`${headers.short} are not sent by the probe.`, headers)
  applyProbe(out, tool, { kind: 'http', port, path, line: handler.line, key: handler.key }, `${handler.short} on port ${port}`)
}

/** A probe's port: a number, or the name of one of the container's ports. */
function portOf(out: Collected, container: Here, handler: Here): number {
  const at = child(handler, 'port')
  if (!at) throw out.error(handler, `${handler.short} has no port`)
  const value = scalar(at)
  if (typeof value === 'string') {
    const ports = items(child(container, 'ports'))
    const named = ports.find(p => textOf(p, 'name') === value)
    if (named) return wholeNumber(out, child(named, 'containerPort')!, 1)
    const names = ports.map(p => textOf(p, 'name')).filter(Boolean)
    throw out.error(at, `${at.short} "${value}" is not the name of one of the container's ports (${names.length ? names.join(', ') : 'it names none'})`)
  }
  const port = wholeNumber(out, at, 1)
  if (port > 65535) throw out.error(at, `${at.short} must be a port from 1 to 65535; got ${port}`)
  return port
}

function timing(out: Collected, probe: Here, startup: Here | undefined): void {
  const seconds = (h: Here | undefined, name: string, least = 0) => {
    const at = child(h, name)
    return at ? { at, n: wholeNumber(out, at, least) } : undefined
  }
  const period = seconds(probe, 'periodSeconds', 1)
  if (period) out.extra('healthInterval', `${period.n}s`, period.at)
  const timeout = seconds(probe, 'timeoutSeconds', 1)
  if (timeout) out.extra('healthProbeTimeout', `${timeout.n}s`, timeout.at)
  const failures = seconds(probe, 'failureThreshold', 1)
  if (failures) out.extra('healthRetries', String(failures.n), failures.at)
  if (startup) {
    const delay = seconds(startup, 'initialDelaySeconds')?.n ?? 0
    const allowance = delay + (seconds(startup, 'periodSeconds', 1)?.n ?? PERIOD) * (seconds(startup, 'failureThreshold', 1)?.n ?? FAILURES)
    out.input('health-start-period', String(allowance), startup)
    return
  }
  const delay = seconds(probe, 'initialDelaySeconds')
  if (delay) out.input('health-start-period', String(delay.n), delay.at)
}
