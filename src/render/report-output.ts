import { REPORT_OUTPUT_MAX_BYTES, type Report } from '../report/report.js'
import { cutLine, LINE_MAX_CHARS } from './markdown.js'
import { FINDING_ROWS } from '../advice/findings.js'

// The `report` output, cut to fit where it goes. The README's fork recipe passes it to a shell
// through an environment variable, and Linux takes at most 128 KiB for one ("REPORT=…",
// MAX_ARG_STRLEN): over it the step cannot even start, so a fork got no comment exactly when its
// run failed with long log lines. What is cut is what a comment cuts anyway (the oldest log lines,
// the middle of long ones, findings it does not list), the rows never; `cut` says what went.
// Sizes are of the JSON as written: escapes and UTF-8 bytes count.

/** Room kept for the `cut` notes themselves. */
const NOTES_BYTES = 2_048
/** Lists the comment shows only part of, kept to that part. */
const LABELS = 20
const PROCESSES = 20
/** The last resort: every text this long at most. */
const TEXT_LAST_RESORT = 200

const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? '')
const count = (n: number) => n.toLocaleString('en-US')

/** The report as the `report` output writes it: at most `max` bytes of JSON. */
export function capReport(report: Report, max = REPORT_OUTPUT_MAX_BYTES): Report {
  if (size(report) <= max) return report
  const r = structuredClone(report)
  const cut: string[] = []
  const fits = () => size({ ...r, cut }) <= max
  const logs = logsOf(r)

  // long lines lose their middle, as the summary and the comment show them
  let shortened = false
  for (const log of logs) {
    const lines = log.get()
    const short = lines.map(cutLine)
    if (short.every((line, i) => line === lines[i])) continue
    shortened = true
    log.set(short)
  }
  if (shortened) cut.push(`log lines and probe output over ${count(LINE_MAX_CHARS)} characters: their middle`)

  // lists the comment shows only the start of
  if (!fits()) shorterLists(r, cut)

  // the logs share what is left, each keeping its newest lines
  if (!fits()) {
    const saved = logs.map(log => log.get())
    for (const log of logs) log.set([])
    let left = max - size({ ...r, cut }) - NOTES_BYTES
    const byLength = logs.map((log, i) => ({ log, lines: saved[i] })).sort((a, b) => size(a.lines) - size(b.lines))
    byLength.forEach(({ log, lines }, i) => {
      const share = Math.max(0, Math.floor(left / (byLength.length - i)))
      const kept = newest(lines, share)
      log.set(kept)
      left -= size(kept)
      if (kept.length < lines.length) cut.push(`${log.name}: the last ${count(kept.length)} of ${count(lines.length)} ${log.unit}`)
    })
  }

  // the last resort (thousands of smoke commands, say): every text short, the rows kept
  if (!fits()) {
    Object.assign(r, shorten(r, TEXT_LAST_RESORT))
    for (const log of logsOf(r)) log.set([])
    cut.push(`every text to ${TEXT_LAST_RESORT} characters, and the logs`)
  }
  return { ...r, cut }
}

interface Log {
  name: string
  unit: string
  get(): string[]
  set(lines: string[]): void
}

/** The report's logs and probe output, each run's: the build log, the container log, each smoke log, the probes. */
function logsOf(r: Report): Log[] {
  const logs: Log[] = []
  // with several platforms, each log named with its platform
  const several = r.runs.length > 1
  for (const run of r.runs) {
    const on = several ? ` (${run.platform.slice(0, 60)})` : ''
    const add = (name: string, owner: { logTail?: string[] } | undefined) => {
      if (owner?.logTail?.length) logs.push({ name: `${name}${on}`, unit: 'lines', get: () => owner.logTail ?? [], set: lines => void (owner.logTail = lines) })
    }
    add('build log', run.build)
    add('container log', run.health)
    run.smoke?.forEach((smoke, i) => add(`smoke log ${i + 1} (${smoke.command.slice(0, 60)})`, smoke))
    const h = run.health
    const probes = h.probes ?? []
    if (probes.length) {
      logs.push({
        name: `health probes${on}`,
        unit: 'probes',
        get: () => (h.probes ?? []).map(p => p.output),
        // the newest probes, with their exit codes: `outputs` is always the newest of them
        set: outputs => void (h.probes = probes.slice(probes.length - outputs.length).map((p, i) => ({ ...p, output: outputs[i] })))
      })
    }
  }
  return logs
}

function shorterLists(r: Report, cut: string[]): void {
  const several = r.runs.length > 1
  for (const run of r.runs) {
    const on = several ? ` (${run.platform.slice(0, 60)})` : ''
    const findings = run.contents?.findings ?? []
    if (findings.length > FINDING_ROWS) {
      run.contents!.findings = findings.slice(0, FINDING_ROWS)
      cut.push(`contents findings${on}: the first ${FINDING_ROWS} of ${count(findings.length)} (the comment lists ${FINDING_ROWS})`)
    }
    const labels = Object.entries(run.image.labels ?? {})
    if (labels.length > LABELS || labels.some(([k, v]) => k.length + v.length > TEXT_LAST_RESORT)) {
      run.image.labels = Object.fromEntries(labels.slice(0, LABELS).map(([k, v]) => [k.slice(0, TEXT_LAST_RESORT), v.slice(0, TEXT_LAST_RESORT)]))
      cut.push(`image labels${on}: the first ${Math.min(LABELS, labels.length)} of ${count(labels.length)}, each to ${TEXT_LAST_RESORT} characters`)
    }
    const processes = run.user.processes ?? []
    if (processes.length > PROCESSES) {
      run.user.processes = processes.slice(0, PROCESSES)
      cut.push(`processes${on}: the first ${PROCESSES} of ${count(processes.length)}`)
    }
  }
}

/** The newest lines whose JSON fits in `budget` bytes. */
function newest(lines: string[], budget: number): string[] {
  let used = 2 // []
  let i = lines.length
  while (i > 0 && used + size(lines[i - 1]) + 1 <= budget) used += size(lines[--i]) + 1
  return lines.slice(i)
}

/** Every string in a JSON-like value cut to `max` characters. */
function shorten<T>(value: T, max: number): T {
  if (typeof value === 'string') return (value.length > max ? `${value.slice(0, max - 1)}…` : value) as T
  if (Array.isArray(value)) return value.map(item => shorten(item, max)) as T
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v, max)])) as T
  return value
}
