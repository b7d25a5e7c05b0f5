import type { ComposeRun, Deployment, Report } from '../report/report.js'
import { codeBlock, codeSpan, inline } from './escape.js'

// kubernetes-manifest, fly-config or compose-file, under the checks table (summary, comment, terminal): which
// setting the run took from which line of the file, which an input given explicitly replaced, and
// what the file says that was not applied. Reads the report only; the file's text is the user's
// (a fork's pull request may change it), so every part of it is escaped.

const INPUT_OF: Record<Deployment['kind'], string> = { kubernetes: 'kubernetes-manifest', fly: 'fly-config' }

function whereOf(setting: { line: number; key: string }): string {
  return `line ${setting.line} (${setting.key})`
}

export function deploymentMarkdown(report: Report): string[] {
  const d = report.deployment
  if (!d) return []
  const out = [`**Settings from ${codeSpan(d.file.slice(0, 300))}** (${INPUT_OF[d.kind]})`, '']
  if (d.settings.length > 0) {
    out.push('| Input | Value | From |', '|---|---|---|')
    for (const s of d.settings) {
      const from = `line ${s.line} ${codeSpan(s.key.slice(0, 300), { table: true })}`
      const value = codeSpan(s.value.slice(0, 300), { table: true })
      out.push(`| ${s.input} | ${s.use === 'file' ? value : `~~${value}~~ the input given wins`} | ${from} |`)
    }
    out.push('')
  }
  for (const note of d.notes) out.push(`- ${inline(`${whereOf(note)}: ${note.text}`, 1_000)}`)
  if (d.notes.length > 0) out.push('')
  return out
}

export function deploymentText(report: Report): string[] {
  const d = report.deployment
  if (!d) return []
  const out = [`  settings from ${d.file} (${INPUT_OF[d.kind]}):`]
  const value = (s: { value: string }) => s.value.replace(/\n/g, ' ⏎ ')
  const width = Math.max(0, ...d.settings.map(s => s.input.length))
  const valueWidth = Math.max(0, ...d.settings.map(s => value(s).length))
  for (const s of d.settings) {
    const use = s.use === 'file' ? '' : '  (not used: the input given wins)'
    out.push(`    ${s.input.padEnd(width)}  ${value(s).padEnd(valueWidth)}  ${whereOf(s)}${use}`)
  }
  for (const note of d.notes) out.push(`    note, ${whereOf(note)}: ${note.text}`)
  return out
}

/** "db healthy after 2.1 s · migrate completed after 3.4 s" */
function dependencyLine(c: ComposeRun): string {
  const said: Record<string, string> = { service_healthy: 'healthy', service_started: 'started', service_completed_successfully: 'completed' }
  return c.dependencies.map(d => `${d.service} ${said[d.condition] ?? d.condition}${d.seconds === undefined ? '' : ` after ${d.seconds} s`}`).join(' · ')
}

export function composeMarkdown(report: Report): string[] {
  const c = report.compose
  if (!c) return []
  const head = `**Dependencies from ${codeSpan(c.file.slice(0, 300))}** (compose-file, service ${codeSpan(c.service.slice(0, 100))})`
  const out = [c.dependencies.length ? `${head}: ${inline(dependencyLine(c), 2_000)}` : `${head}: none to start`, '']
  if (c.message) out.push(codeBlock(c.message), '')
  if (c.settings.length > 0) {
    out.push('| Input | Value | From |', '|---|---|---|')
    for (const s of c.settings) {
      const value = codeSpan(s.value.slice(0, 300), { table: true })
      out.push(`| ${s.input} | ${s.use === 'file' ? value : `~~${value}~~ the input given wins`} | ${codeSpan(s.key.slice(0, 300), { table: true })} |`)
    }
    out.push('')
  }
  for (const note of c.notes) out.push(`- ${inline(`${note.key}: ${note.text}`, 1_000)}`)
  if (c.notes.length > 0) out.push('')
  return out
}

export function composeText(report: Report): string[] {
  const c = report.compose
  if (!c) return []
  const out = [`  dependencies from ${c.file} (service ${c.service}): ${c.dependencies.length ? dependencyLine(c) : 'none to start'}`]
  const width = Math.max(0, ...c.settings.map(s => s.input.length))
  for (const s of c.settings) out.push(`    ${s.input.padEnd(width)}  ${s.value}  ${s.key}${s.use === 'file' ? '' : '  (not used: the input given wins)'}`)
  for (const note of c.notes) out.push(`    note, ${note.key}: ${note.text}`)
  return out
}
