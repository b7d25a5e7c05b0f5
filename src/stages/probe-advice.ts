import { setTimeout as sleep } from 'node:timers/promises'
import { containerId, containerState } from '../docker/container.js'
import type { Docker } from '../docker/docker.js'
import { containerListening } from '../docker/sockets.js'
import type { Inputs } from '../inputs/inputs.js'
import { exposedTcpPorts, probePorts } from '../rules/ports.js'
import { round } from '../units.js'
import type { Health } from './health.js'
import type { ImageFacts } from './inspect.js'
import { hasShell, suggestProbe } from './tools.js'

// What the health row's advice is built from, looked at while the container still runs: the ports
// it listens on (none: a worker, which needs no HTTP probe) and a probe from the programs it has.

/** No health check while one is required, or a probe whose program the image lacks: advice is due. */
export function needsAdvice(health: Health, inputs: Pick<Inputs, 'requireHealthcheck'>): boolean {
  if (health.verdict === 'missing') return inputs.requireHealthcheck
  return health.verdict === 'unhealthy' && health.rule === 'cannot-run' && health.cannotRun?.why === 'missing'
}

/**
 * A server without EXPOSE that is still starting listens on nothing yet: the sockets are looked at
 * again for up to this long after start before the row calls it a worker (which fails anyway
 * without a health check, so only such a run waits).
 */
export const LISTEN_WAIT_S = 8

type Advice = Pick<Health, 'suggestedCmd' | 'listeningPorts' | 'listeningSeconds' | 'hasShell'>

export async function probeAdvice(docker: Docker, name: string, facts: ImageFacts, health: Health, waitS = LISTEN_WAIT_S): Promise<Advice> {
  // (a probe that cannot run is judged at once: no wait for it)
  const mayBeWorker = health.verdict === 'missing' && exposedTcpPorts(facts.exposedPorts ?? []).length === 0
  const sockets = await listeningOf(docker, name, mayBeWorker ? waitS : 0)
  const shell = await hasShell(docker, name)
  const probe = { exposed: facts.exposedPorts ?? [], listening: sockets?.ports, probed: probePorts(health.command ?? '') }
  const suggestedCmd = shell === undefined ? undefined : await suggestProbe(docker, name, probe, facts, shell)
  return { suggestedCmd, listeningPorts: sockets?.ports, listeningSeconds: sockets?.seconds, hasShell: shell }
}

/** The ports it listens on, and when (seconds after start) they were read; while none, read again until `waitS` after start. */
async function listeningOf(docker: Docker, name: string, waitS: number): Promise<{ ports: number[]; seconds: number } | undefined> {
  try {
    const state = await containerState(docker, name)
    if (!state.Running) return undefined
    const id = await containerId(docker, name)
    const started = Date.parse(state.StartedAt)
    for (;;) {
      const ports = containerListening(state.Pid, id)
      const seconds = (Date.now() - started) / 1000
      if (ports === undefined) return undefined
      if (ports.length > 0 || seconds >= waitS || !(await containerState(docker, name)).Running) return { ports, seconds: round(seconds) }
      await sleep(500)
    }
  } catch {
    return undefined // gone meanwhile
  }
}
