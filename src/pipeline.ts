import * as core from '@actions/core'
import { annotateUser } from './publish/annotations.js'
import { cleanupOnSignals, cleanupOrSayHow, RUN_ID } from './docker/cleanup.js'
import { build, defaultTag } from './stages/build.js'
import { failureLine, judge } from './checks/index.js'
import { commentFromReport, commentKey, commentOnPullRequest, pullRequest } from './publish/comment.js'
import { containerName, removeContainer, startContainer } from './stages/run.js'
import { stopAll } from './docker/command.js'
import { EngineError, preflight, setCallLimit } from './docker/docker.js'
import { logUntrusted } from './report/escape.js'
import { containerState, waitForHealth } from './stages/health.js'
import { actionInputs, InputError, readInputs, type InputSource, type Inputs } from './inputs/inputs.js'
import { inspectImage } from './stages/inspect.js'
import { setOutputs } from './publish/outputs.js'
import { renderMarkdown, renderText } from './report/markdown.js'
import { loadReport } from './report/load.js'
import { newReport, type Report } from './report/report.js'
import { measureSizes } from './stages/size.js'
import { runSmoke } from './stages/smoke.js'
import { measureUser } from './stages/user.js'
import { watchContainer } from './docker/events.js'

// The pipeline, in order: inputs → build → inspect → run and wait → sizes → checks → report.

/** `source`: where inputs come from; the action's INPUT_* variables, or the command line (cli.ts). */
export async function run(source: InputSource = actionInputs): Promise<void> {
  // for the post step, and for a cancelled job: what this run creates carries this id
  core.saveState('run', RUN_ID)
  cleanupOnSignals()
  const report = newReport()
  let inputs: Inputs | undefined
  let limit: NodeJS.Timeout | undefined
  try {
    inputs = readInputs(source)
    if (inputs.commentFrom) return await postReport(inputs)
    limit = setTimeout(timedOut, inputs.timeout * 1000, report, inputs)
    await gate(inputs, report)
  } catch (err) {
    recordError(report, err)
  } finally {
    clearTimeout(limit)
  }
  await publish(report, inputs)
  // each stage removed its own; this catches anything a failure in between left
  await cleanupOrSayHow()
}

/** What the run is doing now, for the timeout's message. */
let stage = 'starting'

async function gate(inputs: Inputs, report: Report): Promise<void> {
  report.pullRequest = pullRequest()?.number
  report.commentKey = commentKey(inputs)
  stage = 'checking the Docker engine'
  setCallLimit(inputs.callTimeout)
  const builder = await preflight(inputs.builder)
  report.tag = inputs.tags[0] ?? (await defaultTag(inputs))
  const tags = inputs.tags.length > 0 ? inputs.tags : [report.tag]

  stage = 'building the image'
  await build(inputs, tags, report, builder)
  if (report.build.ok) {
    stage = 'inspecting the image'
    await inspectImage(report.image.id ?? report.tag, report)
    stage = 'running the container and waiting for its health check'
    await runAndWait(inputs, report)
    // after the container is gone, so measuring does not compete with the app's startup
    stage = 'measuring the image size'
    await measureSizes(inputs, report)
  }
  judge(report, inputs)
}

/**
 * The whole run's limit (the timeout input): whatever is hung (a build, a docker call) is ended,
 * the containers go, and the summary says how far the run got.
 */
async function timedOut(report: Report, inputs: Inputs): Promise<void> {
  report.error = { kind: 'timeout', message: `timed out after ${inputs.timeout} s (the timeout input) while ${stage}` }
  report.passed = false
  stopAll()
  await cleanupOrSayHow()
  await publish(report, inputs)
  process.exit(1)
}

/** comment-from: a workflow_run job posting the report of a pull-request run. Builds nothing. */
async function postReport(inputs: Inputs): Promise<void> {
  const report = loadReport(inputs.commentFrom)
  await commentFromReport(report, inputs)
  await publish(report, inputs, false)
}

async function runAndWait(inputs: Inputs, report: Report): Promise<void> {
  const name = containerName()
  // The other process types run alongside; a failure of theirs must not go unhandled meanwhile.
  const smoke = inputs.smokeCommands.length > 0 ? runSmoke(inputs, report) : Promise.resolve()
  smoke.catch(() => undefined)
  // Follow Docker's events from before the container exists, so no transition is missed.
  const watch = watchContainer(name)
  try {
    if (!(await startContainer(inputs, name, report))) return
    await waitForHealth(inputs, name, report, watch)
    await measureUser(name, await containerState(name), report)
  } finally {
    // pass or fail, the containers go
    watch.stop()
    await removeContainer(name)
    await smoke
  }
}

function recordError(report: Report, err: unknown): void {
  // after a timeout, errors from the interrupted pipeline are its echo, not the cause
  if (report.error?.kind === 'timeout') return
  const message = err instanceof Error ? err.message : String(err)
  const kind = err instanceof InputError ? 'input' : err instanceof EngineError ? 'engine' : 'internal'
  report.error = { kind, message }
  report.passed = false
  // User and engine errors are explained in one line; only an internal error's stack helps anyone.
  if (kind === 'internal' && err instanceof Error && err.stack) core.debug(err.stack)
}

let published = false

async function publish(report: Report, inputs: Inputs | undefined, gate = true): Promise<void> {
  // once: a timeout publishes while the interrupted pipeline may still be unwinding
  if (published) return
  published = true
  logUntrusted(renderText(report).split('\n'))
  const containerLog = report.health.logTail ?? []
  if (containerLog.length > 0) {
    core.startGroup(`Container log (last ${containerLog.length} lines)`)
    logUntrusted(containerLog)
    core.endGroup()
  }
  if (inputs && gate) {
    annotateUser(report, inputs)
    await commentOnPullRequest(report, inputs)
  }
  setOutputs(report)
  // The summary is written even for bad input (inputs undefined), so the run page says what happened.
  if ((inputs?.summary ?? true) && process.env.GITHUB_STEP_SUMMARY) {
    try {
      await core.summary.addRaw(renderMarkdown(report), true).write()
    } catch (err) {
      core.warning(`could not write the job summary: ${(err as Error).message}`)
    }
  }
  // comment-from only posts: the pull-request run already passed or failed on this report
  if (!gate) return
  if (report.error) {
    core.setFailed(report.error.kind === 'input' ? report.error.message : `image-gate: ${report.error.message}`)
  } else if (!report.passed) {
    const line = `image-gate: ${failureLine(report)}`
    if (inputs?.fail ?? true) core.setFailed(line)
    else core.warning(`${line} (not failing the step: fail is false)`)
  }
}
