import { capReport } from '../render/report-output.js'
import type { PlatformRun, Report } from '../report/report.js'
import type { Sink } from '../sink.js'

// The step's outputs, all read off the report.

export function outputsOf(report: Report): Record<string, string> {
  const text = (v: number | string | undefined): string => (v === undefined ? '' : String(v))
  // the outputs that name one image are the first platform's (the report output holds every run)
  const first: Partial<PlatformRun> = report.runs[0] ?? {}
  return {
    imageid: text(first.image?.id),
    size: text(first.image?.size),
    'compressed-size': text(first.image?.compressedSize),
    health: first.health?.verdict ?? 'skipped',
    'startup-seconds': text(first.health?.startupSeconds),
    user: text(first.image?.user),
    uid: text(first.user?.uid),
    'memory-used': text(first.health?.memory?.usedBytes),
    'stop-seconds': text(first.stop?.seconds),
    'stop-exit-code': text(first.stop?.exitCode),
    'contents-findings': text(first.contents?.notScanned === undefined ? first.contents?.count : undefined),
    passed: String(report.passed),
    // which platforms failed: with several, each that did; with one, its own when it failed
    'failed-platforms': failedPlatforms(report).join(','),
    // cut to fit an environment variable: the README's fork recipe passes it through one
    report: JSON.stringify(capReport(report)),
    'comment-url': report.comment?.url ?? '',
    // push: true, as build-push-action names them: what the registry serves for the tags
    // partly pushed too: the tags that moved serve it
    digest: report.push?.outcome === 'pushed' || report.push?.outcome === 'partly-pushed' ? (report.push.digest ?? '') : '',
    metadata: pushMetadata(report)
  }
}

function failedPlatforms(report: Report): string[] {
  if (report.runs.length > 1) return report.runs.filter(run => !run.passed).map(run => run.platform)
  const platform = report.runs[0]?.image.platform
  return !report.passed && platform ? [platform] : []
}

export function setOutputs(report: Report, sink: Sink): void {
  for (const [name, value] of Object.entries(outputsOf(report))) sink.output(name, value)
}

/**
 * build-push-action's metadata output, for what was pushed: the manifest's (or index's) digest and
 * descriptor, the tags that serve it (partly pushed: those that moved), and the config digest of a
 * single image (empty when nothing was pushed).
 */
export function pushMetadata(report: Report): string {
  const push = report.push
  if ((push?.outcome !== 'pushed' && push?.outcome !== 'partly-pushed') || !push.digest) return ''
  const images = push.images ?? []
  return JSON.stringify({
    'containerimage.digest': push.digest,
    'containerimage.descriptor': { mediaType: push.mediaType, digest: push.digest, size: push.size },
    ...(images.length === 1 && { 'containerimage.config.digest': images[0].config }),
    'image.name': (push.outcome === 'pushed' ? push.tags : (push.moved ?? []).map(m => m.tag)).join(',')
  })
}
