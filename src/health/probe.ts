import { exposedTcpPorts, listeningPorts } from './ports.js'
import type { PortAnswer } from './protocol.js'
import { PROBE_TOOLS } from '../report/probe-schema.js'

// The health probe suggested for an image, built from a program it has and fitted to what its port
// speaks (health/protocol.ts asks it): shared by the stage that looks for the programs
// (health/probe-tools.ts) and the check that shows the suggestion. Pure.

// The programs a probe can be built from, in order of fit (PROBE_TOOLS), are listed once, in the
// report's schema (report/probe-schema.ts), so the schema imports nothing from health/.
export type ProbeTool = (typeof PROBE_TOOLS)[number]

/** What the probe speaks: HTTP, a FastCGI request (php-fpm's port), or only a TCP connect (a raw port). */
export type ProbeKind = 'http' | 'fastcgi' | 'tcp'

/** Which programs can write each kind of probe in a line. */
const CAN: Record<ProbeKind, readonly ProbeTool[]> = {
  http: PROBE_TOOLS,
  fastcgi: ['python3', 'python', 'node', 'php', 'ruby'],
  tcp: ['python3', 'python', 'node', 'php', 'ruby', 'bash', 'app']
}

/** The language an image runs, as its processes and its command name it. */
export type Language = 'php' | 'ruby' | 'node' | 'python'

const LANGUAGES: [Language, RegExp, ProbeTool[]][] = [
  // php-fpm, php-fpm8.2, the official image's apache2-foreground, FrankenPHP
  ['php', /^(?:php(?:-fpm|-cgi)?[\d.]*|apache2-foreground|frankenphp)$/, ['php']],
  // puma sets its process title ("puma 6.4.2 (tcp://…)")
  ['ruby', /^(?:ruby[\d.]*|puma|unicorn|rails|rackup|bundle|bundler|thin|falcon|sidekiq|passenger)\b/, ['ruby']],
  ['node', /^(?:node|nodejs|npm|npx|yarn|pnpm)$/, ['node']],
  ['python', /^(?:python[\d.]*|gunicorn|uvicorn|hypercorn|daphne|celery|waitress-serve|flask)$/, ['python3', 'python']]
]

/** The language of the first of `words` (process names, then the command's words) that names one. */
export function languageOf(words: string[]): Language | undefined {
  for (const word of words) {
    const name = word.slice(word.lastIndexOf('/') + 1)
    const found = LANGUAGES.find(([, re]) => re.test(name))
    if (found) return found[0]
  }
  return undefined
}

/** The tools in the order they are tried: the image's own language first, then PROBE_TOOLS' order. */
export function toolOrder(language?: Language): ProbeTool[] {
  const own = LANGUAGES.find(([l]) => l === language)?.[2] ?? []
  return [...own, ...PROBE_TOOLS.filter(t => !own.includes(t))]
}

export interface ProbeFacts {
  /** EXPOSE as the image config keeps it ("8080/tcp") */
  exposed: string[]
  /** the TCP ports the container listened on (undefined: not known) */
  listening?: number[]
  /** the ports a failing probe asked on loopback (health/ports.ts probePorts) */
  probed?: number[]
}

/**
 * The port to probe: one the app listens on that EXPOSE or the failing probe names, else one it
 * listens on (nothing listens on what EXPOSE says), else EXPOSE's, else the failing probe's (the
 * app may not be listening yet, or the sockets could not be read).
 */
export function probePort({ exposed, listening = [], probed = [] }: ProbeFacts): number | undefined {
  const declared = [...exposedTcpPorts(exposed), ...probed]
  return declared.find(p => listening.includes(p)) ?? listening[0] ?? exposedTcpPorts(exposed)[0] ?? probed[0]
}

/**
 * The EXPOSEd ports nothing listens on, when the sockets were read and something listens elsewhere,
 * or nothing listens at all.
 */
export function unlistenedExposed({ exposed, listening }: ProbeFacts): number[] {
  if (listening === undefined) return []
  return [...new Set(exposedTcpPorts(exposed))].filter(p => !listening.includes(p))
}

/**
 * Whether the container serves no port at all (a queue worker): it listened on none after the
 * wait, EXPOSEs none and its log names none. Only when the sockets could be read.
 */
export function servesNoPort(facts: ProbeFacts, log: string[]): boolean {
  return facts.listening !== undefined && facts.listening.length === 0 && exposedTcpPorts(facts.exposed).length === 0 && listeningPorts(log).length === 0
}

/** What a suggested probe asks: its kind, its port (undefined: PORT to fill in) and, for HTTP, the path. */
export interface ProbeTarget {
  kind: ProbeKind
  port?: number
  path: string
  /** it passes as it is: the port answered this path with 2xx or 3xx, or it is not an HTTP probe */
  passes: boolean
}

const ok = (status?: number) => status !== undefined && status < 400

/** The probe that fits what the port answered: FastCGI's, a TCP connect for a port that speaks neither, else HTTP. */
export function probeTarget(port: number | undefined, answer?: PortAnswer): ProbeTarget {
  switch (answer?.protocol) {
    case 'fastcgi':
      return { kind: 'fastcgi', port, path: '', passes: true }
    case 'other':
    case 'silent':
      return { kind: 'tcp', port, path: '', passes: true }
    case 'http':
      if (ok(answer.healthStatus)) return { kind: 'http', port, path: '/health', passes: true }
      if (ok(answer.rootStatus)) return { kind: 'http', port, path: '/', passes: true }
      return { kind: 'http', port, path: '/health', passes: false }
    default:
      return { kind: 'http', port, path: '/health', passes: false }
  }
}

/** The URL an HTTP probe asks: loopback (the probe runs inside the container), or PORT to fill in. */
export function targetUrl(target: Pick<ProbeTarget, 'port' | 'path'>): string {
  return `http://127.0.0.1:${target.port ?? 'PORT'}${target.path}`
}

/** The URL of the probe on `facts`' port before its protocol is known. */
export function probeUrl(facts: ProbeFacts): string {
  return targetUrl({ port: probePort(facts), path: '/health' })
}

/** The first tool in `order` the image has (`has`) that can write the target's kind of probe. */
export function pickTool(order: ProbeTool[], has: (tool: ProbeTool) => boolean, kind: ProbeKind): ProbeTool | undefined {
  return order.find(tool => CAN[kind].includes(tool) && has(tool))
}

/**
 * The probe's argument list, written without ": ", " #" or backticks so it pastes into YAML and
 * Markdown as it is. `fetch`: node has it (18 and later); `app`: the app's own program.
 */
export function probeArgv(tool: ProbeTool, t: Pick<ProbeTarget, 'kind' | 'port' | 'path'>, opts: { fetch?: boolean; app?: string } = {}): string[] {
  if (tool === 'app') return [opts.app ?? '/app', 'healthcheck']
  if (t.kind === 'fastcgi') return fastcgiArgv(tool, String(t.port ?? 'PORT'))
  if (t.kind === 'tcp') return tcpArgv(tool, String(t.port ?? 'PORT'))
  const url = targetUrl(t)
  switch (tool) {
    case 'python3':
    case 'python':
      // urlopen raises on a refused connection and on a 4xx/5xx answer: exit 1
      return [tool, '-c', `import urllib.request as u; u.urlopen('${url}', timeout=3)`]
    case 'node':
      return opts.fetch
        ? ['node', '-e', `fetch('${url}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`]
        : ['node', '-e', `require('http').get('${url}',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))`]
    case 'php':
      // false on a refused connection and on a 4xx/5xx answer (the http wrapper's default)
      return ['php', '-r', `exit((int)(@file_get_contents("${url}") === false));`]
    case 'ruby':
      return ['ruby', '-rnet/http', '-e', `exit Net::HTTP.get_response(URI("${url}")).code.to_i < 400`]
    case 'wget':
      return ['wget', '-q', '--spider', url]
    case 'curl':
      return ['curl', '-fsS', '-o', '/dev/null', url]
    case 'bash':
      // the status line's code: 2xx or 3xx passes
      return ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${t.port ?? 'PORT'} && printf "GET ${t.path} HTTP/1.0\\r\\n\\r\\n" >&3 && read -r v s r <&3 && [[ $s == [23]* ]]`]
  }
}

/** An FCGI_GET_VALUES record (FastCGI spec 4.1): a FastCGI server answers FCGI_GET_VALUES_RESULT (type 10). */
function fastcgiArgv(tool: Exclude<ProbeTool, 'app'>, port: string): string[] {
  switch (tool) {
    case 'php':
      return ['php', '-r', `$s = @fsockopen("127.0.0.1", ${port}, $e, $m, 3); if (!$s) exit(1); stream_set_timeout($s, 3); fwrite($s, "\\x01\\x09\\0\\0\\0\\0\\0\\0"); exit((int)(fread($s, 2) !== "\\x01\\x0a"));`]
    case 'ruby':
      return ['ruby', '-rsocket', '-e', `s = TCPSocket.new("127.0.0.1", ${port}); s.write("\\x01\\x09\\0\\0\\0\\0\\0\\0"); exit s.read(2) == "\\x01\\x0a"`]
    case 'node':
      return ['node', '-e', `const s=require('net').connect(${port},'127.0.0.1',()=>s.write(Buffer.from([1,9,0,0,0,0,0,0])));s.on('data',d=>process.exit(d[0]===1&&d[1]===10?0:1));s.on('error',()=>process.exit(1));s.on('end',()=>process.exit(1))`]
    default:
      return [tool, '-c', `import socket, sys; s = socket.create_connection(('127.0.0.1', ${port}), 3); s.sendall(b'\\x01\\x09' + bytes(6)); sys.exit(s.recv(2) != b'\\x01\\x0a')`]
  }
}

/** A TCP connect: it passes while something accepts connections on the port. */
function tcpArgv(tool: Exclude<ProbeTool, 'app'>, port: string): string[] {
  switch (tool) {
    case 'php':
      return ['php', '-r', `exit((int)!@fsockopen("127.0.0.1", ${port}, $e, $m, 3));`]
    case 'ruby':
      return ['ruby', '-rsocket', '-e', `TCPSocket.new("127.0.0.1", ${port}).close`]
    case 'node':
      return ['node', '-e', `require('net').connect(${port},'127.0.0.1',()=>process.exit(0)).on('error',()=>process.exit(1))`]
    case 'bash':
      return ['bash', '-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`]
    default:
      return [tool, '-c', `import socket; socket.create_connection(('127.0.0.1', ${port}), 3).close()`]
  }
}

/** Launchers and interpreters: the first word of a command that is not the app's own binary. */
const NOT_THE_APP = /^(?:.*\/)?(?:sh|bash|ash|dash|zsh|env|tini|dumb-init|node|npm|npx|yarn|pnpm|bun|deno|python[\d.]*|pip|uvicorn|gunicorn|java|ruby|php|perl|dotnet)$/

/** The app's own program from ENTRYPOINT and CMD (after an init's `--`), unless it is a shell or an interpreter. */
export function appProgram(entrypoint: string[], cmd: string[]): string | undefined {
  let words = [...entrypoint, ...cmd]
  if (/(?:^|\/)(?:tini|dumb-init)$/.test(words[0] ?? '')) words = words.slice(words.indexOf('--') + 1 || 1)
  const program = words[0]
  if (!program || /\s/.test(program) || NOT_THE_APP.test(program)) return undefined
  return program
}
