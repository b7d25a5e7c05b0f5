// The one report every output renders from: the job summary, the outputs, the terminal text and
// (later) the pull-request comment. Stages write measurements into it; checks.ts judges them;
// render.ts and outputs.ts only read it. It is also the `report` output, so keep it JSON-friendly.

export type CheckName = 'build' | 'health' | 'startup' | 'size' | 'size-increase' | 'user' | 'smoke'
/** pass ✅, fail ❌, skip ⚪ (measured or not run, but not judged) */
export type CheckStatus = 'pass' | 'fail' | 'skip'

export interface Check {
  name: CheckName
  status: CheckStatus
  /** what was measured, e.g. "healthy after 1.4 s" */
  value: string
  /** what it was judged against, e.g. "≤ 500 MB"; "" when not judged */
  limit: string
  /** one short sentence: why, and what to do about a failure */
  detail: string
}

export type HealthVerdict = 'healthy' | 'unhealthy' | 'exited' | 'missing' | 'skipped' | 'timeout'

export interface Layer {
  /** the Dockerfile instruction that made it (docker history) */
  instruction: string
  size: number
  /** with compare-to: the size of the baseline's layer made by the same instruction (0: none) */
  before?: number
}

export interface Probe {
  exitCode: number
  output: string
}

export interface Report {
  schema: 1
  /** the image reference built and run (a tag) */
  tag: string
  build: {
    ok: boolean
    seconds?: number
    /** the build step that failed, e.g. "[build 4/6] RUN npm run build" */
    failedStep?: string
    /** the error line buildx ended with */
    error?: string
    logTail?: string[]
  }
  image: {
    id?: string
    /** bytes, as the engine reports it */
    size?: number
    /** Config.User as written in the image, "" when unset */
    user?: string
    /** Config.Healthcheck.Test, or undefined when the image has none (or HEALTHCHECK NONE) */
    healthcheck?: string[]
    /** consecutive failed probes after the start period before Docker says unhealthy */
    healthcheckRetries?: number
    exposedPorts?: string[]
    labels?: Record<string, string>
    /** what a push transfers: each layer gzip-compressed (or the store's own compressed blobs) */
    compressedSize?: number
    compressedBy?: 'gzip' | 'zlib' | 'store'
    /** the engine's image store: sizes mean different things in each */
    store?: 'classic' | 'containerd'
    largestLayers?: Layer[]
  }
  /** compare-to: the image this one is compared with */
  baseline?: {
    ref: string
    size?: number
    compressedSize?: number
    /** the instruction whose layers grew the most against the baseline's */
    growth?: { instruction: string; bytes: number }
    error?: string
  }
  /** compare-stages: the first (build) stage, to show what the multi-stage build saves */
  stages?: { stage?: string; size?: number; error?: string }
  health: {
    verdict: HealthVerdict
    /** where the check came from */
    source?: 'image' | 'health-cmd'
    command?: string
    /** container start → first healthy probe, from Docker's own timestamps */
    startupSeconds?: number
    /** how long image-gate waited for a verdict */
    waitedSeconds?: number
    /** container start → image-gate's verdict (the bench compares it with the app's readiness) */
    verdictSeconds?: number
    /** an exited container: how long it ran */
    ranSeconds?: number
    timeoutSeconds?: number
    exitCode?: number
    oomKilled?: boolean
    /** the last probe results Docker kept (up to five), oldest first */
    probes?: Probe[]
    logTail?: string[]
  }
  user: {
    /** the UIDs PID 1 of the container really runs as */
    uid?: number
    gid?: number
    process?: string
    /** PID 1's process id as the host sees it */
    pid?: number
    /** every process in the container, as docker top saw it after the health wait */
    processes?: { pid: number; uid: number; gid: number; command: string }[]
    /** USER resolved through the image's /etc/passwd and /etc/group */
    resolvedUid?: number
    resolvedGid?: number
    unresolved?: string
    /** why the runtime user could not be read */
    unknownReason?: string
  }
  /** smoke-commands, in input order */
  smoke?: SmokeResult[]
  checks: Check[]
  passed: boolean
  /** the pull request this run was for, and the key of its comment (used by comment-from) */
  pullRequest?: number
  commentKey?: string
  /** the pull-request comment, when one was posted */
  comment?: { url: string; action: 'created' | 'updated' }
  /** set when the run could not start or stopped early (bad input, no engine) */
  error?: { kind: 'input' | 'engine' | 'timeout' | 'internal'; message: string }
}

export interface SmokeResult {
  command: string
  /** still running after smoke-seconds, or exited */
  outcome: 'running' | 'exited'
  exitCode?: number
  /** how long it ran */
  seconds: number
  logTail?: string[]
}

export function newReport(tag = ''): Report {
  return { schema: 1, tag, build: { ok: false }, image: {}, health: { verdict: 'skipped' }, user: {}, checks: [], passed: false }
}

/** Seconds to one decimal, as the report shows them. */
export function round(n: number): number {
  return Math.round(n * 10) / 10
}
