import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync } from 'node:fs'
import * as path from 'node:path'
import { LABEL, RUN_LABEL, runDir } from './docker/cleanup.js'
import { Processes } from './docker/command.js'
import { Docker } from './docker/docker.js'
import { Secrets } from './secrets.js'
import type { Sink } from './sink.js'
import { mark } from './trace.js'

// One run's state, in one place instead of module variables: its id (on every container it creates
// and its temp directory), the processes it started, its Docker client, where its messages go, and
// how far it got. The pipeline, its stages and cleanup all take it, so a test can run one with fakes.

export class RunContext {
  readonly processes = new Processes()
  /** what the run must never show: each secret input, added as it is read (secrets.ts) */
  readonly secrets = new Secrets()
  docker: Docker
  /** what the run is doing now, for the timeout's message (and the bench's timeline, trace.ts) */
  get stage(): string {
    return this.current
  }
  set stage(stage: string) {
    this.current = stage
    mark(stage, 'stage')
  }
  private current = 'starting'
  /**
   * The one publishing of the report, once it has started: a timeout and the interrupted pipeline
   * unwinding both publish, and whichever comes second waits for the first to end.
   */
  publishing?: Promise<void>
  /** whether a container was named yet: before that, nothing can be left behind */
  containersNamed = false
  /** whether compose-file's project was started: its networks and volumes may be left too */
  networksMade = false

  constructor(
    readonly sink: Sink,
    readonly id = randomBytes(6).toString('hex')
  ) {
    this.docker = new Docker(this.processes, undefined, this.secrets)
  }

  /** The call-timeout input: how long one short Docker call may take. */
  setCallLimit(seconds: number): void {
    this.docker.callLimitMs = seconds * 1000
  }

  /**
   * This run, with its messages going to `sink` (work that runs beside other work: deferred-sink.ts).
   * Everything else is this run's own: what the view sets (stage, containersNamed) is set here.
   */
  withSink(sink: Sink): RunContext {
    return new Proxy(this, {
      get: (run, key) => (key === 'sink' ? sink : Reflect.get(run, key, run)),
      set: (run, key, value) => Reflect.set(run, key, value, run)
    })
  }

  /** A name for a container this run is about to create (which cleanup then has to remove). */
  containerName(): string {
    this.containersNamed = true
    return `image-gate-${randomBytes(6).toString('hex')}`
  }

  /** `docker run` flags that mark a container as this run's, so cleanup only touches our own. */
  labels(): string[] {
    return ['--label', `${LABEL}=true`, '--label', `${RUN_LABEL}=${this.id}`]
  }

  /** A fresh temp directory inside this run's directory (removed by cleanup). */
  tempDir(purpose: string): string {
    mkdirSync(runDir(this.id), { recursive: true })
    return mkdtempSync(path.join(runDir(this.id), `${purpose}-`))
  }
}
