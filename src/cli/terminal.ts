import { plain, PlainLines } from '../plain.js'
import type { Place, Sink } from '../sink.js'

// The command line's sink: plain text, as a compiler prints it. The report and what led to it
// (the build log, annotations as "file:line: error: ...", groups as a "── title" line) are stdout,
// the command's output; the one line a failed run ends with is stderr, as a command's error is.
// There are no outputs or job summary.

const line = (text: string) => void process.stdout.write(`${text}\n`)

/** "Dockerfile:8: " before an annotation's message, as a compiler prints it. */
const at = (place?: Place) => (place ? `${place.file}:${place.line}: ` : '')

export const terminalSink: Sink = {
  info: line,
  warning: (message, place) => line(`${at(place)}warning: ${message}`),
  error: (message, place) => line(`${at(place)}error: ${message}`),
  debug: () => undefined,
  async group(title, run) {
    line(`── ${title}`)
    return run()
  },
  // the image's output, plain: its colour codes and cursor moves are not this terminal's to obey
  untrusted: lines => lines.forEach(text => line(plain(text))),
  stream() {
    const lines = new PlainLines()
    return { write: chunk => void process.stdout.write(lines.write(chunk)), end: () => line(lines.end()) }
  },
  secret: () => undefined,
  output: () => undefined,
  summary: async () => undefined,
  fail(message) {
    // a command's error starts with its name; a bad input found once the engine answers
    // (run-network) is worded without it
    process.stderr.write(`${message.startsWith('image-gate: ') ? message : `image-gate: ${message}`}\n`)
    process.exitCode = 1
  }
}
