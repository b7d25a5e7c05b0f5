// An uncaught error as each language's runtime prints it, read the way that language writes it, so
// a failed build step is named by the exception that ended it rather than by the first line that
// happens to say "Error:". Lines come as the step printed them, indentation kept (Python's
// traceback layout is in its indentation).

/** npm 7+ prefixes a failed lifecycle script's output with its own words: read the script's line. */
const NPM_PREFIX = /^npm (?:error|ERR!)(?: |$)/

/**
 * Python: the exception line of the last traceback. A chained traceback ("During handling of the
 * above exception, another exception occurred:", "The above exception was the direct cause of the
 * following exception:") prints the exception that ended the program last. A traceback is
 * "Traceback (most recent call last):", its frames indented below it, then the exception at the
 * header's own indentation (pip indents a subprocess's whole traceback: the layout is relative).
 */
export function pythonException(lines: string[]): string | undefined {
  let last: string | undefined
  for (let i = 0; i < lines.length; i++) {
    const header = /^(\s*)Traceback \(most recent call last\):\s*$/.exec(lines[i])
    if (!header) continue
    const indent = header[1]
    let j = i + 1
    // the frames: `  File "…", line N, in f`, the source line, carets; deeper than the header
    while (j < lines.length && (lines[j].trim() === '' || (lines[j].startsWith(indent) && /^\s/.test(lines[j].slice(indent.length))))) j++
    const line = lines[j]?.slice(indent.length)
    // `KeyError: 'collectstatic'`, `django.core.exceptions.ImproperlyConfigured: …`, a bare `KeyboardInterrupt`
    if (line !== undefined && lines[j].startsWith(indent) && /^[A-Za-z_][\w.]*(?::\s.*|:)?\s*$/.test(line)) last = line.trim()
    i = j - 1
  }
  return last
}

/**
 * Node: the first error it threw, the line right above its stack (`    at …`): `Error: Cannot find
 * module 'x'`, `TypeError: …`, `Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'x' …`. Node
 * prints the throwing source line and a caret above it, and `[cause]:` errors below: the first is
 * the one thrown.
 */
export function nodeError(lines: string[]): string | undefined {
  const plain = lines.map(l => l.replace(NPM_PREFIX, ''))
  for (let i = 0; i + 1 < plain.length; i++) {
    const line = plain[i].trim()
    if (/^(?:Uncaught )?[A-Z]?\w*Error(?: \[\w+\])?(?::\s.*|:)?$/.test(line) && /^\s+at \S/.test(plain[i + 1])) return line
  }
  return undefined
}

/** Go: a panic (`panic: runtime error: index out of range …`), the first; the goroutine dump follows it. */
export function goPanic(lines: string[]): string | undefined {
  return lines.map(l => l.trim()).find(l => /^panic: \S/.test(l))
}

/** The uncaught error a step's output ends with, in any of the languages above. */
export function thrownError(lines: string[]): string | undefined {
  return pythonException(lines) ?? nodeError(lines) ?? goPanic(lines)
}
