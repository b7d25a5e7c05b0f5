import { plain } from '../strip-escapes.js'
import type { BuildWarning } from '../report/report.js'

// BuildKit's build checks (buildx 0.15 and later): Dockerfile lint rules such as JSONArgsRecommended
// or SecretsUsedInArgOrEnv. With BUILDX_METADATA_WARNINGS=true buildx writes them into the metadata
// file as `buildx.build.warnings`, each text base64-encoded:
//   { short: "JSONArgsRecommended: JSON arguments recommended for CMD … (line 5)", detail: [...],
//     url: "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
//     sourceInfo: { filename: "Dockerfile", data: … }, range: [{ start: { line: 5 }, end: { line: 5 } }] }
// An older buildx writes no such key: no warnings, and nothing to show.

/** The environment a build needs for buildx to write its warnings into the metadata file. */
export const WARNINGS_ENV = { BUILDX_METADATA_WARNINGS: 'true' }

/** The build checks in a metadata file's content (already parsed), in BuildKit's order. */
export function buildWarnings(metadata: unknown): BuildWarning[] {
  const list = (metadata as Record<string, unknown> | null)?.['buildx.build.warnings']
  if (!Array.isArray(list)) return []
  return list.flatMap(item => {
    const warning = toWarning(item)
    return warning ? [warning] : []
  })
}

interface RawWarning {
  short?: unknown
  url?: unknown
  sourceInfo?: { filename?: unknown }
  range?: { start?: { line?: unknown } }[]
}

function toWarning(item: unknown): BuildWarning | undefined {
  if (item === null || typeof item !== 'object') return undefined
  const raw = item as RawWarning
  const short = oneLine(decode(raw.short))
  if (!short) return undefined
  const url = typeof raw.url === 'string' && /^https:\/\//.test(raw.url) ? oneLine(raw.url) : undefined
  const line = raw.range?.[0]?.start?.line
  const file = typeof raw.sourceInfo?.filename === 'string' ? oneLine(raw.sourceInfo.filename) : undefined
  // "Rule: message (line N)": the rule leads the message; without it, the rule page's name
  const named = /^([A-Z][A-Za-z0-9]+): (.+)$/.exec(short)
  const message = (named ? named[2] : short).replace(/ \(line \d+\)$/, '')
  const rule = named?.[1] ?? url?.replace(/\/+$/, '').split('/').pop() ?? 'build check'
  return {
    rule,
    message,
    ...(url && { url }),
    ...(file && { file }),
    ...(Number.isSafeInteger(line) && (line as number) > 0 && { line: line as number })
  }
}

function decode(value: unknown): string {
  return typeof value === 'string' ? Buffer.from(value, 'base64').toString('utf8') : ''
}

/** Build output: plain, on one line. */
function oneLine(text: string): string {
  return plain(text.replace(/[\r\n\t]+/g, ' ')).trim()
}
