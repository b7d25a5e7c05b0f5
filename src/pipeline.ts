import { judge } from './checks/index.js'
import type { RunContext } from './context.js'
import { cleanupOnSignals, cleanupOrSayHow, cleanupSettled } from './docker/cleanup.js'
import { EngineError } from './docker/docker.js'
import { preflight, type Engine } from './docker/engine.js'
import { InputError, readInputs, type InputSource, type Inputs } from './inputs/inputs.js'
import { checkRunNetwork } from './inputs/network.js'
import { annotateBuildWarnings, annotateContents, annotateUser } from './publish/annotations.js'
import { commentFromReport, commentKey, commentOnPullRequest, pullRequest } from './publish/comment.js'
import { setOutputs } from './publish/outputs.js'
import { plainStrings } from './strip-escapes.js'
import { loadReport } from './report/load.js'
import { renderMarkdown } from './render/markdown.js'
import { newReport, newRun, rowsOf, type PlatformRun, type Report } from './report/report.js'
import { partlyLine } from './render/push-line.js'
import { failureLine, renderText } from './render/text.js'
import { build, defaultTag } from './stages/build.js'
import { inspectImage } from './stages/inspect.js'
import { runAndWait } from './stages/run.js'
import { buildAnnotations as annotationsForBuild } from './rules/annotations.js'
import { allowForEmulation, emulatedOn } from './rules/emulation.js'
import { checkPlatform } from './stages/platform.js'
import { gateEach, platformTags } from './stages/platforms.js'
import { profileOf } from './stages/profile.js'
import { pushGated, type Pushed } from './stages/push.js'
import { measureSizes } from './stages/size.js'
import { counted } from './units.js'

// The whole run on one screen: inputs → build → inspect → run and wait → measure → judge → publish.
// Each stage returns its result and the pipeline puts it into the report, so the report always
// holds what is known so far (a timeout publishes it as it stands). Messages go to ctx.sink.

/** The stages, injectable so the pipeline can be tested with fakes. */
export const STAGES = { preflight, defaultTag, build, inspectImage, runAndWait, measureSizes, pushGated }
export type Stages = typeof STAGES

export interface RunOptions {
  /** the action has a post step that removes what a crashed or hung run left; the command line has none */
  hasPostStep: boolean
  stages?: Stages
  cwd?: string
  /** how the run ends when its timeout fires (after the report is published): the process exits */
  exit?: (code: number) => void
}

export async function run(ctx: RunContext, source: InputSource, options: RunOptions): Promise<Report> {
  cleanupOnSignals(ctx)
  const report = newReport()
  let inputs: Inputs | undefined
  let limit: NodeJS.Timeout | undefined
  try {
    // each secret is hidden from the moment it is read: in what Docker answers, and in the log
    const given = readInputs(source, options.cwd ?? process.cwd(), value => {
      ctx.secrets.add(value)
      ctx.sink.secret(value)
    })
    inputs = given
    if (given.commentFrom) return await postReport(ctx, given)
    // what hangs may never return: once the report is out, the process ends
    const exit = options.exit ?? ((code: number) => process.exit(code))
    const onTimeout = () => void timedOut(ctx, report, given, options.hasPostStep).then(() => exit(1))
    limit = setTimeout(onTimeout, given.timeout * 1000)
    await gate(ctx, given, report, options.stages ?? STAGES)
  } catch (err) {
    recordError(ctx, report, err)
  } finally {
    clearTimeout(limit)
  }
  await publish(ctx, report, inputs)
  // each stage removed its own; this catches anything a failure in between left
  await cleanupOrSayHow(ctx, options.hasPostStep)
  return report
}

async function gate(ctx: RunContext, inputs: Inputs, report: Report, stages: Stages): Promise<void> {
  report.pullRequest = pullRequest()?.number
  report.commentKey = commentKey(inputs)
  ctx.stage = 'checking the Docker engine'
  ctx.setCallLimit(inputs.callTimeout)
  const engine = await stages.preflight(ctx.docker, inputs.builder)
  await checkRunNetwork(ctx.docker, inputs.runNetwork)
  const platforms = inputs.platforms.length > 0 ? inputs.platforms : ['']
  for (const platform of platforms) checkPlatform(engine, platform)
  report.tag = inputs.tags[0] ?? (await stages.defaultTag(ctx, inputs))
  const tags = inputs.tags.length > 0 ? inputs.tags : [report.tag]
  // from here on the report says nothing was pushed, and why, whatever stops the run
  if (inputs.push) report.push = { outcome: 'not-pushed', tags }
  // one run per platform, each judged on its own: one platform is a list of one
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
    // several: the builds at once, then each container in its turn (stages/platforms.ts)
    const jobOf = (run: PlatformRun) => jobs.find(job => job.run === run)!
    await gateEach(ctx, report.runs, { build: (run, view) => buildPlatform({ ...jobOf(run), ctx: view }), run: run => runPlatform(jobOf(run)) })
  }
  report.passed = report.runs.every(run => run.passed)
  if (inputs.push) await push(ctx, report, inputs, tags, engine.store, stages)
}

/** Everything a platform's stages need, and the run they fill in (one per platform). */
interface PlatformJob {
  ctx: RunContext
  inputs: PlatformInputs
  run: PlatformRun
  stages: Stages
  engine: Engine
  /** the tags its image gets in the engine (with several platforms, each its own: platformTags) */
  tags: string[]
}

type PlatformInputs = Inputs & { platform: string }

function platformNote(inputs: PlatformInputs): string {
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

/**
 * push: true, after judge: the gated images (their ids, as every stage ran them; one per platform)
 * to every tag, only when every check on every platform passed. A push the registry refuses fails
 * the step in its words (EngineError); once a tag moved, the report says which did, to what, and
 * which did not, as each moves (a timeout then publishes that too).
 */
async function push(ctx: RunContext, report: Report, inputs: Inputs, tags: string[], store: Engine['store'], stages: Stages): Promise<void> {
  const failed = rowsOf(report).filter(c => c.status === 'fail').length
  if (!report.passed || !report.runs.every(run => run.build.ok)) {
    report.push = { outcome: 'not-pushed', tags, why: failed > 0 ? `${counted(failed, 'check')} failed` : 'the image did not pass' }
    return
  }
  ctx.stage = 'pushing the image'
  const several = report.runs.length > 1
  const images = report.runs.map(run => ({ platform: several ? run.platform : (run.image.platform ?? ''), image: run.image.id ?? (several ? '' : report.tag) }))
  const moved: { tag: string; digest: string }[] = []
  const partly = (pushed: Pushed, why?: string): Report['push'] => ({
    outcome: 'partly-pushed',
    tags,
    ...pushed,
    moved: [...moved],
    unmoved: tags.filter(tag => !moved.some(m => m.tag === tag)),
    ...(why !== undefined && { why })
  })
  let last: Pushed | undefined
  const onMoved = (tag: string, pushed: Pushed) => {
    moved.push({ tag, digest: pushed.digest })
    last = pushed
    report.push = partly(pushed)
  }
  try {
    const pushed = await ctx.sink.group('Push', () => stages.pushGated(ctx, images, tags, { store, annotations: inputs.annotations, moved: onMoved }))
    report.push = { outcome: 'pushed', tags, ...pushed, moved }
  } catch (err) {
    const why = (err as Error).message
    if (last) {
      report.push = partly(last, why)
      throw new EngineError(partlyLine(report.push!, why))
    }
    report.push = { outcome: 'failed', tags, why }
    throw err instanceof EngineError ? err : new EngineError(why)
  }
}

/**
 * The whole run's limit (the timeout input): whatever is hung (a build, a docker call) is ended,
 * the containers go, and the summary says how far the run got.
 */
async function timedOut(ctx: RunContext, report: Report, inputs: Inputs, hasPostStep: boolean): Promise<void> {
  report.error = { kind: 'timeout', message: `timed out after ${inputs.timeout} s (the timeout input) while ${ctx.stage}` }
  report.passed = false
  ctx.processes.stopAll()
  await cleanupSettled(ctx, hasPostStep)
  await publish(ctx, report, inputs)
}

/** comment-from: a workflow_run job posting the report of a pull-request run. Builds nothing. */
async function postReport(ctx: RunContext, inputs: Inputs): Promise<Report> {
  const report = loadReport(inputs.commentFrom)
  report.comment = await commentFromReport(report, inputs, ctx.sink)
  await publish(ctx, report, inputs, false)
  return report
}

function recordError(ctx: RunContext, report: Report, err: unknown): void {
  // after a timeout, errors from the interrupted pipeline are its echo, not the cause
  if (report.error?.kind === 'timeout') return
  const message = err instanceof Error ? err.message : String(err)
  const kind = err instanceof InputError ? 'input' : err instanceof EngineError ? 'engine' : 'internal'
  report.error = { kind, message }
  report.passed = false
  // User and engine errors are explained in one line; only an internal error's stack helps anyone.
  if (kind === 'internal' && err instanceof Error && err.stack) ctx.sink.debug(err.stack)
}

/**
 * Publishes the report, once: a timeout publishes while the interrupted pipeline may still be
 * unwinding towards its own publish. The second caller waits for the first publish to end, so the
 * timeout's exit never cuts a summary or a comment short.
 */
function publish(ctx: RunContext, report: Report, inputs: Inputs | undefined, gate = true): Promise<void> {
  ctx.publishing ??= publishOnce(ctx, report, inputs, gate)
  return ctx.publishing
}

async function publishOnce(ctx: RunContext, report: Report, inputs: Inputs | undefined, gate: boolean): Promise<void> {
  const { sink } = ctx
  // what the image wrote (logs, probe output, build lines, file names) is shown plain everywhere,
  // and the secrets it echoed are masked: Docker's answers were as they came (secrets.ts), and the
  // report is once more as a whole, before anything renders or cuts it (markdown, cap, outputs)
  Object.assign(report, ctx.secrets.maskStrings(plainStrings(report)))
  // a gated run ends with the failure line (sink.fail below), which says the error: once is enough
  sink.untrusted(renderText(report, { error: !gate }).split('\n'))
  // each run's container log; with several platforms, named with its platform
  for (const run of report.runs) {
    const lines = run.health.logTail ?? []
    const on = report.runs.length > 1 ? ` ${run.platform}` : ''
    if (lines.length > 0) await sink.group(`Container log${on} (last ${counted(lines.length, 'line')})`, async () => sink.untrusted(lines))
  }
  if (inputs && gate) {
    annotateBuildWarnings(report, inputs, sink)
    annotateUser(report, inputs, sink)
    annotateContents(report, inputs, sink)
    report.comment = await commentOnPullRequest(report, inputs, sink)
  }
  setOutputs(report, sink)
  // The summary is written even for bad input (inputs undefined), so the run page says what happened.
  if (inputs?.summary ?? true) {
    try {
      await sink.summary(renderMarkdown(report))
    } catch (err) {
      sink.warning(`could not write the job summary: ${(err as Error).message}`)
    }
  }
  // comment-from only posts: the pull-request run already passed or failed on this report
  if (!gate) return
  if (report.error) {
    sink.fail(report.error.kind === 'input' ? report.error.message : `image-gate: ${report.error.message}`)
  } else if (!report.passed) {
    const line = `image-gate: ${failureLine(report)}`
    if (inputs?.fail ?? true) sink.fail(line)
    else sink.warning(`${line} (not failing the step: fail is false)`)
  }
}
