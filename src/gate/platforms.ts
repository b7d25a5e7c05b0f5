import type { RunContext } from '../context.js'
import { DeferredSink } from '../deferred-sink.js'
import type { PlatformRun } from '../report/report.js'

// Several platforms (platforms: linux/amd64,linux/arm64): each is gated as one platform would be
// (its own build, loaded into the engine as an image of its own, run and judged) into a run of its
// own (report.runs): the report passes when every platform's run passed.
//
// The builds run at once: they are most of a multi-platform run's time (an emulated build under
// QEMU above all), BuildKit runs them side by side on every driver, and their logs are shown one
// after another (deferred-sink.ts). The containers then run one after another, after every build:
// a startup measured while another platform builds or starts would measure the machine's load, not
// the app.

export interface GateOne {
  /** builds `run`'s platform into it, its messages going where `ctx` says */
  build: (run: PlatformRun, ctx: RunContext) => Promise<void>
  /** runs and judges what build made, into `run` */
  run: (run: PlatformRun) => Promise<void>
}

/** Gates each platform into its own run: every build at once, then each container in its turn. */
export async function gateEach(ctx: RunContext, runs: PlatformRun[], gate: GateOne): Promise<void> {
  await buildAll(ctx, runs, gate)
  for (const run of runs) await gate.run(run)
}

/** Every platform's build at once, each log shown in its turn; the first error once all have ended. */
async function buildAll(ctx: RunContext, runs: PlatformRun[], gate: GateOne): Promise<void> {
  const sinks = runs.map((_, i) => (i === 0 ? undefined : new DeferredSink(ctx.sink)))
  const builds = runs.map((run, i) => gate.build(run, sinks[i] ? ctx.withSink(sinks[i]) : ctx))
  ctx.stage = `building the images (${runs.map(run => run.platform).join(', ')})`
  // each log in its turn: the next is shown once the one before it has ended
  for (const [i, build] of builds.entries()) {
    await build.catch(() => undefined)
    await sinks[i + 1]?.live()
  }
  const failed = (await Promise.allSettled(builds)).find(b => b.status === 'rejected')
  if (failed) throw (failed as PromiseRejectedResult).reason
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
