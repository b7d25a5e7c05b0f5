import { codeBlock, codeSpan, inline, markdown } from './escape.js'
import { FINDING_ROWS } from '../advice/findings.js'
import type { Layer, Report } from '../report/report.js'
import { profileLine } from './profile-line.js'
import { pushLine } from './push-line.js'
import { headline, ICON, shortId } from './text.js'
import { counted, formatDelta, formatSize } from '../units.js'

// Rendering: the report as Markdown (job summary, PR comment). Reads the report only; every string
// that came from the image, its logs or the user goes through escape.ts.

/** GitHub refuses a job summary over 1 MiB; stay well under it. */
export const SUMMARY_MAX_CHARS = 900_000
/** GitHub refuses a comment body over 65,536 characters; the marker and run link need a little room. */
export const COMMENT_MAX_CHARS = 60_000
/** A single log line longer than this is cut in the middle. */
export const LINE_MAX_CHARS = 2_000

/**
 * Headline, facts and the checks table, then the logs in collapsible sections. Over `maxChars`,
 * the logs lose their oldest lines (and over-long lines their middle); the table is never cut.
 */
export function renderMarkdown(report: Report, maxChars = SUMMARY_MAX_CHARS): string {
  const head = renderHead(report)
  const blocks = logBlocks(report)
  if (blocks.length === 0) return head
  const overhead = blocks.length * 200 // <details> markup, fences, titles
  const allowance = Math.max(0, Math.floor((maxChars - head.length - overhead) / blocks.length))
  const rendered = blocks.map(block => {
    const kept = tail(block.lines, allowance)
    const dropped = block.lines.length - kept.length
    const shortened = kept.some(line => line.length > 0 && !block.lines.includes(line))
    let title = `${block.title} (last ${counted(block.lines.length, 'line')})`
    if (dropped > 0) title = `${block.title} (last ${kept.length} of ${counted(block.lines.length, 'line')}, cut to fit; the action log has them all)`
    else if (shortened) title = `${block.title} (last ${counted(block.lines.length, 'line')}, long lines shortened; the action log has them whole)`
    return details(title, kept)
  })
  return [head, ...rendered].join('\n')
}

function renderHead(report: Report): string {
  const out: string[] = []
  out.push(`## ${report.passed ? '✅' : '❌'} image-gate: ${headline(report)}`, '')
  if (report.error) {
    out.push(`**${report.error.kind === 'input' ? 'Bad input' : 'Error'}:** ${markdown(report.error.message, 1000)}`, '')
  }
  const facts = [report.tag && `image ${codeSpan(report.tag.slice(0, 200))}`, report.image.id && `id ${codeSpan(shortId(report.image.id))}`]
  if (report.build.seconds !== undefined) facts.push(`build ${report.build.seconds} s`)
  if (report.health.startupSeconds !== undefined) facts.push(`healthy ${report.health.startupSeconds} s after start`)
  const profile = profileLine(report)
  // a report read back (comment-from) is untrusted: its memory text is escaped like any
  if (profile) facts.push(markdown(profile, 300))
  const factLine = facts.filter(Boolean).join(' · ')
  if (factLine) out.push(factLine, '')
  if (report.checks.length > 0) {
    // several platforms: one row group per platform, each row naming its platform
    const several = report.checks.some(c => c.platform)
    out.push(several ? '| | Platform | Check | Result | Limit | Detail |' : '| | Check | Result | Limit | Detail |', several ? '|---|---|---|---|---|---|' : '|---|---|---|---|---|')
    for (const c of report.checks) {
      // the rows are image-gate's sentences: their `code` stays code
      const cell = (text: string, max = 300) => markdown(text, max, { table: true })
      const platform = several ? ` ${cell(c.platform ?? '', 100)} |` : ''
      // a detail holds the fix too: the stop row's init advice names the image's own ENTRYPOINT
      out.push(`| ${ICON[c.status]} |${platform} ${c.name} | ${cell(c.value)} | ${cell(c.limit)} | ${cell(c.detail, 1000)} |`)
    }
    out.push('')
  }
  const pushed = pushLine(report)
  if (pushed) out.push(markdown(pushed, 2000), '')
  // a report read back from the `report` output (comment-from) says what that output left out
  if (report.cut?.length) out.push(`_Cut to fit the report output: ${report.cut.map(note => inline(note, 200)).join('; ')}._`, '')
  for (const view of platformViews(report)) out.push(...layersTable(report, view), ...findingsTable(view))
  return out.join('\n')
}

/**
 * What the sections under the table show, per platform: with several, each platform's largest
 * layers, findings, probes and log, titled with its platform; with one, the report's own, untitled.
 */
interface PlatformView {
  /** with several platforms, the one it is about ("linux/arm64"); else "" */
  platform: string
  image: Report['image']
  contents?: Report['contents']
  health: Pick<Report['health'], 'verdict' | 'logTail' | 'probes'>
}

function platformViews(report: Report): PlatformView[] {
  const platforms = report.checks.some(c => c.platform) ? (report.platforms ?? []) : []
  if (platforms.length === 0) return [{ platform: '', image: report.image, contents: report.contents, health: report.health }]
  return platforms.map(p => ({ platform: p.platform, image: p.image, contents: p.contents, health: p.health ?? { verdict: 'skipped' } }))
}

/** " (linux/arm64)" with several platforms; `inert`: made inert like every string from the report */
function titled({ platform }: PlatformView, inert = true): string {
  return platform ? ` (${inert ? inline(platform, 100) : platform})` : ''
}

function layersTable(report: Report, view: PlatformView): string[] {
  const out: string[] = []
  const layers = view.image.largestLayers ?? []
  if (layers.length > 0) {
    // with compare-to, each layer against the baseline's layer made by the same instruction
    const compared = report.baseline?.ref !== undefined && layers.some(l => l.before !== undefined)
    out.push(`<details><summary>Largest layers${titled(view)} (${layers.length})</summary>`, '')
    if (compared) out.push(`| Size | Change vs ${inline(report.baseline!.ref, 200)} | Instruction |`, '|---:|---:|---|')
    else out.push('| Size | Instruction |', '|---:|---|')
    for (const layer of layers) {
      const change = compared ? ` ${layerChange(layer)} |` : ''
      out.push(`| ${formatSize(layer.size)} |${change} ${inline(layer.instruction, 200)} |`)
    }
    out.push('', '</details>', '')
  }
  return out
}

/** The contents check's findings: names, sizes and instructions only (a finding holds no file content). */
function findingsTable(view: PlatformView): string[] {
  const { count = 0 } = view.contents ?? {}
  // at most 40 rows of cut cells: the table is never cut, and a comment must stay under its limit
  const findings = (view.contents?.findings ?? []).slice(0, FINDING_ROWS)
  if (findings.length === 0) return []
  const on = titled(view)
  const title = count > findings.length ? `Contents findings${on} (the first ${findings.length} of ${count})` : `Contents findings${on} (${count})`
  const out = [`<details><summary>${title}</summary>`, '', '| Kind | Path | What | Size | Added by |', '|---|---|---|---:|---|']
  for (const f of findings) {
    const deleted = f.deletedBy ? ` (deleted later by ${inline(f.deletedBy, 120)}: still ships)` : ''
    const again = (f.alsoIn ?? []).map(i => `, again by ${inline(i, 120)}`).join('')
    out.push(`| ${f.kind} | ${inline(f.path, 200)} | ${inline(f.what, 100)} | ${formatSize(f.size)} | ${inline(f.instruction, 120)}${again}${deleted} |`)
  }
  out.push('', '</details>', '')
  return out
}

/** "new", or the change from the baseline's layer, e.g. "+35.2 MB (+80.0%)". */
export function layerChange(layer: Layer): string {
  if (layer.before === undefined) return ''
  if (layer.before === 0) return 'new'
  return layer.before === layer.size ? 'same' : formatDelta(layer.size, layer.before)
}

interface LogBlock {
  title: string
  lines: string[]
}

function logBlocks(report: Report): LogBlock[] {
  const blocks: LogBlock[] = []
  if (report.build.logTail?.length && !report.build.ok) blocks.push({ title: 'Build log', lines: report.build.logTail })
  for (const view of platformViews(report)) {
    const { health: h } = view
    // details() makes the whole title inert
    const on = titled(view, false)
    const probes = h.probes ?? []
    if (probes.length > 0 && h.verdict !== 'healthy') {
      const lines = probes.flatMap(p => [`[exit ${p.exitCode}] ${p.output.split('\n')[0] ?? ''}`, ...p.output.split('\n').slice(1).map(l => `  ${l}`)])
      blocks.push({ title: `${probes.length === 1 ? 'Last health probe' : `Last ${probes.length} health probes`}${on}`, lines })
    }
    if (h.logTail?.length) blocks.push({ title: `Container log${on}`, lines: h.logTail })
  }
  for (const smoke of report.smoke ?? []) {
    if (smoke.logTail?.length) blocks.push({ title: `Smoke log: ${smoke.command}`, lines: smoke.logTail })
  }
  const labels = Object.entries(report.image.labels ?? {})
  if (labels.length) blocks.push({ title: 'Image labels', lines: labels.map(([k, v]) => `${k}=${v}`) })
  return blocks
}

/** The newest lines that fit in `budget` characters, each cut to LINE_MAX_CHARS. */
function tail(lines: string[], budget: number): string[] {
  const kept: string[] = []
  let used = 0
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = cutLine(lines[i])
    if (used + line.length + 1 > budget) break
    kept.unshift(line)
    used += line.length + 1
  }
  return kept
}

export function cutLine(line: string): string {
  if (line.length <= LINE_MAX_CHARS) return line
  const half = LINE_MAX_CHARS / 2 - 20
  return `${line.slice(0, half)} …[${line.length - 2 * half} characters cut]… ${line.slice(-half)}`
}

function details(summary: string, lines: string[]): string {
  return ['<details><summary>' + inline(summary) + '</summary>', '', codeBlock(lines), '', '</details>', ''].join('\n')
}
