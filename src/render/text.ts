import { buildStarted, rowsOf, type CheckStatus, type Report, type Row } from '../report/report.js'
import { counted } from '../units.js'
import { profileLine } from './profile-line.js'
import { pushLine } from './push-line.js'
import { composeText, deploymentText } from './deployment-lines.js'

// Rendering: the report's headline and the report as plain text (a terminal, the action log), and
// the one line a failed step ends with. Reads the report only.

export const ICON: Record<CheckStatus, string> = { pass: '✅', fail: '❌', skip: '⚪' }

export function headline(report: Report): string {
  if (report.error?.kind === 'timeout') return 'timed out'
  if (report.error?.kind === 'dependency') return 'a dependency failed'
  // an engine that fails once the build has begun stopped the run; before, the run never started
  if (report.error) return report.error.kind === 'input' || (report.error.kind === 'engine' && !buildStarted(report)) ? 'did not run' : 'stopped with an error'
  if (report.passed) return 'passed'
  const rows = rowsOf(report)
  const failed = rows.filter(c => c.status === 'fail').length
  return `${failed} of ${counted(rows.length, 'check')} failed`
}

/**
 * Plain text for a terminal or the action log: the same rows, aligned. `error: false` leaves the
 * error out where the failure line that follows says it.
 */
export function renderText(report: Report, { error = true } = {}): string {
  // "PASSED" says it all; a failure says how ("FAILED (1 of 6 checks failed)")
  const verdict = report.passed ? 'PASSED' : `FAILED (${headline(report)})`
  const out = [`image-gate: ${verdict}${report.tag ? `  ${report.tag}` : ''}`]
  if (report.error && error) out.push(`  ${report.error.message}`)
  const profile = profileLine(report)
  if (profile) out.push(`  ${profile}`)
  const rows = rowsOf(report)
  const width = (pick: (c: Row) => string) => Math.max(0, ...rows.map(c => pick(c).length))
  const wName = width(c => name(c))
  const wValue = width(c => c.value)
  const wLimit = width(c => c.limit)
  for (const c of rows) {
    out.push(`  ${ICON[c.status]} ${name(c).padEnd(wName)}  ${c.value.padEnd(wValue)}  ${c.limit.padEnd(wLimit)}  ${c.detail}`)
  }
  const pushed = pushLine(report)
  if (pushed) out.push(`  ${pushed}`)
  out.push(...composeText(report), ...deploymentText(report))
  return out.join('\n')
}

/** One line for the step's failure message, e.g. "health: exited (code 3); user: UID 0, GID 0". */
export function failureLine(report: Report): string {
  if (report.error) return report.error.message
  const rows = rowsOf(report)
  const failed = rows.filter(c => c.status === 'fail')
  return `${failed.length} of ${counted(rows.length, 'check')} failed: ${failed.map(c => `${name(c)} (${c.value})`).join('; ')}`
}

/** "health", or with several platforms "health linux/arm64". */
function name(check: Row): string {
  return check.platform ? `${check.name} ${check.platform}` : check.name
}

/** sha256:0aaa3c748093… → 0aaa3c748093 */
export function shortId(id: string | undefined): string {
  return id ? id.replace(/^sha256:/, '').slice(0, 12) : '(unknown)'
}
