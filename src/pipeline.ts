import type { RunContext } from './context.js'
import { cleanupOnSignals, cleanupOrSayHow, cleanupSettled } from './docker/cleanup.js'
import { EngineError } from './docker/docker.js'
import { preflight } from './docker/engine.js'
import { INPUT_NAMES, InputError, readInputs, type InputName, type InputSource, type Inputs } from './inputs/inputs.js'
import { checkRunNetwork } from './inputs/network.js'
import { deployedSource } from './deploy/apply.js'
import { annotateBuildWarnings, annotateContents, annotateUser } from './publish/annotations.js'
import { commentFromReport, commentKey, commentOnPullRequest, pullRequest } from './publish/comment.js'
import { setOutputs } from './publish/outputs.js'
import { plainStrings } from './strip-escapes.js'
import { loadReport } from './report/load.js'
import { renderMarkdown } from './render/markdown.js'
import { newReport, type Report } from './report/report.js'
import { failureLine, renderText } from './render/text.js'
import { build, defaultTag } from './stages/build.js'
import { inspectImage } from './stages/inspect.js'
import { runAndWait } from './stages/run.js'
import { checkPlatform } from './stages/platform.js'

import { pushGated } from './stages/push.js'
import { measureSizes } from './stages/size.js'
import { counted } from './units.js'
import { DependencyError, notPushedYet, platformsOf, runStages, type Gate, type StageFunctions } from './gate/index.js'

// The whole run on one screen: inputs → build → inspect → run and wait → measure → judge → publish.
// Each stage returns its result and the pipeline puts it into the report, so the report always
// holds what is known so far (a timeout publishes it as it stands). Messages go to ctx.sink.

/** The stages, injectable so the pipeline can be tested with fakes. */
export const STAGES: StageFunctions = { preflight, defaultTag, build, inspectImage, runAndWait, measureSizes, pushGated }
export type Stages = StageFunctions

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
    // a deployment file (kubernetes-manifest, fly-config) fills the inputs that were not given
    const cwd = options.cwd ?? process.cwd()
    const deployed = deployedSource(source, cwd)
    if (deployed.deployment) report.deployment = deployed.deployment
    const given = readInputs(deployed.source, cwd, value => {
      ctx.secrets.add(value)
      ctx.sink.secret(value)
    })
    inputs = given
    if (given.commentFrom) return await postReport(ctx, given)
    // what hangs may never return: once the report is out, the process ends
    const exit = options.exit ?? ((code: number) => process.exit(code))
    const onTimeout = () => void timedOut(ctx, report, given, options.hasPostStep).then(() => exit(1))
    limit = setTimeout(onTimeout, given.timeout * 1000)
    // what the user (or a deployment file) set: a compose service's own settings do not replace it
    const set = new Set(INPUT_NAMES.filter(name => deployed.source(name).trim() !== ''))
    await gateImage(ctx, given, set, report, options.stages ?? STAGES)
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

async function gateImage(ctx: RunContext, inputs: Inputs, given: ReadonlySet<InputName>, report: Report, stages: Stages): Promise<void> {
  report.pullRequest = pullRequest()?.number
  report.commentKey = commentKey(inputs)
  ctx.stage = 'checking the Docker engine'
  ctx.setCallLimit(inputs.callTimeout)
  const engine = await stages.preflight(ctx.docker, inputs.builder)
  await checkRunNetwork(ctx.docker, inputs.runNetwork)
  for (const platform of platformsOf(inputs)) checkPlatform(engine, platform)
  report.tag = inputs.tags[0] ?? (await stages.defaultTag(ctx, inputs))
  const tags = inputs.tags.length > 0 ? inputs.tags : [report.tag]
  const gate: Gate = { ctx, inputs, given, report, stages, engine, tags }
  notPushedYet(gate)
  await runStages(gate)
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
  const kind = err instanceof InputError ? 'input' : err instanceof EngineError ? 'engine' : err instanceof DependencyError ? 'dependency' : 'internal'
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
