import * as v from 'valibot'
import { firstOf, rows, short } from './fields.js'
import { BaselineSchema, ContentsSchema, ImageSchema } from './image-schema.js'
import { UserSchema } from './user-schema.js'
import { BuildSchema, CheckSchema, FirstStageSchema, HealthSchema, REPORT_FIELDS, RunSettingsSchema, SmokeResultSchema, StopSchema, trustRows, type InferRun } from './schema.js'

// The saved report as image-gate wrote it before it had runs (schema 1): one set of measurements
// at the top (with several platforms, the first's), each platform's image, contents and log under
// `platforms`, and every row in one list, naming its platform. A pull-request run made by an older
// image-gate is still posted by a newer one's comment-from, so schema 1 is read and turned into
// runs: each platform a run with its own rows; what schema 1 kept only for the first platform
// (user, stop, smoke) stays with the first.

const V1CheckSchema = v.object({ ...CheckSchema.entries, platform: v.optional(short()) })

export const ReportV1Schema = v.object({
  schema: v.literal(1),
  ...REPORT_FIELDS,
  build: BuildSchema,
  image: ImageSchema,
  baseline: v.optional(BaselineSchema),
  stages: v.optional(FirstStageSchema),
  run: v.optional(RunSettingsSchema),
  health: HealthSchema,
  user: UserSchema,
  contents: v.optional(ContentsSchema),
  stop: v.optional(StopSchema),
  smoke: v.optional(rows(SmokeResultSchema)),
  checks: rows(V1CheckSchema),
  platforms: v.optional(
    firstOf(
      v.object({
        platform: short(),
        passed: v.boolean(),
        image: ImageSchema,
        contents: v.optional(ContentsSchema),
        health: v.optional(v.pick(HealthSchema, ['verdict', 'logTail', 'logError', 'probes']))
      }),
      16
    )
  )
})

type V1 = v.InferOutput<typeof ReportV1Schema>

/** Schema 1 → schema 2: the same report, as runs. */
export function upgradeV1(old: V1) {
  const { build, image, baseline, stages, run: settings, health, user, contents, stop, smoke, checks, platforms } = old
  const { tag, passed, pullRequest, commentKey, push, comment, cut, error } = old
  const rest = { tag, passed, ...defined({ pullRequest, commentKey, push, comment, cut, error }) }
  const rowsOf = (platform?: string) => checks.filter(c => c.platform === platform).map(c => ({ name: c.name, status: c.status, value: c.value, limit: c.limit, detail: c.detail }))
  const first: InferRun = {
    platform: platforms?.[0]?.platform ?? image.platform ?? '',
    build,
    image,
    ...(baseline && { baseline }),
    ...(stages && { firstStage: stages }),
    ...(settings && { settings }),
    health,
    user,
    ...(contents && { contents }),
    ...(stop && { stop }),
    ...(smoke && { smoke }),
    checks: rowsOf(platforms ? platforms[0].platform : undefined),
    passed: platforms?.[0]?.passed ?? old.passed
  }
  const others: InferRun[] = (platforms ?? []).slice(1).map(p => ({
    platform: p.platform,
    build: { ok: build.ok },
    image: p.image,
    ...(settings && { settings }),
    health: { verdict: 'skipped', ...p.health },
    user: {},
    ...(p.contents && { contents: p.contents }),
    checks: rowsOf(p.platform),
    passed: p.passed
  }))
  // a report that stopped before its build (bad input, no engine) had no run to speak of
  const runs = build.seconds === undefined && checks.length === 0 && !platforms ? [] : [first, ...others]
  return trustRows({ schema: 2 as const, ...rest, runs })
}

/** The fields that are set (a saved report leaves the others out). */
function defined<T extends object>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Partial<T>
}
