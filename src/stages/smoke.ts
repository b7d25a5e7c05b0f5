import type { RunContext } from '../context.js'
import { cleanExit, logFields, ranSeconds } from '../docker/container.js'
import { Container } from '../docker/handle.js'
import { waitUntil } from '../docker/wait.js'
import type { Inputs } from '../inputs/inputs.js'
import type { SmokeResult } from '../report/report.js'
import { containerFlags, type ContainerInputs } from './container-flags.js'
import { startFailure } from './start.js'
import { stopContainer } from './stop.js'

// Smoke commands: the other process types of the same image (a worker, a scheduler). Each runs in
// its own container; it passes if it exits 0, or is still running after smoke-seconds.

export type SmokeInputs = ContainerInputs & Pick<Inputs, 'smokeCommands' | 'smokeSeconds' | 'stopTimeout'>

/** `stopSignal`: the image's STOPSIGNAL, sent to a command still running at the end. */
export async function runSmoke(ctx: RunContext, inputs: SmokeInputs, image: string, stopSignal = ''): Promise<SmokeResult[]> {
  return Promise.all(inputs.smokeCommands.map(command => smokeOne(ctx, inputs, image, command, stopSignal)))
}

async function smokeOne(ctx: RunContext, inputs: SmokeInputs, image: string, command: string[], stopSignal: string): Promise<SmokeResult> {
  const { docker } = ctx
  const name = `${ctx.containerName()}-smoke`
  const container = new Container(docker, name)
  const result: SmokeResult = { command: command.join(' '), outcome: 'exited', seconds: 0 }
  const watch = container.watch(['die'])
  try {
    const run = await docker.call(smokeArgs(ctx, inputs, image, name, command))
    if (run.exitCode !== 0) {
      // e.g. the executable does not exist in the image: Docker says so and exits 126 or 127; a
      // refusal that is not the image's (run-network, the engine) throws instead (start.ts)
      return { ...result, exitCode: run.exitCode, startError: startFailure(run, inputs) }
    }
    let pid = 0
    const ran = await waitUntil(watch, inputs.smokeSeconds * 1000, async overdue => {
      const state = await container.state()
      pid = state.Pid
      if (!state.Running) {
        const logs = state.ExitCode !== 0 ? logFields(await container.logs()) : {}
        return { ...result, exitCode: state.ExitCode, seconds: ranSeconds(state), ...(state.OOMKilled && { oomKilled: true }), ...logs }
      }
      return overdue ? { ...result, outcome: 'running' as const, seconds: inputs.smokeSeconds } : undefined
    })
    if (ran.outcome !== 'running') return ran
    // still running at the end: stopped the way the main container is, and timed
    // (a command that cannot take the signal is known at once, as the main container's is)
    const stop = await stopContainer(container, stopSignal, inputs.stopTimeout, watch, { pid, id: await container.id() })
    const clean = stop.outcome === 'exited' && stop.exitCode !== undefined && cleanExit(stop.exitCode, stop.signal)
    return clean ? { ...ran, stop } : { ...ran, stop, ...logFields(await container.logs()) }
  } finally {
    watch.stop()
    await container.remove()
  }
}

/** A smoke container: same image, env and network, another command, no health check of its own. */
export function smokeArgs(ctx: RunContext, inputs: SmokeInputs, image: string, name: string, command: string[]): string[] {
  return ['run', '--detach', '--name', name, ...ctx.labels(), '--no-healthcheck', ...containerFlags(inputs), image, ...command]
}
