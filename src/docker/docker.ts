import { spawn } from 'node:child_process'
import { NotFoundError, runCommand, stop, track, type CommandResult } from './command.js'
import { stopCommandsToken } from '../report/escape.js'

// Every Docker call goes through here, always as an argument array (never a shell string), so no
// input can be interpreted by a shell. Every call is bounded: a short call (inspect, run, logs, cp,
// rm, ...) by the call-timeout input, a long one (build, pull) by the run's overall timeout, which
// stops whatever is still running (command.ts stopAll).

/** A finished call; one that ran past its limit never gets here (it throws). */
export type DockerResult = Omit<CommandResult, 'timedOut'>

/** The engine or the CLI is unusable; the message says what to do. */
export class EngineError extends Error {}

export interface DockerOptions {
  /** echo output to the action log as it arrives (wrapped so it cannot issue workflow commands) */
  stream?: boolean
  /** a build or a pull: its time depends on the work, so only the run's overall timeout bounds it */
  long?: boolean
}

/** How long a short call may take; main.ts sets it from the call-timeout input. */
let callLimitMs = 30_000
/** Set once a call went unanswered: every later call fails at once instead of hanging in turn. */
let hung: string | undefined

export function setCallLimit(seconds: number): void {
  callLimitMs = seconds * 1000
}

export async function docker(args: string[], options: DockerOptions = {}): Promise<DockerResult> {
  if (hung) throw new EngineError(hung)
  const echo = options.stream ? lineWriter() : undefined
  let result
  try {
    result = await runCommand('docker', args, { limitMs: options.long ? 0 : callLimitMs, onOutput: echo?.push })
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new EngineError('the docker CLI was not found on PATH. Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.')
    }
    throw err
  } finally {
    echo?.flush()
  }
  if (result.timedOut) {
    hung =
      `the Docker engine did not answer \`docker ${callName(args)}\` within ${callLimitMs / 1000} s, so the run stopped there. ` +
      "The daemon may be hung or overloaded: check it (`docker info`, the daemon's log), or raise call-timeout."
    throw new EngineError(hung)
  }
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
}

/** "inspect", "image inspect", "buildx inspect": the command without its arguments. */
function callName(args: string[]): string {
  return ['image', 'container', 'buildx'].includes(args[0]) && args[1] ? `${args[0]} ${args[1]}` : args[0]
}

/** Like docker(), but a non-zero exit is an error carrying Docker's own last line. */
export async function dockerOk(args: string[]): Promise<string> {
  const r = await docker(args)
  if (r.exitCode === 0) return r.stdout
  const line = lastLine(r.stderr || r.stdout)
  if (DAEMON_GONE.test(line)) {
    throw new EngineError(
      `the Docker engine stopped answering during the run (${line}). Check the daemon (\`docker info\`, its log) and start it again if it is down.`
    )
  }
  throw new Error(`docker ${args[0]} failed: ${line}`)
}

const DAEMON_GONE = /Cannot connect to the Docker daemon|Is the docker daemon running|error during connect/i

export function lastLine(text: string): string {
  const lines = text.split('\n').map(l => l.trim()).filter(Boolean)
  return lines[lines.length - 1] ?? '(no output)'
}

// Build output arrives in chunks. Workflow commands are paused for the whole stream (see
// escape.ts), so a line like "::error::" printed by a RUN step stays plain text.
function lineWriter(): { push: (chunk: Buffer) => void; flush: () => void } {
  const token = stopCommandsToken()
  process.stdout.write(`::stop-commands::${token}\n`)
  return {
    push: (chunk: Buffer) => process.stdout.write(chunk),
    flush: () => process.stdout.write(`\n::${token}::\n`)
  }
}

/** The buildx builder a build will use, as `docker buildx inspect` describes it. */
export interface Builder {
  name: string
  driver: string
  /** the first node's endpoint: a Docker context name or a daemon address */
  endpoint: string
}

/** Fails with one clear sentence when the engine, buildx or the chosen builder cannot be used. */
export async function preflight(builder = ''): Promise<Builder> {
  const version = await docker(['version', '--format', '{{.Server.Version}}'])
  if (version.exitCode !== 0) {
    throw new EngineError(
      `the Docker engine is not reachable (${lastLine(version.stderr)}). Start the Docker daemon, or check DOCKER_HOST; on a Debian machine as root, scripts/setup-docker.sh installs and starts one.`
    )
  }
  const buildx = await docker(['buildx', 'version'])
  if (buildx.exitCode !== 0) {
    throw new EngineError(
      'docker buildx is not available (`docker buildx version` failed). Install the buildx plugin; on GitHub add the step docker/setup-buildx-action before image-gate.'
    )
  }
  // without a name: the current builder (`docker buildx use`, or docker/setup-buildx-action)
  const inspect = await docker(builder ? ['buildx', 'inspect', builder] : ['buildx', 'inspect'])
  if (inspect.exitCode !== 0 && builder) {
    throw new EngineError(
      `the buildx builder "${builder}" is not usable (${lastLine(inspect.stderr)}). Create it (docker buildx create --name ${builder}, or docker/setup-buildx-action), or leave builder empty for the default.`
    )
  }
  return parseBuilder(inspect.stdout, builder)
}

/** The "Name:", "Driver:" and first "Endpoint:" lines of `docker buildx inspect`. */
export function parseBuilder(text: string, fallbackName = ''): Builder {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? ''
  return { name: field('Name') || fallbackName || 'default', driver: field('Driver') || 'unknown', endpoint: field('Endpoint') }
}

export interface DockerStream {
  stop: () => void
}

/**
 * A long-running docker command (docker events) whose output lines arrive as they are printed.
 * It runs until stop() (or command.ts stopAll), still with an argument array and no shell.
 */
export function dockerStream(args: string[], onLine: (line: string) => void): DockerStream {
  const child = track(spawn('docker', args, { stdio: ['ignore', 'pipe', 'ignore'] }))
  child.on('error', () => undefined) // no docker CLI: the caller's own calls report that
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line) onLine(line)
  })
  return { stop: () => stop(child) }
}
