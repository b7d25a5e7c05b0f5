import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process'
import { constants } from 'node:os'
import { traceProcess } from '../trace.js'

// Every process image-gate starts (docker, git) is started here: by program
// name with an argument array, never through a shell. We spawn ourselves rather than use
// @actions/exec because it does not hand out its child, and a call we cannot see we can neither
// bound nor kill.

export interface CommandResult {
  exitCode: number
  stdout: string
  stderr: string
  /** the call ran past its limit and was stopped */
  timedOut: boolean
  /** the streams whose start was dropped (over KEEP_BYTES): their text begins at a cut */
  cutAtStart?: { stdout: boolean; stderr: boolean }
}

export interface CommandOptions {
  /** stop the command after this many ms (SIGTERM, then SIGKILL); 0 or absent: no limit of its own */
  limitMs?: number
  /** each chunk of stdout and stderr as it arrives */
  onOutput?: (chunk: Buffer) => void
  /** variables added to this process's environment for the command */
  env?: Record<string, string>
}

/** The program could not be started at all (not installed, not on PATH). */
export class NotFoundError extends Error {}

/** Output kept per stream: the tail, so a build printing gigabytes cannot exhaust memory. */
const KEEP_BYTES = 16 << 20
/** How long a stopped command gets between SIGTERM and SIGKILL. */
const KILL_GRACE_MS = 3000

/**
 * The processes one run started and has not seen end. A run owns one (in its context), so a timeout
 * or a signal stops exactly that run's processes, and tests get a fresh one each.
 */
export class Processes {
  private running = new Set<ChildProcess>()

  /** Registers a child started elsewhere (a stream read as it goes), so stopAll() reaches it. */
  track<T extends ChildProcess>(child: T): T {
    this.running.add(child)
    const traced = traceProcess(child.spawnargs)
    child.once('close', () => {
      this.running.delete(child)
      traced()
    })
    child.once('error', () => this.running.delete(child))
    return child
  }

  /** Starts a program that is read as it runs (docker save, docker events). */
  spawn(program: string, args: string[], stdio: StdioOptions): ChildProcess {
    return this.track(spawn(program, args, { stdio }))
  }

  /** Stops every process this run started and has not seen end (the run timed out or was cancelled). */
  stopAll(): void {
    for (const child of this.running) stop(child)
  }

  /** Runs a program to its end, keeping the tail of its output; bounded by `limitMs` when given. */
  run(program: string, args: string[], options: CommandOptions = {}): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const env = options.env && { ...process.env, ...options.env }
      const child = this.track(spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(env && { env }) }))
      const stdout = new Tail()
      const stderr = new Tail()
      let timedOut = false
      let settled = false
      const limit = options.limitMs
        ? setTimeout(() => {
            timedOut = true
            stop(child)
          }, options.limitMs)
        : undefined
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout.push(chunk)
        options.onOutput?.(chunk)
      })
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr.push(chunk)
        options.onOutput?.(chunk)
      })
      child.once('error', err => {
        clearTimeout(limit)
        if (settled) return
        settled = true
        const code = (err as NodeJS.ErrnoException).code
        reject(code === 'ENOENT' ? new NotFoundError(`${program} was not found on PATH`) : err)
      })
      child.once('close', (code, signal) => {
        clearTimeout(limit)
        if (settled) return
        settled = true
        // killed by a signal: the shell's convention, 128 + its number
        const exitCode = code ?? 128 + (signal ? constants.signals[signal] : 0)
        const cut = stdout.cut || stderr.cut ? { cutAtStart: { stdout: stdout.cut, stderr: stderr.cut } } : {}
        resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut, ...cut })
      })
    })
  }
}

/** SIGTERM, and SIGKILL if it is still there after the grace period. */
export function stop(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  const hard = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS)
  hard.unref()
  child.once('close', () => clearTimeout(hard))
}

/** The last KEEP_BYTES of a stream. */
class Tail {
  private chunks: Buffer[] = []
  private bytes = 0
  private dropped = false

  push(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.bytes += chunk.length
    while (this.bytes - this.chunks[0].length >= KEEP_BYTES) {
      this.bytes -= this.chunks.shift()!.length
      this.dropped = true
    }
  }

  /** whether anything was dropped */
  get cut(): boolean {
    return this.dropped || this.bytes > KEEP_BYTES
  }

  text(): string {
    const all = Buffer.concat(this.chunks)
    return all.subarray(Math.max(0, all.length - KEEP_BYTES)).toString('utf8')
  }
}
