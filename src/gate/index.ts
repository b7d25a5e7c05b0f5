import { composeStage } from './compose.js'
import { platformRunsStage } from './platform-runs.js'
import { pushStage } from './push.js'
import type { Gate, Stage } from './stage.js'

export type { Gate, Stage, StageFunctions } from './stage.js'
export { notPushedYet } from './push.js'
export { DependencyError } from './compose.js'
export { platformsOf } from './platform-runs.js'

// The stages of a run once its engine is checked, in order (stage.ts says what a stage is). A new
// stage is a file of this folder and one entry here.
export const GATE_STAGES: Stage[] = [composeStage, platformRunsStage, pushStage]

/** Runs each stage that applies, in order; then each one's cleanup, last first, however the run went. */
export async function runStages(gate: Gate, stages = GATE_STAGES): Promise<void> {
  const started: Stage[] = []
  try {
    for (const stage of stages) {
      if (stage.applies && !stage.applies(gate)) continue
      gate.ctx.stage = stage.name
      started.push(stage)
      await stage.start(gate)
    }
  } finally {
    for (const stage of started.reverse()) await stage.cleanup?.(gate)
  }
}
