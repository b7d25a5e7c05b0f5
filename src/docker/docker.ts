import type { ChildProcess } from 'node:child_process'
import { Secrets } from '../secrets.js'
import { NotFoundError, stop, type CommandResult, type Processes } from './command.js'

// Every Docker call goes through a Docker client, always as an argument array (never a shell
// string), so no input can be interpreted by a shell. Every call is bounded: a short call (inspect,
// run, logs, cp, rm, ...) by the call-timeout input, a long one (build, pull, save) by the run's
// overall timeout, which stops whatever is still running (Processes.stopAll).

/** A finished call; one that ran past its limit never gets here (it throws). */
export type DockerResult = Omit<CommandResult, 'timedOut'>

/** The engine or the CLI is unusable; the message says what to do. */
export class EngineError extends Error {}

// What an engine failure is, decided here once for every call: the CLI missing, a call unanswered
// (call-timeout), or the CLI's own words that it cannot reach the daemon. Any other non-zero exit
// is Docker answering about the thing asked (no such container, a refused flag): the caller's to
// judge, with Docker's message (dockerSays).
//
// What Docker answers is masked here, before any stage reads it (secrets.ts): a build echoing a
// secret, a container logging one, a probe printing one. A call whose answer is data keeps its
// bytes (raw): a manifest whose digest is checked, JSON masked once parsed (json()).
const DAEMON_GONE = /^(?:Cannot connect to the Docker daemon|error during connect|(?:Got )?permission denied while trying to connect to the Docker (?:daemon|API))/i

export interface CallOptions {
  /** a build or a pull: its time depends on the work, so only the run's overall timeout bounds it */
  long?: boolean
  /** each chunk of output as it arrives (the build log, streamed) */
  onOutput?: (chunk: Buffer) => void
  /** variables added to the environment of this call (BUILDX_METADATA_WARNINGS for a build) */
  env?: Record<string, string>
  /** stdout as Docker wrote it, unmasked: data whose bytes matter (a manifest), or JSON masked after parsing (stderr is masked still) */
  raw?: boolean
}

export interface DockerStream {
  stop: () => void
}

const NO_CLI = 'the docker CLI was not found on PATH. Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.'

export class Docker {
  /** Set once a call went unanswered: every later call fails at once instead of hanging in turn. */
  private hung: string | undefined
  /** Set once the engine answered a call: a daemon gone after that "stopped answering"; before, it was never reachable. */
  private answered = false

  /** `callLimitMs`: how long a short call may take (the call-timeout input); `secrets`: what no answer may show. */
  constructor(
    readonly processes: Processes,
    public callLimitMs = 30_000,
    readonly secrets = new Secrets()
  ) {}

  async call(args: string[], options: CallOptions = {}): Promise<DockerResult> {
    if (this.hung) throw new EngineError(this.hung)
    let result
    try {
      result = await this.processes.run('docker', args, { limitMs: options.long ? 0 : this.callLimitMs, onOutput: options.onOutput, ...(options.env && { env: options.env }) })
    } catch (err) {
      throw err instanceof NotFoundError ? new EngineError(NO_CLI) : err
    }
    if (result.timedOut) {
      this.hung =
        `the Docker engine did not answer \`docker ${callName(args)}\` within ${this.callLimitMs / 1000} s, so the run stopped there. ` +
        "The daemon may be hung or overloaded: check it (`docker info`, the daemon's log), or raise call-timeout."
      throw new EngineError(this.hung)
    }
    if (result.exitCode === 0) {
      this.answered = true
    } else {
      const said = dockerSays(result.stderr || result.stdout)
      if (DAEMON_GONE.test(said)) throw new EngineError(this.answered ? stoppedAnswering(said) : notReachable(said))
    }
    // raw keeps stdout's bytes; what Docker complains of on stderr is masked all the same (a push's error, a read-back's)
    if (options.raw) return { exitCode: result.exitCode, stdout: result.stdout, stderr: this.secrets.mask(result.stderr), ...(result.cutAtStart && { cutAtStart: result.cutAtStart }) }
    // the kept tail of a stream that outgrew it starts at a cut
    const cut = result.cutAtStart
    const stdout = this.secrets.maskCut(result.stdout, { start: cut?.stdout })
    const stderr = this.secrets.maskCut(result.stderr, { start: cut?.stderr })
    return { exitCode: result.exitCode, stdout, stderr }
  }

  /** Like call(), but a non-zero exit is an error carrying Docker's own message. */
  async ok(args: string[], options: Pick<CallOptions, 'raw'> = {}): Promise<string> {
    const r = await this.call(args, options)
    if (r.exitCode === 0) return r.stdout
    throw new Error(`docker ${args[0]} failed: ${dockerSays(this.secrets.mask(r.stderr || r.stdout))}`)
  }

  /**
   * A docker command whose stdout is read as it comes (docker save): the caller reads the child's
   * stdout and waits for `exited`. Bounded by the run's overall timeout, like a build.
   */
  read(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: EngineError | Error }> } {
    if (this.hung) throw new EngineError(this.hung)
    const child = this.processes.spawn('docker', args, ['ignore', 'pipe', 'pipe'])
    // Resolve-only, so a spawn error (no docker binary) is never an unhandled rejection while reading.
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(resolve => {
      child.once('error', err => resolve({ code: null, signal: null, error: (err as NodeJS.ErrnoException).code === 'ENOENT' ? new EngineError(NO_CLI) : err }))
      child.once('close', (code, signal) => resolve({ code, signal }))
    })
    return { child, exited }
  }

  /**
   * A long-running docker command (docker events) whose output lines arrive as they are printed.
   * It runs until stop() (or Processes.stopAll), still with an argument array and no shell.
   */
  stream(args: string[], onLine: (line: string) => void): DockerStream {
    const child = this.processes.spawn('docker', args, ['ignore', 'pipe', 'ignore'])
    child.on('error', () => undefined) // no docker CLI: the caller's own calls report that
    let pending = ''
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString()
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) if (line) onLine(line)
    })
    return { stop: () => stop(child) }
  }
}

/** "inspect", "image inspect", "buildx inspect": the command without its arguments. */
function callName(args: string[]): string {
  return ['image', 'container', 'buildx'].includes(args[0]) && args[1] ? `${args[0]} ${args[1]}` : args[0]
}

/** The engine never answered this process (the preflight, or a post step after the daemon went down). */
export function notReachable(said: string): string {
  return `the Docker engine is not reachable (${said}). Start the Docker daemon, or check DOCKER_HOST; without one, install Docker Engine or Docker Desktop with the buildx plugin and start it.`
}

function stoppedAnswering(said: string): string {
  return `the Docker engine stopped answering during the run (${said}). Check the daemon (\`docker info\`, its log) and start it again if it is down.`
}

/**
 * Docker's own message in a failed command's output: its last line, without the CLI's usage
 * trailer ("Run 'docker run --help' for more information", "See 'docker run --help'.") and the
 * "docker: " it puts before the daemon's words.
 */
export function dockerSays(text: string): string {
  const lines = text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l && !/^(?:Run|See) 'docker [^']*--help'/.test(l) && !/^Usage:\s/.test(l))
  return (lines[lines.length - 1] ?? '(no output)').replace(/^docker: /, '')
}

export function lastLine(text: string): string {
  const lines = text.split('\n').map(l => l.trim()).filter(Boolean)
  return lines[lines.length - 1] ?? '(no output)'
}
