import { setTimeout as sleep } from 'node:timers/promises'
import type { Container } from '../docker/handle.js'
import { containerListening } from '../docker/sockets.js'
import type { Inputs } from '../inputs/inputs.js'
import type { PlatformRun, ImageFacts } from '../report/report.js'
import { exposedTcpPorts, probePorts } from './ports.js'
import { probePort, probeTarget, toolOrder, type ProbeFacts, type ProbeTool } from './probe.js'
import { round } from '../units.js'
import type { Health } from './wait-healthy.js'
import { askerOf, askPort, chooseProbe, containerLanguage, findPrograms, hasShell, type Programs } from './probe-tools.js'

// What the health row's advice is built from, looked at while the container still runs: the ports
// it listens on (none: a worker, which needs no HTTP probe), what the port to probe speaks, and a
// probe fitted to it from the programs the image has. Only when advice is due, so a passing run
// never pays for it.

/**
 * No health check while one is required, a probe whose program the image lacks, or an HTTP probe
 * on loopback that never passed (its port may speak FastCGI, or nothing listen there): advice is due.
 */
export function needsAdvice(health: Health, inputs: Pick<Inputs, 'requireHealthcheck'>): boolean {
  if (health.verdict === 'missing') return inputs.requireHealthcheck
  if (health.verdict === 'unhealthy' && health.rule === 'cannot-run') return health.cannotRun?.why === 'missing'
  return (health.verdict === 'unhealthy' || health.verdict === 'timeout') && probePorts(health.command ?? '').length > 0
}

/**
 * A server that is still starting listens on nothing yet: the sockets are looked at again for up
 * to this long after start before the row calls it a worker, or says nothing listens on what it
 * EXPOSEs (it fails anyway without a health check, so only such a run waits).
 */
export const LISTEN_WAIT_S = 8

/** How long after start a container whose probe cannot run is given to listen, before its port is asked. */
export const CANNOT_RUN_WAIT_S = 3

type Advice = Pick<Health, 'suggestedCmd' | 'listeningPorts' | 'listeningSeconds' | 'hasShell' | 'portAnswer'>
type Answer = NonNullable<PlatformRun['health']['portAnswer']>

export async function probeAdvice(container: Container, facts: ImageFacts, health: Health, waitS = LISTEN_WAIT_S): Promise<Advice> {
  // a probe that cannot run is judged about a second after start: the app gets until 3 s after
  // start to listen, so its port can be asked (a probe that failed has had its time already)
  const sockets = await listeningOf(container, health.verdict === 'missing' ? waitS : health.rule === 'cannot-run' ? CANNOT_RUN_WAIT_S : 0)
  const seen = { listeningPorts: sockets?.ports, listeningSeconds: sockets?.seconds }
  const command = { entrypoint: facts.entrypoint, cmd: facts.cmd }
  const pid1 = await container.state().then(
    state => state.Pid,
    () => undefined
  )
  const [shell, programs, language] = await Promise.all([hasShell(container), findPrograms(container), containerLanguage(container, pid1, command)])
  if (shell === undefined || programs === undefined) return { ...seen, hasShell: shell } // gone meanwhile
  const order = toolOrder(language)
  const probed = probePorts(health.command ?? '')
  const probe: ProbeFacts = { exposed: facts.exposedPorts ?? [], listening: sockets?.ports, probed }
  // an HTTP probe that failed: what its own port speaks, unless nothing listens there
  const misfit = (health.verdict === 'unhealthy' && health.rule !== 'cannot-run') || health.verdict === 'timeout' ? probed[0] : undefined
  const port = misfit !== undefined && (sockets === undefined || sockets.ports.includes(misfit)) ? misfit : probePort(probe)
  const portAnswer = await answerFor(container, port, sockets?.ports, programs, order)
  const advice = { ...seen, hasShell: shell, ...(portAnswer && { portAnswer }) }
  // an HTTP probe on a port that speaks HTTP failed for another reason; on one where nothing listens
  // while nothing else does either, the app is not up: no other probe would pass. (Nothing on its
  // port while the app listens on another: a probe of that one.)
  if (misfit !== undefined && (port === misfit || port === undefined) && (portAnswer === undefined || portAnswer.protocol === 'http' || portAnswer.protocol === 'closed')) return advice
  // nothing listens, while EXPOSE names a port: no probe can pass until the app listens
  if (sockets?.ports.length === 0 && exposedTcpPorts(probe.exposed).length > 0 && health.verdict === 'missing') return advice
  const suggestedCmd = chooseProbe(programs, order, probeTarget(port, portAnswer), command, shell)
  return { ...advice, ...(suggestedCmd && { suggestedCmd }) }
}

/** What `port` speaks: closed when the sockets show nothing listening there, else asked with a program the image has (which tells a closed port too, where the sockets cannot be read). */
async function answerFor(container: Container, port: number | undefined, listening: number[] | undefined, programs: Programs, order: ProbeTool[]): Promise<Answer | undefined> {
  if (port === undefined) return undefined
  if (listening !== undefined && !listening.includes(port)) return { port, protocol: 'closed' }
  const by = askerOf(programs, order)
  if (!by) return undefined
  const answer = await askPort(container, by, port)
  return answer && { port, by, ...answer }
}

/** The ports it listens on, and when (seconds after start) they were read; while none, read again until `waitS` after start. */
async function listeningOf(container: Container, waitS: number): Promise<{ ports: number[]; seconds: number } | undefined> {
  try {
    const state = await container.state()
    if (!state.Running) return undefined
    const id = await container.id()
    const started = Date.parse(state.StartedAt)
    for (;;) {
      const ports = containerListening(state.Pid, id)
      const seconds = (Date.now() - started) / 1000
      if (ports === undefined) return undefined
      if (ports.length > 0 || seconds >= waitS || !(await container.state()).Running) return { ports, seconds: round(seconds) }
      await sleep(500)
    }
  } catch {
    return undefined // gone meanwhile
  }
}
