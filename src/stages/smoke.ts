import { containerName, logTail, removeContainer, smokeArgs } from './run.js'
import { docker, lastLine } from '../docker/docker.js'
import { containerState, ranSeconds, SAFETY_POLL_MS } from './health.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Report, SmokeResult } from '../report/report.js'
import { watchContainer } from '../docker/events.js'

// Smoke commands: the other process types of the same image (a worker, a scheduler). Each runs in
// its own container; it passes if it exits 0, or is still running after smoke-seconds.

export async function runSmoke(inputs: Inputs, report: Report): Promise<void> {
  const image = report.image.id ?? report.tag
  report.smoke = await Promise.all(inputs.smokeCommands.map(command => smokeOne(inputs, image, command)))
}

async function smokeOne(inputs: Inputs, image: string, command: string[]): Promise<SmokeResult> {
  const name = `${containerName()}-smoke`
  const result: SmokeResult = { command: command.join(' '), outcome: 'exited', seconds: 0 }
  const watch = watchContainer(name, ['die'])
  try {
    const run = await docker(smokeArgs(inputs, image, name, command))
    if (run.exitCode !== 0) {
      // e.g. the executable does not exist in the image: Docker says so and exits 125-127
      return { ...result, exitCode: run.exitCode, logTail: [lastLine(run.stderr)] }
    }
    const started = watch.now()
    const limitMs = inputs.smokeSeconds * 1000
    for (;;) {
      const state = await containerState(name)
      if (!state.Running) {
        result.exitCode = state.ExitCode
        result.seconds = ranSeconds(state)
        if (state.ExitCode !== 0) result.logTail = await logTail(name)
        return result
      }
      if (watch.now() - started >= limitMs) return { ...result, outcome: 'running', seconds: inputs.smokeSeconds }
      await watch.wait(Math.min(SAFETY_POLL_MS, limitMs - (watch.now() - started)))
    }
  } finally {
    watch.stop()
    await removeContainer(name)
  }
}
