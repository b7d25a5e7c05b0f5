import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { stopAll } from './command.js'
import { dockerOk, EngineError } from './docker.js'

// Nothing left behind. Everything one run creates carries its run id: containers a label, temp
// files one directory. The main step removes its own as it goes; on SIGINT/SIGTERM (a cancelled
// job) it removes them before exiting; and the post step (action.yml `post:`, run even when the job
// was cancelled or the main step crashed) removes whatever is still there. Cleanup matches on the
// run id only, so it never touches anything else on the host.

export const RUN_LABEL = 'io.github.image-gate.run'
/** This process's run id (the post step gets the main step's from the saved state instead). */
export const RUN_ID = randomBytes(6).toString('hex')

function runDir(id: string): string {
  return path.join(tmpdir(), `image-gate-${id}`)
}

/** A fresh temp directory inside this run's directory. */
export function tempDir(purpose: string): string {
  mkdirSync(runDir(RUN_ID), { recursive: true })
  return mkdtempSync(path.join(runDir(RUN_ID), `${purpose}-`))
}

/** Removes the run's containers (and their volumes) and its temp directory; returns how many containers. */
export async function cleanupRun(id: string): Promise<number> {
  rmSync(runDir(id), { recursive: true, force: true })
  // dockerOk: an engine that cannot list or remove them must not pass for "nothing to remove"
  const ids = (await dockerOk(['ps', '--all', '--quiet', '--filter', `label=${RUN_LABEL}=${id}`])).split('\n').filter(Boolean)
  if (ids.length > 0) await dockerOk(['rm', '--force', '--volumes', ...ids])
  return ids.length
}

/** Whether this run has named a container yet (container.ts): before that, nothing can be left. */
let containersNamed = false

export function noteContainer(): void {
  containersNamed = true
}

/**
 * Removes the run's containers at the end of a run. When the engine cannot be asked (it is down
 * or hung, which is also when the run failed), say who removes them, or how.
 */
export async function cleanupOrSayHow(): Promise<void> {
  try {
    await cleanupRun(RUN_ID)
  } catch {
    if (!containersNamed) return // it never got as far as a container: nothing was left
    const filter = `label=${RUN_LABEL}=${RUN_ID}`
    if (process.env.GITHUB_ACTIONS === 'true') core.info(`image-gate could not remove this run's containers (${filter}) now; its post step will.`)
    else core.warning(`could not remove this run's containers; once the engine answers: docker rm -f $(docker ps -aq --filter ${filter})`)
  }
}

/** On SIGINT/SIGTERM: stop waiting, remove what this run created, and exit with the signal's code. */
export function cleanupOnSignals(): void {
  const handler = (signal: NodeJS.Signals) => {
    stopAll()
    core.error(`image-gate was stopped (${signal}) before it finished; removing its containers.`)
    void cleanupRun(RUN_ID).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143))
  }
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)
}

/** The post step: whatever the main step left (it crashed, or was killed). Never fails the job. */
export async function post(id: string): Promise<void> {
  try {
    const removed = await cleanupRun(id)
    if (removed > 0) core.info(`image-gate post: removed ${removed} container(s) the main step left behind.`)
  } catch (err) {
    // no docker CLI at all: the main step already said so, and it created nothing
    if (err instanceof EngineError) core.debug(`image-gate post: ${err.message}`)
    else core.warning(`image-gate post: cleanup failed: ${(err as Error).message}`)
  }
}
