import { plain } from '../strip-escapes.js'

// Which port the app says it listens on (its log), which one the health probe asks (its URL), and
// which ones the image EXPOSEs: a probe on a port the app never opens can never pass, and the
// health row says so. Pure, so each log shape is tested on lines the frameworks really print.

/** Words an app's "I am serving" line uses: Express, Fastify, Nest, Hono, Go, uvicorn, gunicorn, puma, Spring. */
const LISTENING = /\b(?:listen(?:ing)?|running|started|serving|ready|available|bound)\b/i
/**
 * Lines about something else the app talks to or opens beside its server: a dependency it
 * connected to, or the debugger (node --inspect logs "Debugger listening on ws://127.0.0.1:9229").
 */
const NOT_THE_SERVER = /connect|redis|postgres|mysql|mongo|amqp|rabbit|kafka|database|debugger|inspector|metrics|prometheus/i
/** The port of a listen line, most telling first: in a URL, after the word "port", after an address. */
const PORT_SHAPES = [
  /\bhttps?:\/\/(?:\[[0-9a-f:.]*\]|[\w.-]*)?:(\d{1,5})\b/i, // http://0.0.0.0:8080, http://[::1]:3000
  /\bport(?:s|\(s\))?\s*(?:[:=]\s*|\s)(\d{1,5})\b/i, // port 8080, port: 8080, port(s): 8080
  /(?:^|[\s(=])(?:\[[0-9a-f:.]*\]|\d{1,3}(?:\.\d{1,3}){3}|localhost|\*)?:(\d{1,5})\b(?!:\d)/i // :8080, 0.0.0.0:8080, [::]:1323
]

const valid = (port: number) => port >= 1 && port <= 65535

/** The ports the app's log says it listens on, in the order first logged (none when it says nothing). */
export function listeningPorts(log: string[]): number[] {
  const ports: number[] = []
  for (const raw of log) {
    const line = plain(raw.slice(0, 2000))
    const word = LISTENING.exec(line)
    if (!word || NOT_THE_SERVER.test(line)) continue
    // only after the word: a timestamp before it ("11:50:00 PM") is not a port
    const rest = line.slice(word.index)
    for (const shape of PORT_SHAPES) {
      const m = shape.exec(rest)
      if (!m) continue
      const port = Number(m[1])
      if (valid(port) && !ports.includes(port)) ports.push(port)
      break
    }
  }
  return ports
}

/**
 * The ports a probe command asks on the container itself (loopback or localhost): from its URLs,
 * 80 or 443 when a URL names none. A probe of another host is not about the app's own port.
 */
export function probePorts(command: string): number[] {
  const ports: number[] = []
  const urls = /\b(https?):\/\/(\[[^\]\s]*\]|[^\s/:'"]+)(?::(\d{1,5}))?/gi
  for (const m of command.matchAll(urls)) {
    if (!/^(?:localhost|127(?:\.\d+){3}|0\.0\.0\.0|\[::1?\])$/i.test(m[2])) continue
    const port = m[3] ? Number(m[3]) : m[1].toLowerCase() === 'https' ? 443 : 80
    if (valid(port) && !ports.includes(port)) ports.push(port)
  }
  return ports
}

/** EXPOSE as the image config keeps it ("8080/tcp", "53/udp"): the TCP ports, lowest first. */
export function exposedTcpPorts(exposed: string[]): number[] {
  return exposed
    .filter(p => !/\/(?:udp|sctp)$/i.test(p))
    .map(p => Number(p.split('/')[0]))
    .filter(valid)
    .sort((a, b) => a - b)
}

export interface PortMismatch {
  /** what the app's log says it listens on */
  listening: number[]
  /** what the probe asks */
  probe: number
  exposed: number[]
}

/** The probe asks a port the app's log never names while the log names another: it cannot pass. */
export function portMismatch(command: string, log: string[], exposed: string[]): PortMismatch | undefined {
  const probe = probePorts(command)
  const listening = listeningPorts(log)
  if (probe.length === 0 || listening.length === 0 || probe.some(p => listening.includes(p))) return undefined
  return { listening, probe: probe[0], exposed: exposedTcpPorts(exposed) }
}
