import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { Sink } from '../sink.js'
import type { Processes } from './command.js'
import { EngineError, type Docker } from './docker.js'
import { counted } from '../units.js'

// Nothing left behind. Everything one run creates carries its run id: containers a label, temp
// files one directory. The stages remove their own as they go; on SIGINT/SIGTERM (a cancelled job)
// the run removes them before exiting; and the post step (action.yml `post:`, run even when the job
// was cancelled or the main step crashed) removes whatever is still there. Cleanup matches on the
// run id only, so it never touches anything else on the host.

/** The label every container of image-gate carries, and the one that names the run. */
export const LABEL = 'io.github.image-gate'
export const RUN_LABEL = 'io.github.image-gate.run'

/** Where a run keeps its temp files. */
export function runDir(id: string): string {
  return path.join(tmpdir(), `image-gate-${id}`)
}

/** What cleanup needs of a run (the pipeline's RunContext is one). */
export interface Run {
  id: string
  docker: Docker
  processes: Processes
  sink: Sink
  /** whether a container was named yet: before that, nothing can be left behind */
  containersNamed: boolean
  /** whether compose-file's project was started: its networks and volumes may be left too */
  networksMade?: boolean
}

/** Removes the run's containers (and their volumes), its compose networks, volumes and images, and its temp directory; returns how many containers. */
export async function cleanupRun(docker: Docker, id: string, { networks: all = true } = {}): Promise<number> {
  const removeDir = () => rmSync(runDir(id), { recursive: true, force: true })
  removeDir()
  try {
    // ok(): an engine that cannot list or remove them must not pass for "nothing to remove"
    const label = `label=${RUN_LABEL}=${id}`
    const ids = (await docker.ok(['ps', '--all', '--quiet', '--filter', label], { raw: true })).split('\n').filter(Boolean)
    if (ids.length > 0) await docker.ok(['rm', '--force', '--volumes', ...ids])
    // compose-file's networks, volumes and built images carry the run's label too (compose/project.ts); a run
    // that started none skips the two calls
    if (!all) return ids.length
    const networks = (await docker.ok(['network', 'ls', '--quiet', '--filter', label], { raw: true })).split('\n').filter(Boolean)
    if (networks.length > 0) await docker.ok(['network', 'rm', ...networks])
    const volumes = (await docker.ok(['volume', 'ls', '--quiet', '--filter', label], { raw: true })).split('\n').filter(Boolean)
    if (volumes.length > 0) await docker.ok(['volume', 'rm', '--force', ...volumes])
    const images = (await docker.ok(['image', 'ls', '--quiet', '--filter', label], { raw: true })).split('\n').filter(Boolean)
    if (images.length > 0) await docker.ok(['image', 'rm', '--force', ...new Set(images)])
    return ids.length
  } finally {
    // again: a run interrupted by a signal goes on unwinding meanwhile, and may have made a temp
    // file (the image's account files) after the first removal
    removeDir()
  }
}

/**
 * Removes the run's containers at the end of a run. When the engine cannot be asked (it is down
 * or hung, which is also when the run failed), say who removes them, or how.
 */
export async function cleanupOrSayHow(ctx: Run, hasPostStep: boolean): Promise<void> {
  try {
    await cleanupRun(ctx.docker, ctx.id, { networks: ctx.networksMade === true })
  } catch {
    if (!ctx.containersNamed) return // it never got as far as a container: nothing was left
    const filter = `label=${RUN_LABEL}=${ctx.id}`
    if (hasPostStep) ctx.sink.info(`image-gate could not remove this run's containers (${filter}) now; its post step will.`)
    else ctx.sink.warning(`could not remove this run's containers; once the engine answers: docker rm -f $(docker ps -aq --filter ${filter})`)
  }
}

/**
 * After in-flight docker calls were killed (a timeout): the engine may still finish a container one
 * of them asked for (a killed `docker run` does not cancel its create), after the first look. So
 * look again for a while, and remove what turns up.
 */
export async function cleanupSettled(ctx: Run, hasPostStep: boolean, settleMs = SETTLE_MS): Promise<void> {
  await cleanupOrSayHow(ctx, hasPostStep)
  if (!ctx.containersNamed) return
  for (const until = Date.now() + settleMs; Date.now() < until; ) {
    await new Promise(resolve => setTimeout(resolve, 250))
    try {
      await cleanupRun(ctx.docker, ctx.id, { networks: ctx.networksMade === true })
    } catch {
      return // the engine does not answer: cleanupOrSayHow said who removes them
    }
  }
}

/** How long an interrupted run keeps looking for a container the engine was still making. */
const SETTLE_MS = 2_000

/** On SIGINT/SIGTERM: stop waiting, remove what this run created, and exit with the signal's code. */
export function cleanupOnSignals(ctx: Run): void {
  const handler = (signal: NodeJS.Signals) => {
    ctx.processes.stopAll()
    ctx.sink.error(`image-gate was stopped (${signal}) before it finished; removing its containers.`)
    void cleanupRun(ctx.docker, ctx.id)
      .catch(() => undefined)
      .finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}

/** The post step: whatever the main step left (it crashed, or was killed). Never fails the job. */
export async function post(docker: Docker, id: string, sink: Sink): Promise<void> {
  try {
    const removed = await cleanupRun(docker, id)
    if (removed > 0) sink.info(`image-gate post: removed ${counted(removed, 'container')} the main step left behind.`)
  } catch (err) {
    // no docker CLI at all: the main step already said so, and it created nothing
    if (err instanceof EngineError) sink.debug(`image-gate post: ${err.message}`)
    else sink.warning(`image-gate post: cleanup failed: ${(err as Error).message}`)
  }
}
