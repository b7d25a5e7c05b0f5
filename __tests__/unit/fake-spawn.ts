import { EventEmitter } from 'node:events'
import { PassThrough } from 'node:stream'

// A scripted stand-in for child_process.spawn, for unit tests of code that runs docker (through
// src/docker/command.ts). Each call is answered by the script: an exit with output, a spawn error, or a
// process that never ends by itself (it ends when killed, or only on SIGKILL if it ignores SIGTERM).

export type Answer =
  | { exitCode: number; stdout?: string; stderr?: string }
  | { hang: 'until-killed' | 'ignores-sigterm' }
  | { spawnError: NodeJS.ErrnoException }

export type Script = (program: string, args: string[]) => Answer

export class FakeChild extends EventEmitter {
  stdout = new PassThrough()
  stderr = new PassThrough()
  exitCode: number | null = null
  signalCode: NodeJS.Signals | null = null
  signals: string[] = []
  hang?: 'until-killed' | 'ignores-sigterm'

  kill(signal: NodeJS.Signals = 'SIGTERM'): boolean {
    this.signals.push(signal)
    if (this.exitCode !== null || this.signalCode !== null) return false
    if (this.hang === 'ignores-sigterm' && signal !== 'SIGKILL') return true
    this.signalCode = signal
    this.stdout.end()
    this.stderr.end()
    setImmediate(() => {
      this.emit('exit', null, signal)
      this.emit('close', null, signal)
    })
    return true
  }
}

export interface Call {
  program: string
  args: string[]
  child: FakeChild
}

export function fakeSpawn(script: Script): { spawn: (program: string, args: string[]) => FakeChild; calls: Call[] } {
  const calls: Call[] = []
  const spawn = (program: string, args: string[]) => {
    const child = new FakeChild()
    calls.push({ program, args, child })
    const answer = script(program, args)
    setImmediate(() => {
      if ('spawnError' in answer) {
        child.emit('error', answer.spawnError)
        child.emit('close', -2, null)
      } else if ('hang' in answer) {
        child.hang = answer.hang
      } else {
        child.exitCode = answer.exitCode
        if (answer.stdout) child.stdout.write(answer.stdout)
        if (answer.stderr) child.stderr.write(answer.stderr)
        child.stdout.end()
        child.stderr.end()
        // like a real child: close only after both streams have ended
        setImmediate(() => {
          child.emit('exit', answer.exitCode, null)
          child.emit('close', answer.exitCode, null)
        })
      }
    })
    return child
  }
  return { spawn, calls }
}

/** A spawn error as Node reports a program that is not on PATH. */
export function notFound(program: string): { spawnError: NodeJS.ErrnoException } {
  return { spawnError: Object.assign(new Error(`spawn ${program} ENOENT`), { code: 'ENOENT' }) }
}
