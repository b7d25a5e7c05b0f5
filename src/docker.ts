import * as exec from '@actions/exec'
import { spawn, type ChildProcess } from 'node:child_process'
import { stopCommandsToken } from './escape.js'

// Every Docker call goes through here, always as an argument array (never a shell string), so no
// input can be interpreted by a shell.

export interface DockerResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** The engine or the CLI is unusable; the message says what to do. */
export class EngineError extends Error {}

export interface DockerOptions {
  /** echo output to the action log as it arrives (wrapped so it cannot issue workflow commands) */
  stream?: boolean
}

export async function docker(args: string[], options: DockerOptions = {}): Promise<DockerResult> {
  const echo = options.stream ? lineWriter() : undefined
  try {
    const result = await exec.getExecOutput('docker', args, {
      silent: true,
      ignoreReturnCode: true,
      listeners: echo ? { stdout: echo.push, stderr: echo.push } : undefined
    })
    return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr }
  } catch (err) {
    // @actions/exec throws when the executable is not on PATH.
    throw new EngineError(
      `the docker CLI was not found (${(err as Error).message.split('\n')[0]}). Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.`
    )
  } finally {
    echo?.flush()
  }
}

/** Like docker(), but a non-zero exit is an error carrying Docker's own last line. */
export async function dockerOk(args: string[]): Promise<string> {
  const r = await docker(args)
  if (r.exitCode === 0) return r.stdout
  const line = lastLine(r.stderr || r.stdout)
  if (DAEMON_GONE.test(line)) {
    throw new EngineError(
      `the Docker engine stopped answering during the run (${line}). Check the daemon; the post step removes what this run left once it answers again.`
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

/** Fails with one clear sentence when the engine, buildx or the chosen builder cannot be used. */
export async function preflight(builder = ''): Promise<void> {
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
  if (builder) {
    const inspect = await docker(['buildx', 'inspect', builder])
    if (inspect.exitCode !== 0) {
      throw new EngineError(
        `the buildx builder "${builder}" is not usable (${lastLine(inspect.stderr)}). Create it (docker buildx create --name ${builder}, or docker/setup-buildx-action), or leave builder empty for the default.`
      )
    }
  }
}


export interface DockerStream {
  stop: () => void
}

/**
 * A long-running docker command (docker events) whose output lines arrive as they are printed.
 * @actions/exec only returns when the process ends, so this one uses spawn, still with an
 * argument array and no shell. Callers must stop() it.
 */
const streams = new Set<ChildProcess>()

/** Ends every stream still open (the run was interrupted). */
export function stopStreams(): void {
  for (const child of streams) child.kill()
}

export function dockerStream(args: string[], onLine: (line: string) => void): DockerStream {
  const child = spawn('docker', args, { stdio: ['ignore', 'pipe', 'ignore'] })
  streams.add(child)
  child.on('exit', () => streams.delete(child))
  child.on('error', () => undefined) // no docker CLI: the caller's own calls report that
  let pending = ''
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString()
    const lines = pending.split('\n')
    pending = lines.pop() ?? ''
    for (const line of lines) if (line) onLine(line)
  })
  return { stop: () => void child.kill() }
}
