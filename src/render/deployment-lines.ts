import type { Deployment, Report } from '../report/report.js'
import { codeSpan, inline } from './escape.js'

// kubernetes-manifest or fly-config, under the checks table (summary, comment, terminal): which
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
