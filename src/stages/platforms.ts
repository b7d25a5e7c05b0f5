import type { RunContext } from '../context.js'
import { DeferredSink } from '../deferred-sink.js'
import { newReport, type Report } from '../report/report.js'

// Several platforms (platforms: linux/amd64,linux/arm64): each is gated as one platform would be
// (its own build, loaded into the engine as an image of its own, run and judged), and the verdicts
// combine into the one report: its rows carry their platform, the run passes when every platform
// passed, and report.platforms says which failed.
//
// The builds run at once: they are most of a multi-platform run's time (an emulated build under
// QEMU above all), BuildKit runs them side by side on every driver, and their logs are shown one
// after another (deferred-sink.ts). The containers then run one after another, after every build:
// a startup measured while another platform builds or starts would measure the machine's load, not
// the app.

export interface GateOne {
  /** builds `platform` into `report`, its messages going where `ctx` says */
  build: (platform: string, report: Report, ctx: RunContext) => Promise<void>
  /** runs and judges what build made, into `report` */
  run: (platform: string, report: Report) => Promise<void>
}

/** Gates each platform into a report of its own, then puts them together into `report`. */
export async function gateEach(ctx: RunContext, report: Report, platforms: string[], gate: GateOne): Promise<void> {
  const runs = platforms.map(() => newReport(report.tag))
  try {
    await buildAll(ctx, platforms, runs, gate)
    for (const [i, platform] of platforms.entries()) await gate.run(platform, runs[i])
  } finally {
    // an error in one platform still reports the ones gated before it
    Object.assign(report, combine(platforms, runs))
  }
}

/** Every platform's build at once, each log shown in its turn; the first error once all have ended. */
async function buildAll(ctx: RunContext, platforms: string[], runs: Report[], gate: GateOne): Promise<void> {
  const sinks = platforms.map((_, i) => (i === 0 ? undefined : new DeferredSink(ctx.sink)))
  const builds = platforms.map((platform, i) => gate.build(platform, runs[i], sinks[i] ? ctx.withSink(sinks[i]) : ctx))
  ctx.stage = `building the images (${platforms.join(', ')})`
  // each log in its turn: the next is shown once the one before it has ended
  for (const [i, build] of builds.entries()) {
    await build.catch(() => undefined)
    await sinks[i + 1]?.live()
  }
  const failed = (await Promise.allSettled(builds)).find(b => b.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
}

/**
 * The combined report: every platform's rows, each with its platform; the first platform's
 * measurements at the top (the outputs that name one image), and each platform's own under
 * `platforms`.
 */
export function combine(platforms: string[], runs: Report[]): Partial<Report> {
  const [first = newReport()] = runs
  const failedBuild = runs.find(r => !r.build.ok)
  return {
    build: { ...(failedBuild ?? first).build, ok: runs.length === platforms.length && runs.every(r => r.build.ok), seconds: sum(runs.map(r => r.build.seconds)) },
    image: first.image,
    health: first.health,
    user: first.user,
    stop: first.stop,
    smoke: first.smoke,
    contents: first.contents,
    baseline: first.baseline,
    stages: first.stages,
    checks: runs.flatMap((r, i) => r.checks.map(check => ({ ...check, platform: platforms[i] }))),
    passed: runs.length === platforms.length && runs.every(r => r.passed),
    platforms: runs.map((r, i) => ({ platform: platforms[i], passed: r.passed, image: r.image, ...(r.contents && { contents: r.contents }), health: healthLog(r.health) }))
  }
}

/**
 * Each platform's image is loaded into the engine as an image of its own, so each gets tags of its
 * own: "app:1.2.0" → "app:1.2.0-linux-arm64" (a tag is at most 128 characters).
 */
export function platformTags(tags: string[], platform: string): string[] {
  const suffix = `-${platform.replace(/\//g, '-')}`
  return tags.map(tag => {
    const named = /:[^/]*$/.test(tag) ? tag : `${tag}:latest`
    const at = named.lastIndexOf(':')
    return `${named.slice(0, at + 1)}${named.slice(at + 1, at + 1 + 128 - suffix.length)}${suffix}`
  })
}

/** What the sections under the table show of a platform's run: its log and its last probes. */
function healthLog({ verdict, logTail, logError, probes }: Report['health']): NonNullable<Report['platforms']>[number]['health'] {
  return { verdict, ...(logTail && { logTail }), ...(logError && { logError }), ...(probes && { probes }) }
}

function sum(values: (number | undefined)[]): number | undefined {
  const known = values.filter((n): n is number => n !== undefined)
  return known.length > 0 ? Math.round(known.reduce((a, b) => a + b, 0) * 10) / 10 : undefined
}
