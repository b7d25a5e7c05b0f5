import { plain } from '../strip-escapes.js'

// Reads a failed container's output (log tail, health-probe outputs: untrusted text) for the
// dependency the app could not reach, so the health row can name it instead of pointing at the raw
// log. A backend on the wrong network (run-network, run-add-hosts) shows up as a refused connection
// or a name that does not resolve, worded differently by each runtime and client.

export type Why = 'refused' | 'unresolved' | 'timed-out' | 'no-route'
export interface Unreachable {
  target: string // host:port when both are known, else the host (or the address)
  why: Why
}

// Errno numbers as Python, redis-py and MySQL print them, then the words every runtime uses.
function reason(text: string): Why | undefined {
  if (/refused|\b111\b|couldn't connect to server/i.test(text)) return 'refused'
  if (/-[23]\b|not known|no such host|resolv|ENOTFOUND|EAI_AGAIN|misbehaving|nodename/i.test(text)) return 'unresolved'
  if (/timed? ?out|\b110\b/i.test(text)) return 'timed-out'
  if (/no route|unreach|\b113\b/i.test(text)) return 'no-route'
}

// One pattern per message shape; named groups: host, port (optional), why (text for reason()), or
// a fixed why. Each stays on one line except libpq's old two-line message.
const shapes: [RegExp, Why?][] = [
  [/connect (?<why>ECONNREFUSED|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH) (?<addr>\S+:\d+)/g], // Node.js
  [/getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (?<host>[\w.-]+)/g, 'unresolved'],
  [/wget: bad address '(?<hostport>[^'\s]+)'/g, 'unresolved'], // busybox
  [/wget: can't connect to remote host \((?<host>[^)\s]+)\): (?<why>.*)/g],
  [/unable to resolve host address .(?<host>[\w.-]+)/g, 'unresolved'], // GNU wget
  [/Connecting to (?<host>[\w.-]+) \([^)]*\)\|[^|]*\|:(?<port>\d+)\.\.\. failed: (?<why>.*)/g],
  [/Failed to connect to (?<host>\S+) port (?<port>\d+)[^:\n]*: (?<why>.*)/g, 'refused'], // curl
  [/Could not resolve host: (?<host>[\w.-]+)/g, 'unresolved'],
  [/could not translate host name "(?<host>[^"]+)"/g, 'unresolved'], // libpq
  [/connection to server at "(?<host>[^"]+)"(?: \([^)]*\))?, port (?<port>\d+) failed: (?<why>.*)/g],
  [
    /could not connect to server: (?<why>.*)\n[^\n]{0,80}?Is the server running on host "(?<host>[^"]+)"[^\n]*\n?[^\n]{0,80}?connections on port (?<port>\d+)/g
  ],
  [/Error (?<why>-?\d+) connecting to (?<hostport>\S+?)\.(?:\s|$)/g], // redis-py
  [/\[Errno (?<why>-?\d+)\] Connect call failed \('(?<host>[^']+)', (?<port>\d+)/g], // asyncio
  [/ConnectionPool\(host='(?<host>[^']+)', port=(?<port>\d+)\).*?(?<why>\[Errno -?\d+\].*)/g], // urllib3
  [/Can't connect to MySQL server on '(?<hostport>[^']+)'(?<why>.*)/g],
  [/Unknown MySQL server host '(?<host>[^']+)'/g, 'unresolved'],
  [/lookup (?<host>[\w.-]+)(?: on \S+)?: (?:no such host|server misbehaving|i\/o timeout|Temporary)/g, 'unresolved'], // Go
  [/dial (?:tcp|udp)[46]? (?<addr>\S+:\d+): (?<why>.*)/g],
  [/(?<![\w.:[\]-])(?<addr>[\w.:[\]-]{1,60}:\d+) \((?<host>[\w.-]+)\): dial error: (?<why>.*)/g], // pgx v5 names the host (token start, bounded: no literal to anchor it)
  [/UnknownHostException: (?<host>[\w.-]+)/g, 'unresolved'], // Java
  [/Connection refused: (?<host>[\w.-]*)\/(?<addr>\S+:\d+)/g, 'refused'], // Netty
  [/Connection to (?<hostport>\S+) refused/g, 'refused'] // PostgreSQL JDBC
]

const loopback = /^(?:localhost|127(?:\.\d+){3}|::1|0\.0\.0\.0|::)$/i
const address = /^(?:[\d.]+|[0-9a-f:]*:[0-9a-f:.]*)$/i
const hostLike = /^(?:[\w.-]+|[0-9a-f:.]+)$/i

// "host:port", "[v6]:port" or a bare host; `portLast` for Node/Go addresses, which always end in a
// port even when the host is an unbracketed IPv6 address.
function split(text: string, portLast: boolean): [string, string] {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? (portLast || text.split(':').length === 2 ? /^(.*):(\d+)$/.exec(text) : null)
  return m ? [m[1], m[2] ?? ''] : [text, '']
}

function hostPort(host: string, port: string): string {
  const h = host.includes(':') ? `[${host}]` : host
  return port ? `${h}:${port}` : h
}

// The most telling match: a named host beats an address (it says which service, and the name is
// what run-network must provide), and among equals the last one wins (the app's latest attempt,
// after any retries). Loopback targets on the app's own probed ports are the app itself not
// listening, not a dependency; so is a loopback target with no port, which is how busybox wget
// reports a refused probe (`can't connect to remote host (127.0.0.1)`).
export function findUnreachable(lines: string[], opts: { ownPorts?: number[] } = {}): Unreachable | undefined {
  const text = lines.map(l => plain(l.slice(0, 4000))).join('\n')
  let best: { u: Unreachable; named: boolean; at: number } | undefined
  for (const [re, fixed] of shapes) {
    for (const m of text.matchAll(re)) {
      const g = m.groups ?? {}
      const [found, port] = g.addr ? split(g.addr, true) : g.hostport ? split(g.hostport, false) : [g.host, g.port ?? '']
      const host = g.host && g.addr ? g.host : found // Netty "name/ip:port", pgx "ip:port (name)": the name
      const why = (g.why !== undefined ? reason(g.why) : undefined) ?? fixed
      if (!why || !host || !hostLike.test(host)) continue
      if (loopback.test(host) && (!port || opts.ownPorts?.includes(Number(port)))) continue
      const named = !address.test(host) && !loopback.test(host)
      const at = m.index ?? 0
      if (!best || (named !== best.named ? named : at >= best.at)) best = { u: { target: hostPort(host, port), why }, named, at }
    }
  }
  return best?.u
}

const label: Record<Why, string> = { refused: 'connection refused', unresolved: 'unresolved', 'timed-out': 'timed out', 'no-route': 'no route' }
// The target and network come from untrusted output and input: one short code span each.
function clean(text: string): string {
  const s = text.replace(/[`\p{Cc}]/gu, '')
  return s.length > 100 ? `${s.slice(0, 99)}…` : s
}

// One or two short sentences for the health row; runNetwork is the run-network input ('' = unset).
export function unreachableSentence(u: Unreachable, runNetwork: string): string {
  const t = `\`${clean(u.target)}\``
  const net = clean(runNetwork)
  const setIt = 'set run-network (on GitHub, `${{ job.services.NAME.network }}`)'
  const bridge = `The container ran on Docker's default bridge, where service names do not resolve: ${setIt}.`
  const host = split(u.target, false)[0]
  const shared = sharedNetwork(u, t, net, loopback.test(host))
  if (shared) return shared
  if (loopback.test(host)) {
    const fix = net ? `point the app at the service's name on \`${net}\` (run-network)` : `point the app at the service's name and ${setIt}`
    return `The app could not reach ${t} (${label[u.why]}): inside the container, localhost is the container itself, so ${fix}, or start that process in the image.`
  }
  switch (u.why) {
    case 'refused':
      return net
        ? `The app could not reach ${t} (connection refused): is the service running, on \`${net}\` (run-network) and listening on that port?`
        : `The app could not reach ${t} (connection refused): is the service running? ${bridge}`
    case 'unresolved':
      return net
        ? `The app could not resolve ${t}: is a service by that name on \`${net}\` (run-network)? Else add a host entry with run-add-hosts.`
        : `The app could not resolve ${t}: the container ran on Docker's default bridge, which resolves no service names; ${setIt}, or add a host entry with run-add-hosts.`
    case 'timed-out':
    case 'no-route': {
      const what = u.why === 'timed-out' ? `timed out connecting to ${t}` : `has no route to ${t}`
      const where = net ? `on \`${net}\` (run-network)` : 'on the network the container joins (run-network is unset: Docker\'s default bridge)'
      return `The app ${what}: is the address right and ${where}, with no firewall in between?`
    }
  }
}

/**
 * run-network host, container:NAME and none are not networks the container has a place of its own
 * on: with host and container:NAME it shares another's stack, so localhost is the host (or that
 * container) and service names of Docker's networks do not resolve; with none it has no network.
 */
function sharedNetwork(u: Unreachable, t: string, net: string, toLoopback: boolean): string | undefined {
  const what = u.why === 'unresolved' ? `could not resolve ${t}` : `could not reach ${t} (${label[u.why]})`
  if (net === 'none') return `The app ${what}: with run-network: none the container has no network at all; set run-network to the network its services are on.`
  const owner = net === 'host' ? 'host' : net.startsWith('container:') ? `container \`${net.slice('container:'.length)}\`` : undefined
  if (!owner) return undefined
  const shares = `with run-network: ${net} the container shares the network of the ${owner}`
  if (toLoopback) return `The app ${what}: ${shares}, so localhost is that ${owner === 'host' ? 'host' : 'container'}: is the service running there and listening on that port (on localhost, not only on another address)?`
  if (u.why === 'unresolved') {
    // Docker takes --add-host with host networking, and refuses it with container:NAME
    const or = owner === 'host' ? ', or add a host entry with run-add-hosts' : ''
    return `The app ${what}: ${shares}, where the service names of Docker's networks do not resolve: use the address (and published port) the service has from there${or}.`
  }
  return `The app ${what}: ${shares}: is the service running at that address, listening on that port, and reachable from there with no firewall in between?`
}

/** " The app could not reach …" for a detail, or "" when the lines name no unreachable dependency. */
export function dependencyNote(lines: string[], runNetwork: string, ownPorts: number[] = []): string {
  const found = findUnreachable(lines, { ownPorts })
  return found ? ` ${unreachableSentence(found, runNetwork)}` : ''
}
