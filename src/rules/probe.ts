import { exposedTcpPorts, listeningPorts } from './ports.js'

// The health probe suggested for an image, built from a program it has: shared by the stage that
// looks for the programs (stages/tools.ts) and the check that shows the suggestion. Pure.

/**
 * The programs a probe can be built from, in order of fit: the app's own runtime first (what
 * working Python and Node images probe with), then the download tools, then the app's own binary
 * (a health mode it would need to have: the only way in a scratch image).
 */
export const PROBE_TOOLS = ['python3', 'python', 'node', 'wget', 'curl', 'app'] as const
export type ProbeTool = (typeof PROBE_TOOLS)[number]

export interface ProbeFacts {
  /** EXPOSE as the image config keeps it ("8080/tcp") */
  exposed: string[]
  /** the TCP ports the container listened on (undefined: not known) */
  listening?: number[]
  /** the ports a failing probe asked on loopback (rules/ports.ts probePorts) */
  probed?: number[]
}

/**
 * The port to probe: one the app listens on that EXPOSE or the failing probe names, else EXPOSE's,
 * else one it listens on, else the failing probe's (the app may not be listening yet).
 */
export function probePort({ exposed, listening = [], probed = [] }: ProbeFacts): number | undefined {
  const declared = [...exposedTcpPorts(exposed), ...probed]
  return declared.find(p => listening.includes(p)) ?? exposedTcpPorts(exposed)[0] ?? listening[0] ?? probed[0]
}

/** The URL the suggestion probes: loopback (the probe runs inside the container), or PORT to fill in. */
export function probeUrl(facts: ProbeFacts): string {
  return `http://127.0.0.1:${probePort(facts) ?? 'PORT'}/health`
}

/**
 * Whether the container serves no port at all (a queue worker): it listened on none after the
 * wait, EXPOSEs none and its log names none. Only when the sockets could be read.
 */
export function servesNoPort(facts: ProbeFacts, log: string[]): boolean {
  return facts.listening !== undefined && facts.listening.length === 0 && exposedTcpPorts(facts.exposed).length === 0 && listeningPorts(log).length === 0
}

/**
 * The probe's argument list, written without ": ", " #" or backticks so it pastes into YAML and
 * Markdown as it is. `fetch`: node has it (18 and later); `app`: the app's own program.
 */
export function probeArgv(tool: ProbeTool, url: string, opts: { fetch?: boolean; app?: string } = {}): string[] {
  switch (tool) {
    case 'python3':
    case 'python':
      // urlopen raises on a refused connection and on a 4xx/5xx answer: exit 1
      return [tool, '-c', `import urllib.request as u; u.urlopen('${url}', timeout=3)`]
    case 'node':
      return opts.fetch
        ? ['node', '-e', `fetch('${url}').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))`]
        : ['node', '-e', `require('http').get('${url}',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))`]
    case 'wget':
      return ['wget', '-q', '--spider', url]
    case 'curl':
      return ['curl', '-fsS', '-o', '/dev/null', url]
    case 'app':
      return [opts.app ?? '/app', 'healthcheck']
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
