import { containerId, containerState, logTail, removeContainer, type ContainerLog, type ContainerState } from './container.js'
import type { Docker } from './docker.js'
import { watchContainer, type ContainerWatch } from './events.js'

// One container the gate started, made once where it is started (stages/run.ts, smoke.ts,
// profile-rerun.ts) and passed down instead of (docker, name): what is asked of it (its state,
// log, a command in it, a file out of it, a signal, its removal) goes through here, each the same
// docker call as before. The pure readings of what Docker says (signalName, cleanExit,
// ranSeconds…) stay functions in container.ts.

/** What `Docker.call` takes and gives, as a container's commands use it. */
type CallOptions = Parameters<Docker['call']>[1]
type CallResult = Awaited<ReturnType<Docker['call']>>

export class Container {
  /** `id`: the container's full ID when `docker run --detach` printed it; read from Docker otherwise */
  constructor(
    readonly docker: Docker,
    readonly name: string,
    private knownId?: string
  ) {}

  /** Docker's State: running, exit code, health and the probe log (masked). */
  state(): Promise<ContainerState> {
    return containerState(this.docker, this.name)
  }

  /** Keeps the full ID `docker run --detach` printed, when it printed one. */
  started(id: string | undefined): void {
    this.knownId ??= id
  }

  /** The container's full ID (its cgroup on the host is named by it), asked of Docker once. */
  async id(): Promise<string> {
    this.knownId ??= await containerId(this.docker, this.name)
    return this.knownId
  }

  /** The last `lines` it printed, stdout and stderr in order, or Docker's complaint. */
  logs(lines?: number): Promise<ContainerLog> {
    return logTail(this.docker, this.name, lines)
  }

  /** `docker exec <name> …args`, in exec form: nothing goes through a shell. */
  exec(args: string[], options?: CallOptions): Promise<CallResult> {
    return this.docker.call(['exec', this.name, ...args], options)
  }

  /** `docker cp` of `from` in the container to `to` on this machine; `follow`: -L, a symlink's target. */
  copy(from: string, to: string, follow = false): Promise<CallResult> {
    return this.docker.call(['cp', ...(follow ? ['-L'] : []), `${this.name}:${from}`, to])
  }

  /** `docker cp -L <name>:from -`: the file as a tar stream, read as it comes. */
  copyOut(from: string): ReturnType<Docker['read']> {
    return this.docker.read(['cp', '-L', `${this.name}:${from}`, '-'])
  }

  /** `docker top <name> -eo <columns>`: its processes as ps on the engine's host lists them. */
  top(columns: string): Promise<CallResult> {
    return this.docker.call(['top', this.name, '-eo', columns])
  }

  /** `docker kill --signal <signal>`. */
  kill(signal: string): Promise<CallResult> {
    return this.docker.call(['kill', '--signal', signal, this.name])
  }

  /** Follows Docker's events for it (events.ts), from before `docker run`. */
  watch(events?: string[]): ContainerWatch {
    return watchContainer(this.docker, this.name, events)
  }

  /** Removes it with its anonymous volumes, running or not. */
  remove(): Promise<void> {
    return removeContainer(this.docker, this.name)
  }
}
