import { newReport, type Report } from '../report/report.js'

// Several platforms (platforms: linux/amd64,linux/arm64): each is gated as one platform would be
// (its own build, loaded into the engine as an image of its own, run and judged), and the verdicts
// combine into the one report: its rows carry their platform, the run passes when every platform
// passed, and report.platforms says which failed. One after another: each platform's build and run
// log stays in one piece, and the health timing of one is not disturbed by the other's build.

/** Gates each platform into a report of its own, then puts them together into `report`. */
export async function gateEach(report: Report, platforms: string[], gateOne: (platform: string, report: Report) => Promise<void>): Promise<void> {
  const runs: Report[] = []
  try {
    for (const platform of platforms) {
      const one = newReport(report.tag)
      runs.push(one)
      await gateOne(platform, one)
    }
  } finally {
    // an error in one platform still reports the ones gated before it
    Object.assign(report, combine(platforms, runs))
  }
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
    platforms: runs.map((r, i) => ({ platform: platforms[i], passed: r.passed, image: r.image, ...(r.contents && { contents: r.contents }) }))
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

function sum(values: (number | undefined)[]): number | undefined {
  const known = values.filter((n): n is number => n !== undefined)
  return known.length > 0 ? Math.round(known.reduce((a, b) => a + b, 0) * 10) / 10 : undefined
}
