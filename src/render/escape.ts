// Text from the image, its logs, its labels or the user is data. These helpers make it inert
// wherever it is shown in Markdown (job summary, PR comment); the action's log is made safe by its sink
// (publish/github-sink.ts).
//
// Two contexts, two kinds of escaping. In text, an HTML entity stands for the character it names,
// so inline() writes one for each character Markdown or HTML would act on. In a code span nothing is
// decoded (`&#95;` shows as those five characters), so codeSpan() escapes nothing: the fence is
// chosen so the text cannot close it, and only a table's `|` is escaped, because GFM splits a row
// into cells before it reads any code span.

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** One line of at most `max` characters. */
function oneLine(text: string, max: number): string {
  const s = text.replace(/\r?\n|\r/g, ' ').replace(/\s+/g, ' ').trim()
  return s.length > max ? `${s.slice(0, max - 1)}…` : s
}

/** Text made inert, with no code spans: every character Markdown or HTML would act on is an entity. */
function escapeText(s: string): string {
  // one pass, so an entity written by one rule is never escaped again by another
  return s
    .replace(/[&<>"'\\`*_[\]#|~]/g, c => HTML[c] ?? `&#${c.charCodeAt(0)};`)
    .replace(/@/g, '@\u200b') // a zero-width space after @ keeps "@user" from notifying anyone
}

/**
 * For a Markdown table cell or inline text taken as data (a path, an instruction, a title inside
 * HTML): no HTML, no table breakage from `|` or newlines, no Markdown emphasis/links, and no
 * @mentions or #references that would notify or link. Backticks are shown as backticks.
 */
export function inline(text: string, max = 300): string {
  return escapeText(oneLine(text, max))
}

/**
 * The text as a code span, on one line: shown exactly as it is (a code span decodes no entity and
 * links no @mention). In a table cell (`table`), each `|` is escaped so the row keeps its cells.
 */
export function codeSpan(text: string, { table = false } = {}): string {
  let s = text.replace(/\r?\n|\r/g, ' ')
  if (s === '') return ''
  // GFM reads `\` + punctuation as one escaped pair, left to right, before it splits the row: a `|`
  // after an odd run of backslashes would pair with one of them and end the cell, so it gets two
  if (table) s = s.replace(/(\\*)\|/g, (_, slashes: string) => `${slashes}${slashes.length % 2 ? '\\\\' : '\\'}|`)
  const longest = Math.max(0, ...(s.match(/`+/g) ?? []).map(run => run.length))
  const fence = '`'.repeat(longest + 1)
  // CommonMark strips one space from each end when both have one, and a backtick next to the fence
  // would join it: pad with a space, which is stripped again
  const pad = s.startsWith('`') || s.endsWith('`') || (s.startsWith(' ') && s.endsWith(' ') && s.trim() !== '') ? ' ' : ''
  return `${fence}${pad}${s}${pad}${fence}`
}

/**
 * One of image-gate's own sentences (a check's detail, an error), which mark commands and names
 * as `code`: each code span is kept a code span, the text around it is escaped as inline() does.
 * Backticks that open no span (CommonMark: a run closes only on a run of its own length) stay
 * literal. What the sentence quotes from the image is still inert either way.
 */
export function markdown(text: string, max = 300, { table = false } = {}): string {
  const s = oneLine(text, max)
  const runs = [...s.matchAll(/`+/g)]
  let out = ''
  let from = 0
  for (let r = 0; r < runs.length; r++) {
    const open = runs[r]
    const close = runs.findIndex((run, i) => i > r && run[0].length === open[0].length)
    if (close < 0) continue
    let content = s.slice(open.index + open[0].length, runs[close].index)
    if (content.startsWith(' ') && content.endsWith(' ') && content.trim() !== '') content = content.slice(1, -1)
    out += escapeText(s.slice(from, open.index)) + codeSpan(content, { table })
    from = runs[close].index + runs[close][0].length
    r = close
  }
  return out + escapeText(s.slice(from))
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
