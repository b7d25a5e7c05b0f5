import type { InferOutput } from 'valibot'
import type {
  BuildWarningSchema,
  CheckNameSchema,
  CheckSchema,
  CheckStatusSchema,
  FindingSchema,
  HealthVerdictSchema,
  LayerSchema,
  ProbeSchema,
  PlatformRunSchema,
  ReportSchema,
  RunSettingsSchema,
  SmokeResultSchema,
  StopSchema,
  UnreadLayerSchema
} from './schema.js'
import type { PushSchema } from './push-schema.js'
import type { DeploymentSchema } from './deployment-schema.js'
import type { ComposeSchema } from './compose-schema.js'

// The one report every output renders from: the job summary, the outputs, the terminal text and
// the pull-request comment. Stages write measurements into it; checks/ judges them; render/ and
// publish/ only read it. It is also the `report` output, so keep it JSON-friendly. Its shape is
// declared once, in schema.ts, which also reads a saved report back (load.ts); the types are
// inferred from it (type-only imports: importing this file does not load valibot).

export type CheckName = InferOutput<typeof CheckNameSchema>
/** pass ✅, fail ❌, skip ⚪ (measured or not run, but not judged) */
export type CheckStatus = InferOutput<typeof CheckStatusSchema>
export type Check = InferOutput<typeof CheckSchema>
export type HealthVerdict = InferOutput<typeof HealthVerdictSchema>
export type Layer = InferOutput<typeof LayerSchema>
export type UnreadLayer = InferOutput<typeof UnreadLayerSchema>
export type Probe = InferOutput<typeof ProbeSchema>
export type SmokeResult = InferOutput<typeof SmokeResultSchema>
export type Stop = InferOutput<typeof StopSchema>
export type Finding = InferOutput<typeof FindingSchema>
export type BuildWarning = InferOutput<typeof BuildWarningSchema>
export type Report = InferOutput<typeof ReportSchema>
/** One platform's run: its build, image, measurements, rows and verdict (a report holds one per platform). */
export type PlatformRun = InferOutput<typeof PlatformRunSchema>
export type RunSettings = InferOutput<typeof RunSettingsSchema>
export type Push = InferOutput<typeof PushSchema>
export type Deployment = InferOutput<typeof DeploymentSchema>
export type ComposeRun = InferOutput<typeof ComposeSchema>
export type Contents = NonNullable<PlatformRun['contents']>

/** A report before anything ran: no runs yet (the pipeline adds one per platform as it starts it). */
export function newReport(tag = ''): Report {
  return { schema: 2, tag, runs: [], passed: false }
}

/** A platform's run before its build: `platform` "" for the engine's own. */
export function newRun(platform = '', settings?: RunSettings): PlatformRun {
  return { platform, build: { ok: false }, image: {}, ...(settings && { settings }), health: { verdict: 'skipped' }, user: {}, checks: [], passed: false }
}

/** A row as the table shows it: with several platforms, the platform it judged. */
export type Row = Check & { platform?: string }

/** Every run's rows in order; with several runs each names its platform. */
export function rowsOf(report: Report): Row[] {
  const several = report.runs.length > 1
  return report.runs.flatMap(run => (several ? run.checks.map(check => ({ ...check, platform: run.platform })) : run.checks))
}

/** Whether the build began on any platform (an engine error after it stopped a run that had started). */
export function buildStarted(report: Report): boolean {
  return report.runs.some(run => run.build.seconds !== undefined)
}

/** The most the `report` output holds (render/report-output.ts cuts it to fit an environment variable):
 * well under 128 KiB, with room for the variable's name and anything else the step passes. */
export const REPORT_OUTPUT_MAX_BYTES = 96 * 1024

/** What the engine says of the built image (stages/inspect.ts), as the report's image holds it. */
export type ImageFacts = Pick<
  PlatformRun['image'],
  'id' | 'size' | 'platform' | 'user' | 'stopSignal' | 'healthcheck' | 'healthcheckRetries' | 'healthcheckInterval' | 'healthcheckStartPeriod' | 'healthcheckStartInterval' | 'exposedPorts' | 'entrypoint' | 'cmd' | 'labels'
>
