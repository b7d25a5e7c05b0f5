import { InputError } from '../inputs/inputs.js'
import { composeProjectName, startDependencies, stopDependencies } from '../compose/index.js'
import { serviceInputs } from '../compose/service-inputs.js'
import type { Gate, Stage } from './stage.js'

// compose-file: the services the gated one depends on, started with the real `docker compose`
// plugin and waited for as the file says, before any platform run; the built image then runs in
// the service's place (its networks, aliases, environment, command, healthcheck…). Everything the
// project started is removed in cleanup, after the platform runs; a run cut short (a timeout, the
// post step) removes its containers and networks by the run's label (docker/cleanup.ts).

/** A dependency let the gated service down: nothing runs in its place. */
export class DependencyError extends Error {}

/** What cleanup needs of the project started, kept per gate. */
const started = new WeakMap<Gate, { project: string; labels: string }>()

export const composeStage: Stage = {
  name: "starting the compose file's dependencies",
  applies: gate => gate.inputs.composeFile !== '',
  async start(gate) {
    const { ctx, inputs, report } = gate
    const file = inputs.composeFile
    const service = inputs.composeService
    const project = composeProjectName(ctx.id)
    ctx.containersNamed = true
    ctx.networksMade = true
    const r = await startDependencies({ docker: ctx.docker, file, service, project, runId: ctx.id, timeoutMs: inputs.healthTimeout * 1000 })
    if (r.outcome === 'refused') throw new InputError(r.message)
    const dependencies = r.dependencies.map(d => ({ service: d.service, condition: d.condition, seconds: Math.round(d.ms / 100) / 10 }))
    if (r.outcome === 'failed') {
      report.compose = { file, service, project, outcome: 'failed', dependencies, settings: [], notes: [], message: r.message.split('\n') }
      if (r.down.error) ctx.sink.warning(`compose-file: ${r.down.error}`)
      throw new DependencyError(r.message.split('\n')[0])
    }
    started.set(gate, { project: r.project, labels: r.labels })
    const taken = serviceInputs(r.service, r.networks, inputs, gate.given)
    gate.inputs = taken.inputs
    report.compose = { file, service, project, outcome: 'ready', dependencies, settings: taken.settings, notes: taken.notes }
  },
  async cleanup(gate) {
    const project = started.get(gate)
    if (!project) return
    const down = await stopDependencies({ docker: gate.ctx.docker, file: gate.inputs.composeFile, ...project })
    if (down.error) gate.ctx.sink.warning(`compose-file: ${down.error}`)
  }
}
