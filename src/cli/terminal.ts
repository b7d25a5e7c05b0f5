import { plain, PlainLines } from '../plain.js'
import type { Sink } from '../sink.js'

// The command line's sink: plain text on stdout, as a compiler prints it. Annotations become
// "file:line: error: ...", groups a "── title" line; there are no outputs or job summary.

const line = (text: string) => void process.stdout.write(`${text}\n`)

export const terminalSink: Sink = {
  info: line,
  warning: message => line(`warning: ${message}`),
  error: (message, place) => line(`${place ? `${place.file}:${place.line}: ` : ''}error: ${message}`),
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
    line(`error: ${message}`)
    process.exitCode = 1
  }
}
