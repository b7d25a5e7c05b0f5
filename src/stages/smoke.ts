import type { RunContext } from '../context.js'
import { containerState, logTail, ranSeconds, removeContainer } from '../docker/container.js'
import { lastLine } from '../docker/docker.js'
import { watchContainer } from '../docker/events.js'
import { waitUntil } from '../docker/wait.js'
import type { Inputs } from '../inputs/inputs.js'
import type { SmokeResult } from '../report/report.js'

// Smoke commands: the other process types of the same image (a worker, a scheduler). Each runs in
// its own container; it passes if it exits 0, or is still running after smoke-seconds.

export type SmokeInputs = Pick<Inputs, 'smokeCommands' | 'smokeSeconds' | 'env'>

export async function runSmoke(ctx: RunContext, inputs: SmokeInputs, image: string): Promise<SmokeResult[]> {
  return Promise.all(inputs.smokeCommands.map(command => smokeOne(ctx, inputs, image, command)))
}

async function smokeOne(ctx: RunContext, inputs: SmokeInputs, image: string, command: string[]): Promise<SmokeResult> {
  const { docker } = ctx
  const name = `${ctx.containerName()}-smoke`
  const result: SmokeResult = { command: command.join(' '), outcome: 'exited', seconds: 0 }
  const watch = watchContainer(docker, name, ['die'])
  try {
    const run = await docker.call(smokeArgs(ctx, inputs, image, name, command))
    if (run.exitCode !== 0) {
      // e.g. the executable does not exist in the image: Docker says so and exits 125-127
      return { ...result, exitCode: run.exitCode, logTail: [lastLine(run.stderr)] }
    }
    return await waitUntil(watch, inputs.smokeSeconds * 1000, async overdue => {
      const state = await containerState(docker, name)
      if (!state.Running) {
        const logs = state.ExitCode !== 0 ? { logTail: await logTail(docker, name) } : {}
        return { ...result, exitCode: state.ExitCode, seconds: ranSeconds(state), ...logs }
      }
      return overdue ? { ...result, outcome: 'running' as const, seconds: inputs.smokeSeconds } : undefined
    })
  } finally {
    watch.stop()
    await removeContainer(docker, name)
  }
}

/** A smoke container: same image and env, another command, no health check of its own. */
export function smokeArgs(ctx: RunContext, inputs: SmokeInputs, image: string, name: string, command: string[]): string[] {
  const args = ['run', '--detach', '--name', name, ...ctx.labels(), '--no-healthcheck']
  for (const pair of inputs.env) args.push('--env', pair)
  return [...args, image, ...command]
}
