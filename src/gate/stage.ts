import type { RunContext } from '../context.js'
import type { preflight, Engine } from '../docker/engine.js'
import type { InputName, Inputs } from '../inputs/inputs.js'
import type { ServiceRun } from '../compose/service-inputs.js'
import type { PlatformRun, Report } from '../report/report.js'
import type { build, defaultTag } from '../stages/build.js'
import type { inspectImage } from '../stages/inspect.js'
import type { pushGated } from '../stages/push.js'
import type { runAndWait } from '../stages/run.js'
import type { measureSizes } from '../stages/size.js'

// The contract of a stage of the whole run (the gate: the engine checked, the tags known). Each is
// one file of this folder and one entry of GATE_STAGES (index.ts), run in that order: a stage
// reads the gate and writes its result into the report, and what it started it removes in
// cleanup, which runs for every stage that started, last first, however the stages after it ended
// (a failure, an error; a timeout removes the containers by their label: docker/cleanup.ts).

/** The functions the stages call on Docker, injectable so the pipeline can be tested with fakes. */
export interface StageFunctions {
  preflight: typeof preflight
  defaultTag: typeof defaultTag
  build: typeof build
  inspectImage: typeof inspectImage
  runAndWait: typeof runAndWait
  measureSizes: typeof measureSizes
  pushGated: typeof pushGated
}

/** One run of image-gate once its engine is checked: what every stage reads, and the report they fill in. */
export interface Gate {
  ctx: RunContext
  /** the inputs, and what a stage before the platform runs adds (compose-file: the service's networks and settings) */
  inputs: Inputs & ServiceRun
  /** the inputs given (or set by a deployment file), which a compose service's settings do not replace */
  given: ReadonlySet<InputName>
  report: Report
  stages: StageFunctions
  engine: Engine
  /** the tags the image gets (the tags input, or the default tag) */
  tags: string[]
}

export interface Stage {
  /** what the run is doing while it runs, as a timeout names it ("pushing the image") */
  name: string
  /** whether it has anything to do in this run (the push, only with push: true) */
  applies?: (gate: Gate) => boolean
  start: (gate: Gate) => Promise<void>
  /** removes what start left, once the stages after it have ended */
  cleanup?: (gate: Gate) => Promise<void>
}

/** Everything one platform's stages need, and the run they fill in (one per platform). */
export interface PlatformJob {
  ctx: RunContext
  inputs: Inputs & ServiceRun & { platform: string }
  run: PlatformRun
  stages: StageFunctions
  engine: Engine
  /** the tags its image gets in the engine (with several platforms, each its own: platformTags) */
  tags: string[]
}
