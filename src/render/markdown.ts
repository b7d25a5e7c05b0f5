import { codeBlock, codeSpan, inline, markdown } from './escape.js'
import { FINDING_ROWS } from '../advice/findings.js'
import { rowsOf, type Layer, type PlatformRun, type Report } from '../report/report.js'
import { profileLine } from './profile-line.js'
import { pushLine } from './push-line.js'
import { composeMarkdown, deploymentMarkdown } from './deployment-lines.js'
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
    const what = { input: 'Bad input', dependency: 'Dependency failed' }[report.error.kind as string] ?? 'Error'
    out.push(`**${what}:** ${markdown(report.error.message, 1000)}`, '')
  }
  const first = report.runs[0]
  const several = report.runs.length > 1
  const facts = [report.tag && `image ${codeSpan(report.tag.slice(0, 200))}`, first?.image.id && `id ${codeSpan(shortId(first.image.id))}`]
  // several platforms: their builds ran at once, so this is the machine time they took together
  const built = report.runs.map(run => run.build.seconds).filter((n): n is number => n !== undefined)
  if (built.length > 0) facts.push(`build ${built.length === 1 ? built[0] : Math.round(built.reduce((a, b) => a + b, 0) * 10) / 10} s`)
  if (first?.health.startupSeconds !== undefined) facts.push(`healthy ${first.health.startupSeconds} s after start`)
  const profile = profileLine(report)
  // a report read back (comment-from) is untrusted: its memory text is escaped like any
  if (profile) facts.push(markdown(profile, 300))
  const factLine = facts.filter(Boolean).join(' · ')
  if (factLine) out.push(factLine, '')
  const rows = rowsOf(report)
  if (rows.length > 0) {
    // several platforms: one row group per platform, each row naming its platform
    out.push(several ? '| | Platform | Check | Result | Limit | Detail |' : '| | Check | Result | Limit | Detail |', several ? '|---|---|---|---|---|---|' : '|---|---|---|---|---|')
    for (const c of rows) {
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
  out.push(...composeMarkdown(report), ...deploymentMarkdown(report))
  // a report read back from the `report` output (comment-from) says what that output left out
  if (report.cut?.length) out.push(`_Cut to fit the report output: ${report.cut.map(note => inline(note, 200)).join('; ')}._`, '')
  for (const view of platformViews(report)) out.push(...layersTable(view), ...findingsTable(view))
  return out.join('\n')
}

/**
 * What the sections under the table show, per platform: with several, each platform's largest
 * layers, findings, probes and logs, titled with its platform; with one, its own, untitled.
 */
interface PlatformView {
  /** with several platforms, the one it is about ("linux/arm64"); else "" */
  platform: string
  run: PlatformRun
}

function platformViews(report: Report): PlatformView[] {
  const several = report.runs.length > 1
  return report.runs.map(run => ({ platform: several ? run.platform : '', run }))
}

/** " (linux/arm64)" with several platforms; `inert`: made inert like every string from the report */
function titled({ platform }: PlatformView, inert = true): string {
  return platform ? ` (${inert ? inline(platform, 100) : platform})` : ''
}

function layersTable(view: PlatformView): string[] {
  const out: string[] = []
  const { baseline, image } = view.run
  const layers = image.largestLayers ?? []
  if (layers.length > 0) {
    // with compare-to, each layer against the baseline's layer made by the same instruction
    const compared = baseline?.ref !== undefined && layers.some(l => l.before !== undefined)
    out.push(`<details><summary>Largest layers${titled(view)} (${layers.length})</summary>`, '')
    if (compared) out.push(`| Size | Change vs ${inline(baseline!.ref, 200)} | Instruction |`, '|---:|---:|---|')
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
  const { count = 0 } = view.run.contents ?? {}
  // at most 40 rows of cut cells: the table is never cut, and a comment must stay under its limit
  const findings = (view.run.contents?.findings ?? []).slice(0, FINDING_ROWS)
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
  for (const view of platformViews(report)) {
    const { build, health: h, smoke } = view.run
    // details() makes the whole title inert
    const on = titled(view, false)
    if (build.logTail?.length && !build.ok) blocks.push({ title: `Build log${on}`, lines: build.logTail })
    const probes = h.probes ?? []
    if (probes.length > 0 && h.verdict !== 'healthy') {
      const lines = probes.flatMap(p => [`[exit ${p.exitCode}] ${p.output.split('\n')[0] ?? ''}`, ...p.output.split('\n').slice(1).map(l => `  ${l}`)])
      blocks.push({ title: `${probes.length === 1 ? 'Last health probe' : `Last ${probes.length} health probes`}${on}`, lines })
    }
    if (h.logTail?.length) blocks.push({ title: `Container log${on}`, lines: h.logTail })
    for (const command of smoke ?? []) {
      if (command.logTail?.length) blocks.push({ title: `Smoke log${on}: ${command.command}`, lines: command.logTail })
    }
  }
  // every platform's image has the same labels (one Dockerfile): the first's
  const labels = Object.entries(report.runs[0]?.image.labels ?? {})
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
