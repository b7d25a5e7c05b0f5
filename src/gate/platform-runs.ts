import { judge } from '../checks/index.js'
import { newRun, type PlatformRun } from '../report/report.js'
import { buildAnnotations as annotationsForBuild } from '../rules/annotations.js'
import { allowForEmulation, emulatedOn } from '../rules/emulation.js'
import { profileOf } from '../stages/profile.js'
import { gateEach, platformTags } from './platforms.js'
import type { Gate, PlatformJob, Stage } from './stage.js'

// The platform runs: build → inspect → run and wait → measure → judge, once per platform, each
// into a run of its own (report.runs; one platform is a list of one). Several platforms build at
// once and then run one after another (platforms.ts). The report passes when every run did.

/** The platforms a run gates: those the input names, else the engine's own (""). */
export function platformsOf(inputs: Pick<Gate['inputs'], 'platforms'>): string[] {
  return inputs.platforms.length > 0 ? inputs.platforms : ['']
}

async function platformRuns(gate: Gate): Promise<void> {
  const { ctx, inputs, report, stages, engine, tags } = gate
  const platforms = platformsOf(inputs)
  const settings = profileOf(inputs)
  const jobs = platforms.map(
    (platform): PlatformJob => ({
      ctx,
      inputs: { ...inputs, platform },
      run: newRun(platform, settings),
      stages,
      engine,
      tags: platforms.length === 1 ? tags : platformTags(tags, platform)
    })
  )
  report.runs = jobs.map(job => job.run)
  if (jobs.length === 1) {
    await buildPlatform(jobs[0])
    await runPlatform(jobs[0])
  } else {
    const jobOf = (run: PlatformRun) => jobs.find(job => job.run === run)!
    await gateEach(ctx, report.runs, { build: (run, view) => buildPlatform({ ...jobOf(run), ctx: view }), run: run => runPlatform(jobOf(run)) })
  }
  report.passed = report.runs.every(run => run.passed)
}

export const platformRunsStage: Stage = { name: 'building the image', start: platformRuns }

function platformNote(inputs: PlatformJob['inputs']): string {
  return inputs.platform ? ` (${inputs.platform})` : ''
}

/** build, into the job's run (the image id in run.image.id). */
async function buildPlatform({ ctx, inputs, run, stages, engine, tags }: PlatformJob): Promise<void> {
  ctx.stage = `building the image${platformNote(inputs)}`
  // the containerd store keeps the manifest the build writes, so its annotations are the build's
  // (as build-push-action passes them); the classic store keeps none, so the push writes them
  const buildAnnotations = engine.store === 'containerd' ? annotationsForBuild(inputs.annotations, inputs.platform || `linux/${engine.arch}`) : []
  const { id, ...built } = await stages.build(ctx, { ...inputs, buildAnnotations }, tags, engine.builder)
  run.build = built
  run.image.id = id
}

/** inspect → run and wait → measure → judge the image buildPlatform built, into the job's run. */
async function runPlatform({ ctx, inputs, run, stages, engine, tags }: PlatformJob): Promise<void> {
  const on = platformNote(inputs)
  if (run.build.ok) {
    // The image every later stage runs and measures, decided once: its id (a tag can be moved by a
    // concurrent build), or the tag when the builder gave no id.
    const image = run.image.id ?? tags[0]
    ctx.stage = `inspecting the image${on}`
    run.image = { ...run.image, ...(await stages.inspectImage(ctx.docker, image)) }
    // an image for another architecture runs under QEMU: slower, so its health limits allow for it
    const emulated = emulatedOn(engine, run.image.platform)
    if (emulated) run.image.emulatedOn = emulated
    const runInputs = emulated ? allowForEmulation(inputs) : inputs
    ctx.stage = `running the container and waiting for its health check${on}`
    const running = stages.runAndWait(ctx, runInputs, image, run.image, engine)
    // The compressed size is measured meanwhile, at the lowest CPU priority so it takes only what
    // the app's startup leaves; the rest of the measuring (and compare-to, compare-stages) waits
    // for the run, and a run that fails stops it quietly (see measureSizes).
    const measuring = stages.measureSizes(ctx, inputs, image, engine, running, run.image.platform)
    const ran = await running
    Object.assign(run, { health: ran.health, user: ran.user, stop: ran.stop, smoke: ran.smoke })
    ctx.stage = `measuring the image size${on}`
    const sizes = await measuring
    Object.assign(run, { image: { ...run.image, ...sizes.image }, baseline: sizes.baseline, firstStage: sizes.firstStage, contents: sizes.contents })
  }
  ctx.stage = 'judging'
  Object.assign(run, judge(run, run.image.emulatedOn ? allowForEmulation(inputs) : inputs))
}
