import * as v from 'valibot'
import { firstOf, logTail, measured, rows, short, text, wholeNumber } from './fields.js'
import { BaselineSchema, ContentsSchema, ImageSchema } from './image-schema.js'
import { ProfileWhySchema } from './profile-schema.js'
import { UserSchema } from './user-schema.js'
import { PushSchema } from './push-schema.js'
import { DeploymentSchema } from './deployment-schema.js'
import { ComposeSchema } from './compose-schema.js'
import { PortAnswerSchema, SuggestedCmdSchema } from './probe-schema.js'

export { FindingSchema, LayerSchema, UnreadLayerSchema } from './image-schema.js'

// The report's shape, declared once: report.ts takes its types from here, and load.ts reads a saved
// report (comment-from) through it. A saved report is untrusted (a fork's run may have written it),
// so the caps are part of the schema: unknown fields are dropped, strings and lists are cut to what
// a comment can show. The caps keep every type the same (a string stays a string), so the types
// inferred here are the plain ones the stages write.

export const CheckNameSchema = v.picklist(['build', 'platform', 'health', 'startup', 'probe-time', 'memory', 'size', 'size-increase', 'user', 'contents', 'stop', 'smoke'])
/** pass ✅, fail ❌, skip ⚪ (measured or not run, but not judged) */
export const CheckStatusSchema = v.picklist(['pass', 'fail', 'skip'])

export const CheckSchema = v.object({
  name: CheckNameSchema,
  status: CheckStatusSchema,
  /** what was measured, e.g. "healthy after 1.4 s" */
  value: text(),
  /** what it was judged against, e.g. "≤ 500 MB"; "" when not judged */
  limit: text(),
  /** one short sentence: why, and what to do about a failure */
  detail: text()
})

export const HealthVerdictSchema = v.picklist(['healthy', 'unhealthy', 'exited', 'missing', 'skipped', 'timeout'])

export const ProbeSchema = v.object({
  exitCode: wholeNumber(),
  output: text()
})

/** Stopping a container as an orchestrator does: its stop signal, then SIGKILL after stop-timeout. */
export const StopSchema = v.object({
  /**
   * exited after the signal; killed after stop-timeout; gone: it exited on its own after the health
   * wait, before it was stopped; not run: it had exited before it was healthy (see health)
   */
  outcome: v.picklist(['exited', 'killed', 'gone', 'not-run']),
  /** the image's STOPSIGNAL, e.g. "SIGTERM" */
  signal: short(),
  /** signal → exit, seconds (stop-timeout when killed) */
  seconds: measured(),
  exitCode: v.optional(wholeNumber()),
  /** gone: container start → its exit, seconds */
  ranSeconds: measured(),
  /** gone: Docker's State.OOMKilled, the kernel killed it for memory after it was healthy */
  oomKilled: v.optional(v.boolean()),
  /** killed without waiting out stop-timeout: the signal was known lost (no handler of PID 1's could take it), so it could not stop */
  unhandled: v.optional(v.boolean()),
  /** unhandled, after PID 1 caught the signal once and then ran on with no handler left for it (Node's own handler resets itself) */
  reset: v.optional(v.boolean()),
  /** reset: the ports PID 1 still listened on then (a shutdown would have closed them) */
  listening: v.optional(firstOf(wholeNumber(), 20)),
  /**
   * the container's other processes that had a handler for the signal when it was sent (e.g. puma
   * under a shell PID 1), by their PID in the container: the app would have shut down, had PID 1
   * passed the signal on
   */
  catchers: v.optional(firstOf(v.object({ pid: wholeNumber(), program: short() }), 20)),
  /** killed: how long image-gate waited from the signal to SIGKILL (stop-timeout, or next to nothing when unhandled) */
  waitedSeconds: measured(),
  /** PID 1's program (docker top), and the init that runs as PID 1, if one does (dumb-init, tini) */
  pid1: v.optional(short()),
  init: v.optional(short()),
  /** exited 2 after the signal: the program it ran is a Go binary (its ELF's Go build ID note), whose runtime exits 2 on an unhandled signal as PID 1 */
  go: v.optional(v.boolean())
})

export const SmokeResultSchema = v.object({
  command: text(),
  /** still running after smoke-seconds, or exited */
  outcome: v.picklist(['running', 'exited']),
  exitCode: v.optional(wholeNumber()),
  /** how long it ran */
  seconds: v.number(),
  /** Docker's State.OOMKilled: the kernel killed it for memory (run-memory's limit, or the host's) */
  oomKilled: v.optional(v.boolean()),
  /** what the command printed: its own log only */
  logTail: v.optional(logTail()),
  /** Docker's answer when it could not give that log (never read as the command's output) */
  logError: v.optional(text()),
  /** Docker's message when it could not start the command (missing, not executable): it never ran */
  startError: v.optional(text()),
  /** a command still running after smoke-seconds is stopped like the main container */
  stop: v.optional(StopSchema)
})

/** A BuildKit build check's warning (buildx 0.15+): rule "JSONArgsRecommended", its message, page and line. */
export const BuildWarningSchema = v.object({
  rule: short(),
  message: short(),
  url: v.optional(short()),
  /** the Dockerfile's base name as BuildKit read it, and the warning's first line there */
  file: v.optional(short()),
  line: v.optional(wholeNumber())
})

export const BuildSchema = v.object({
  ok: v.boolean(),
  seconds: measured(),
  /** the build step that failed, e.g. "[build 4/6] RUN npm run build" */
  failedStep: v.optional(text()),
  /** the error line buildx ended with */
  error: v.optional(text()),
  /** the failed step's most telling line of its own output, e.g. "npm error 404 Not Found - GET …" */
  cause: v.optional(short()),
  logTail: v.optional(logTail()),
  /** BuildKit's build checks, in the order it reported them (the first 100); none from a builder before buildx 0.15 */
  warnings: v.optional(
    v.pipe(
      v.array(BuildWarningSchema),
      v.transform(warnings => warnings.slice(0, 100))
    )
  )
})

export const HealthSchema = v.object({
  verdict: HealthVerdictSchema,
  /** where the check came from */
  source: v.optional(v.picklist(['image', 'health-cmd'])),
  command: v.optional(text()),
  /** container start → first healthy probe, from Docker's own timestamps */
  startupSeconds: measured(),
  /** how long image-gate waited for a verdict */
  waitedSeconds: measured(),
  /** container start → image-gate's verdict (the bench compares it with the app's readiness) */
  verdictSeconds: measured(),
  /** an exited container: how long it ran */
  ranSeconds: measured(),
  timeoutSeconds: measured(),
  /** how often Docker probed once healthy: with fast-health 1 s (0.1 s on engines before API 1.44), else the image's own interval */
  intervalSeconds: measured(),
  /** with fast-health: how often Docker probed while the app started (0.1 s): the resolution of its startup */
  startIntervalSeconds: measured(),
  /**
   * what decided an unhealthy verdict: Docker itself, the image's own HEALTHCHECK limit (what
   * Docker would say on the image's settings, reached while probing fast), a health-cmd's start
   * period then its retries, or a probe that could not run at all
   */
  rule: v.optional(v.picklist(['docker', 'image-limit', 'start-period', 'cannot-run'])),
  /** image-limit, start-period: container start → Docker's unhealthy on the rule's settings, on its schedule (health/probe-schedule.ts) */
  limitSeconds: measured(),
  /** image-limit, start-period: container start → the start of Docker's last counted probe; each probe's run counted (ms); the start period's interval where not the interval */
  lastProbeSeconds: measured(),
  probeMs: v.optional(wholeNumber()),
  startPeriodIntervalSeconds: measured(),
  /** health-cmd with fast-health: health-start-period, the seconds after start whose failures do not count */
  startPeriodSeconds: measured(),
  /** image-limit, start-period: how many probes failed after the start period (every probe seen, not only the five Docker keeps) */
  failedProbes: v.optional(wholeNumber()),
  /** cannot-run: the program the probe could not start, and why */
  cannotRun: v.optional(v.object({ program: short(), why: v.picklist(['missing', 'not-executable']) })),
  /** container start → the last failing probe before the first pass, or (image-limit, start-period) the failed one no earlier than Docker's last: not ready then */
  notReadyAtSeconds: measured(),
  /** how long the passing probes took, from Docker's own start and end stamps */
  probeTimes: v.optional(v.object({ passing: wholeNumber(), medianMs: wholeNumber(), slowestMs: wholeNumber() })),
  exitCode: v.optional(wholeNumber()),
  /** Docker's State.OOMKilled: the kernel killed a process of the container for memory (run-memory's limit, or the host's) */
  oomKilled: v.optional(v.boolean()),
  /**
   * healthy: the container's memory use right at the verdict, from the engine's cgroup figures as
   * docker stats counts it (usage minus the inactive file cache), and the limit the engine applied
   * (only with run-memory; without it the engine reports the host's memory)
   */
  memory: v.optional(v.object({ usedBytes: wholeNumber(), limitBytes: v.optional(wholeNumber()) })),
  /** healthy: why the memory figure could not be read (said in the memory row, never a failure) */
  memoryError: v.optional(text()),
  /** the last probe results Docker kept (up to five), oldest first */
  probes: v.optional(
    v.pipe(
      v.array(ProbeSchema),
      v.transform(probes => probes.slice(-5))
    )
  ),
  /** what the container printed: its own log only */
  logTail: v.optional(logTail()),
  /** Docker's answer when it could not give that log (never read as the app's output) */
  logError: v.optional(text()),
  /** not healthy under run-profile or read-only: the errors in its log they explain, and the run without them (profile-schema.ts) */
  profileCause: v.optional(ProfileWhySchema),
  /** exited: Docker's message when it could not start the container's command (missing, not executable, no such USER) */
  startError: v.optional(text()),
  /** a probe that fits the image (probe-schema.ts), and what the port to probe spoke */
  suggestedCmd: v.optional(SuggestedCmdSchema),
  portAnswer: v.optional(PortAnswerSchema),
  /** with suggestedCmd: the TCP ports the container listened on, read on the engine's host (absent where it cannot be read) */
  listeningPorts: v.optional(firstOf(wholeNumber(), 100)),
  /** container start → when listeningPorts were read */
  listeningSeconds: measured(),
  /** with suggestedCmd: whether the container has /bin/sh, which health-cmd needs (absent when not looked at) */
  hasShell: v.optional(v.boolean())
})



/** How the container ran: run-profile, read-only, run-memory (and the UID openshift runs it as). */
export const RunSettingsSchema = v.object({
  profile: v.picklist(['docker', 'restricted', 'openshift']),
  readOnly: v.boolean(),
  uid: v.optional(wholeNumber()),
  gid: v.optional(wholeNumber()),
  /** run-user: what the container ran as in the image USER's place (docker run --user) */
  user: v.optional(short()),
  memory: v.optional(v.object({ text: short(), bytes: wholeNumber() }))
})

/** compare-stages: the first (build) stage, to show what the multi-stage build saves. */
export const FirstStageSchema = v.object({ stage: v.optional(text()), size: measured(), error: v.optional(text()) })

/** One platform's run: what was built, run and measured for it, its rows and its verdict. */
export const PlatformRunSchema = v.object({
  /** the platform it gated ("linux/arm64"); "" for the engine's own, when the platforms input names none */
  platform: short(),
  build: BuildSchema,
  image: ImageSchema,
  /** compare-to: the image this one is compared with */
  baseline: v.optional(BaselineSchema),
  firstStage: v.optional(FirstStageSchema),
  settings: v.optional(RunSettingsSchema),
  health: HealthSchema,
  user: UserSchema,
  /** what the image's layers hold: secrets, dev dependencies, build tools */
  contents: v.optional(ContentsSchema),
  /** the main container stopped after the health wait and the user check */
  stop: v.optional(StopSchema),
  /** smoke-commands, in input order */
  smoke: v.optional(rows(SmokeResultSchema)),
  checks: rows(CheckSchema),
  passed: v.boolean()
})

/** The most platforms one run gates (platforms input), and so the most runs a saved report may hold. */
export const MAX_RUNS = 16

/** What every report holds besides its runs; schema 1 (schema-v1.ts) shares it. */
export const REPORT_FIELDS = {
  /** the image reference built and run (a tag; with several platforms each run's image has its own tags too) */
  tag: text(),
  passed: v.boolean(),
  /**
   * the pull request this run was for, and the key of its comment; comment-from takes the number
   * only when the event names none, and checks it, and never takes the key (publish/comment.ts)
   */
  pullRequest: v.optional(v.pipe(v.number(), v.safeInteger('a pull request number'), v.minValue(1, 'a pull request number'))),
  commentKey: v.optional(text()),
  /** kubernetes-manifest or fly-config: the settings taken from it, and which line each came from */
  deployment: v.optional(DeploymentSchema),
  /** compose-file: the dependencies started, and the settings taken from the gated service */
  compose: v.optional(ComposeSchema),
  /** push: true: what was pushed, or why nothing was */
  push: v.optional(PushSchema),
  /** the pull-request comment, when one was posted */
  comment: v.optional(v.object({ url: text(), action: v.picklist(['created', 'updated']) })),
  /** what the `report` output left out to fit an environment variable (render/report-output.ts) */
  cut: v.optional(
    v.pipe(
      v.array(short()),
      v.transform(notes => notes.slice(0, 20))
    )
  ),
  /** set when the run could not start or stopped early (bad input, no engine) */
  error: v.optional(v.object({ kind: v.picklist(['input', 'engine', 'timeout', 'dependency', 'internal']), message: text() }))
}

/** A file cannot claim a pass its own rows contradict: neither a run's nor the whole report's. */
export function trustRows<R extends { passed: boolean; runs: { passed: boolean; checks: { status: string }[] }[] }>(report: R): R {
  const runs = report.runs.map(run => ({ ...run, passed: run.passed === true && run.checks.every(check => check.status !== 'fail') }))
  return { ...report, runs, passed: report.passed === true && runs.every(run => run.passed) }
}

export const ReportSchema = v.pipe(
  v.object({
    schema: v.literal(2),
    ...REPORT_FIELDS,
    /** one per platform gated, in the platforms input's order; one when it names one or none; none before the build began (bad input, no engine) */
    runs: v.pipe(v.array(PlatformRunSchema), v.maxLength(MAX_RUNS, `at most ${MAX_RUNS} platform runs`))
  }),
  v.transform(trustRows)
)

export type InferRun = v.InferOutput<typeof PlatformRunSchema>
