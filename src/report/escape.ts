// Text from the image, its logs, its labels or the user is data. These helpers make it inert
// wherever it is shown in Markdown (job summary, PR comment); the action's log is made safe by its sink
// (publish/github-sink.ts).

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/**
 * For a Markdown table cell or inline text: no HTML, no table breakage from `|` or newlines,
 * no Markdown emphasis/links, and no @mentions or #references that would notify or link.
 */
export function inline(text: string, max = 300): string {
  let s = text.replace(/\r?\n|\r/g, ' ').replace(/\s+/g, ' ').trim()
  if (s.length > max) s = `${s.slice(0, max - 1)}…`
  // one pass, so an entity written by one rule is never escaped again by another
  return s
    .replace(/[&<>"'\\`*_[\]#|~]/g, c => HTML[c] ?? `&#${c.charCodeAt(0)};`)
    .replace(/@/g, '@\u200b') // a zero-width space after @ keeps "@user" from notifying anyone
}

/**
 * A fenced code block for logs. The fence is longer than any backtick run inside, so the text
 * cannot close it; inside a fence GitHub renders HTML and @mentions as plain text.
 */
export function codeBlock(lines: string[]): string {
  const body = lines.join('\n').replace(/\r/g, '')
  const longest = Math.max(0, ...(body.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(Math.max(3, longest + 1))
  return `${fence}text\n${body}\n${fence}`
}
