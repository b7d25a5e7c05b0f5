import { containerId, containerState } from '../docker/container.js'
import type { Docker } from '../docker/docker.js'
import { containerListening } from '../docker/sockets.js'
import type { Inputs } from '../inputs/inputs.js'
import { probePorts } from '../rules/ports.js'
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

export async function probeAdvice(docker: Docker, name: string, facts: ImageFacts, health: Health): Promise<Pick<Health, 'suggestedCmd' | 'listeningPorts' | 'hasShell'>> {
  const listening = await listeningOf(docker, name)
  const shell = await hasShell(docker, name)
  const probe = { exposed: facts.exposedPorts ?? [], listening, probed: probePorts(health.command ?? '') }
  const suggestedCmd = shell === undefined ? undefined : await suggestProbe(docker, name, probe, facts, shell)
  return { suggestedCmd, listeningPorts: listening, hasShell: shell }
}

async function listeningOf(docker: Docker, name: string): Promise<number[] | undefined> {
  try {
    const state = await containerState(docker, name)
    return state.Running ? containerListening(state.Pid, await containerId(docker, name)) : undefined
  } catch {
    return undefined // gone meanwhile
  }
}
