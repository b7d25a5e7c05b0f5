import type { Report } from '../report/report.js'
import { repository } from '../registry/repository.js'

// push: true, said in one line under the checks table (summary, comment, terminal): what went out and
// that it is the image that was gated, or why nothing did. Reads the report only.

export function pushLine(report: Report): string | undefined {
  const push = report.push
  if (!push) return undefined
  if (push.outcome === 'partly-pushed') return partlyLine(push, push.why ?? stoppedWhy(report))
  if (push.outcome !== 'pushed') return `not pushed: ${push.why ?? stoppedWhy(report)}`
  const images = push.images ?? []
  const what = images.length > 1 ? `index ${push.digest}` : push.digest
  const gated =
    images.length > 1
      ? `the ${images.length} images that were gated (${images.map(i => `${i.platform} config ${i.config}`).join('; ')})`
      : `the image that was gated (config ${images[0]?.config ?? 'unknown'})`
  return `pushed ${tagList(push.tags)}, ${what} — ${gated}`
}

/** "partly pushed: A now serves sha256:…; B did not move: why": every tag that moved, to what, and the rest. */
export function partlyLine(push: NonNullable<Report['push']>, why: string): string {
  const moved = push.moved ?? []
  const digests = [...new Set(moved.map(m => m.digest))]
  const serve = moved.length === 1 ? 'serves' : 'serve'
  const now = digests.length === 1 ? `${tagList(moved.map(m => m.tag))} now ${serve} ${digests[0]}` : moved.map(m => `${m.tag} now serves ${m.digest}`).join(', ')
  const rest = push.unmoved?.length ? `${tagList(push.unmoved)} did not move` : 'every tag moved, but'
  return `partly pushed: ${now}; ${rest}${rest.endsWith('but') ? ' ' : ': '}${why}`
}

/** ghcr.io/o/app:1.2.0 and :latest: a later tag of the same repository by its tag alone. */
export function tagList(tags: string[]): string {
  const first = tags[0] ?? ''
  const named = tags.map((tag, i) => (i > 0 && repository(tag) === repository(first) && !tag.includes('@') ? tag.slice(repository(tag).length) : tag))
  return named.length > 1 ? `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}` : named.join('')
}

function stoppedWhy(report: Report): string {
  if (report.error?.kind === 'timeout') return 'the run timed out'
  if (report.error) return 'the run stopped with an error'
  return 'the run did not get to it'
}
