import * as v from 'valibot'

// The report's shape, declared once: report.ts takes its types from here, and load.ts reads a saved
// report (comment-from) through it. A saved report is untrusted (a fork's run may have written it),
// so the caps are part of the schema: unknown fields are dropped, strings and lists are cut to what
// a comment can show. The caps keep every type the same (a string stays a string), so the types
// inferred here are the plain ones the stages write.

/** At most `max` characters (a comment has room for 65,536 in all). */
const text = (max = 10_000) =>
  v.pipe(
    v.string(),
    v.transform(s => s.slice(0, max))
  )
/** An instruction or an image reference: one line's worth. */
const short = () => text(1_000)
/** A list of what the image gave (its ports, its processes): the first `max`. */
const firstOf = <T extends v.GenericSchema>(item: T, max: number) =>
  v.pipe(
    v.array(item),
    v.transform(items => items.slice(0, max))
  )
/** Rows are never cut (a comment without one would lie by omission): a file with more than any run writes is refused. */
const MAX_ROWS = 100
const rows = <T extends v.GenericSchema>(item: T) => v.pipe(v.array(item), v.maxLength(MAX_ROWS, `at most ${MAX_ROWS} rows`))
/** The newest 200 lines of a log. */
const logTail = () =>
  v.pipe(
    v.array(text()),
    v.transform(lines => lines.slice(-200))
  )
/**
 * An optional measurement. JSON.stringify writes NaN (a timestamp Docker left empty) as null, so a
 * report image-gate wrote itself may hold null here: it means "not measured", like a missing field.
 */
const measured = () =>
  v.optional(
    v.pipe(
      v.nullable(v.number()),
      v.transform(n => n ?? undefined)
    )
  )
// (the messages complete load.ts's "expected …")
const wholeNumber = () => v.pipe(v.number(), v.integer('a whole number'))

export const CheckNameSchema = v.picklist(['build', 'health', 'startup', 'probe-time', 'size', 'size-increase', 'user', 'contents', 'stop', 'smoke'])
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

export const LayerSchema = v.object({
  /** the Dockerfile instruction that made it (docker history) */
  instruction: short(),
  size: v.number(),
  /** with compare-to: the size of the baseline's layer made by the same instruction (0: none) */
  before: measured()
})

export const ProbeSchema = v.object({
  exitCode: wholeNumber(),
  output: text()
})

/** Stopping a container as an orchestrator does: its stop signal, then SIGKILL after stop-timeout. */
export const StopSchema = v.object({
  /** exited after the signal; killed after stop-timeout; not run: it had already exited */
  outcome: v.picklist(['exited', 'killed', 'not-run']),
  /** the image's STOPSIGNAL, e.g. "SIGTERM" */
  signal: short(),
  /** signal → exit, seconds (stop-timeout when killed) */
  seconds: measured(),
  exitCode: v.optional(wholeNumber()),
  /** PID 1's program (docker top), and the init that runs as PID 1, if one does (dumb-init, tini) */
  pid1: v.optional(short()),
  init: v.optional(short())
})

export const SmokeResultSchema = v.object({
  command: text(),
  /** still running after smoke-seconds, or exited */
  outcome: v.picklist(['running', 'exited']),
  exitCode: v.optional(wholeNumber()),
  /** how long it ran */
  seconds: v.number(),
  logTail: v.optional(logTail()),
  /** a command still running after smoke-seconds is stopped like the main container */
  stop: v.optional(StopSchema)
})

/** Something in the image's layers that production does not need, or must not ship. Never a file's content. */
export const FindingSchema = v.object({
  kind: v.picklist(['secret', 'dev-dependency', 'build-tool', 'forbidden']),
  /** what it is: "environment file", "private key (PEM)", "devDependency of /app/package.json", "gcc" */
  what: short(),
  /** where, from the image's root: a file, or the folder of a package or a .git */
  path: short(),
  /** bytes it adds to the image */
  size: v.number(),
  /** the Dockerfile instruction of the layer that added it */
  instruction: short(),
  /** the instruction of a later layer that deleted it (a whiteout): it still ships in the layer below */
  deletedBy: v.optional(short())
})

/** The contents check: the final image's layers, read in the same docker save pass as the compressed size. */
const ContentsSchema = v.object({
  /** why the layers were not read (the containerd store keeps them compressed; docker save failed) */
  notScanned: v.optional(text()),
  /** the layers read (each blob once) and the files in them */
  layers: v.optional(wholeNumber()),
  files: v.optional(wholeNumber()),
  /** secrets first, then forbidden paths, dev dependencies and build tools (the first 100) */
  findings: v.pipe(
    v.array(FindingSchema),
    v.transform(findings => findings.slice(0, 100))
  ),
  /** findings in all, and those allow-paths let through (not listed) */
  count: wholeNumber(),
  allowed: wholeNumber()
})

const BuildSchema = v.object({
  ok: v.boolean(),
  seconds: measured(),
  /** the build step that failed, e.g. "[build 4/6] RUN npm run build" */
  failedStep: v.optional(text()),
  /** the error line buildx ended with */
  error: v.optional(text()),
  /** the failed step's most telling line of its own output, e.g. "npm error 404 Not Found - GET …" */
  cause: v.optional(short()),
  logTail: v.optional(logTail())
})

const ImageSchema = v.object({
  id: v.optional(text()),
  /** the layers' unpacked bytes, as the classic image store counts them, on either store */
  size: measured(),
  /** Config.User as written in the image, "" when unset */
  user: v.optional(text()),
  /** Config.Healthcheck.Test, or undefined when the image has none (or HEALTHCHECK NONE) */
  healthcheck: v.optional(firstOf(text(), 100)),
  /** consecutive failed probes after the start period before Docker says unhealthy */
  healthcheckRetries: measured(),
  /** Config.StopSignal, "" when unset (Docker then sends SIGTERM) */
  stopSignal: v.optional(short()),
  /** the HEALTHCHECK's own --interval and --start-period, seconds (Docker's defaults when unset: 30 and 0) */
  healthcheckInterval: measured(),
  healthcheckStartPeriod: measured(),
  exposedPorts: v.optional(firstOf(text(), 100)),
  labels: v.optional(
    v.pipe(
      v.record(v.string(), v.string()),
      // the first 100, each key a line's worth
      v.transform(labels => Object.fromEntries(Object.entries(labels).slice(0, 100).map(([k, value]) => [k.slice(0, 200), value.slice(0, 1_000)])))
    )
  ),
  /** what a push transfers: each layer gzip-compressed (or the store's own compressed blobs) */
  compressedSize: measured(),
  compressedBy: v.optional(v.picklist(['gzip', 'zlib', 'store'])),
  /** the engine's image store: it decides how the sizes were had, not what they mean */
  store: v.optional(v.picklist(['classic', 'containerd'])),
  largestLayers: v.optional(
    v.pipe(
      v.array(LayerSchema),
      // listed largest first: the five largest
      v.transform(layers => layers.slice(0, 5))
    )
  )
})

const BaselineSchema = v.object({
  ref: short(),
  size: measured(),
  compressedSize: measured(),
  /** the instruction whose layers grew the most against the baseline's */
  growth: v.optional(v.object({ instruction: short(), bytes: v.number() })),
  error: v.optional(text())
})

const HealthSchema = v.object({
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
  /** how often Docker probed: 1 s with fast-health, else the image's own interval */
  intervalSeconds: measured(),
  /**
   * what decided an unhealthy verdict: Docker itself, the image's own HEALTHCHECK limit (what
   * Docker would say on the image's settings, reached while probing every second), or a probe
   * that could not run at all
   */
  rule: v.optional(v.picklist(['docker', 'image-limit', 'cannot-run'])),
  /** image-limit: container start → when Docker, on the image's own settings, would say unhealthy */
  limitSeconds: measured(),
  /** cannot-run: the program the probe could not start, and why */
  cannotRun: v.optional(v.object({ program: short(), why: v.picklist(['missing', 'not-executable']) })),
  /** container start → the last failing probe before the first pass: the app was not ready then */
  notReadyAtSeconds: measured(),
  /** how long the passing probes took, from Docker's own start and end stamps */
  probeTimes: v.optional(v.object({ passing: wholeNumber(), medianMs: wholeNumber(), slowestMs: wholeNumber() })),
  exitCode: v.optional(wholeNumber()),
  oomKilled: v.optional(v.boolean()),
  /** the last probe results Docker kept (up to five), oldest first */
  probes: v.optional(
    v.pipe(
      v.array(ProbeSchema),
      v.transform(probes => probes.slice(-5))
    )
  ),
  logTail: v.optional(logTail()),
  /** missing: a probe built from a program the image has and its EXPOSEd port; shell: it has /bin/sh (health-cmd needs one) */
  suggestedCmd: v.optional(v.object({ tool: v.picklist(['wget', 'curl', 'node']), argv: v.pipe(v.array(short()), v.transform(a => a.slice(0, 10))), shell: v.boolean() }))
})

const UserSchema = v.object({
  /** the UIDs PID 1 of the container really runs as */
  uid: v.optional(wholeNumber()),
  gid: v.optional(wholeNumber()),
  process: v.optional(text()),
  /** PID 1's process id as the host sees it (only to tell it from the rest: never shown) */
  pid: v.optional(wholeNumber()),
  /** every process in the container, as docker top saw it after the health wait (host PIDs) */
  processes: v.optional(firstOf(v.object({ pid: wholeNumber(), uid: wholeNumber(), gid: wholeNumber(), command: text() }), 100)),
  /** USER resolved through the image's /etc/passwd and /etc/group */
  resolvedUid: v.optional(wholeNumber()),
  resolvedGid: v.optional(wholeNumber()),
  unresolved: v.optional(text()),
  /** the non-root account to switch to: one the Dockerfile creates, else one the base image has */
  suggested: v.optional(v.object({ name: short(), uid: wholeNumber(), from: v.picklist(['dockerfile', 'image']) })),
  /** why the runtime user could not be read */
  unknownReason: v.optional(text())
})

export const ReportSchema = v.pipe(
  v.object({
    schema: v.literal(1),
    /** the image reference built and run (a tag) */
    tag: text(),
    build: BuildSchema,
    image: ImageSchema,
    /** compare-to: the image this one is compared with */
    baseline: v.optional(BaselineSchema),
    /** compare-stages: the first (build) stage, to show what the multi-stage build saves */
    stages: v.optional(v.object({ stage: v.optional(text()), size: measured(), error: v.optional(text()) })),
    health: HealthSchema,
    user: UserSchema,
    /** what the image's layers hold: secrets, dev dependencies, build tools */
    contents: v.optional(ContentsSchema),
    /** the main container stopped after the health wait and the user check */
    stop: v.optional(StopSchema),
    /** smoke-commands, in input order */
    smoke: v.optional(rows(SmokeResultSchema)),
    checks: rows(CheckSchema),
    passed: v.boolean(),
    /**
     * the pull request this run was for, and the key of its comment; comment-from takes the number
     * only when the event names none, and checks it, and never takes the key (publish/comment.ts)
     */
    pullRequest: v.optional(v.pipe(v.number(), v.safeInteger('a pull request number'), v.minValue(1, 'a pull request number'))),
    commentKey: v.optional(text()),
    /** the pull-request comment, when one was posted */
    comment: v.optional(v.object({ url: text(), action: v.picklist(['created', 'updated']) })),
    /** what the `report` output left out to fit an environment variable (cap.ts) */
    cut: v.optional(
      v.pipe(
        v.array(short()),
        v.transform(notes => notes.slice(0, 20))
      )
    ),
    /** set when the run could not start or stopped early (bad input, no engine) */
    error: v.optional(v.object({ kind: v.picklist(['input', 'engine', 'timeout', 'internal']), message: text() }))
  }),
  // a file cannot claim a pass its own rows contradict
  v.transform(report => ({ ...report, passed: report.passed === true && report.checks.every(check => check.status !== 'fail') }))
)
