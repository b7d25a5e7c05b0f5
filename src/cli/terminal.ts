import { plain, PlainLines } from '../strip-escapes.js'
import { Secrets } from '../secrets.js'
import type { Place, Sink } from '../sink.js'

// The command line's sink: plain text, as a compiler prints it. The report and what led to it
// (the build log, annotations as "file:line: error: ...", groups as a "── title" line) are stdout,
// the command's output; the one line a failed run ends with is stderr, as a command's error is.
// There are no outputs or job summary. Every secret it is told of is masked in all it prints, as
// the runner masks the action's log: no runner reads a terminal.

/** "Dockerfile:8: " before an annotation's message, as a compiler prints it. */
const at = (place?: Place) => (place ? `${place.file}:${place.line}: ` : '')

/** A sink for one run on the command line. */
export function terminalSink(): Sink {
  const secrets = new Secrets()
  const out = (text: string) => void process.stdout.write(secrets.mask(text))
  const line = (text: string) => out(`${text}\n`)
  return {
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
      // masked a whole line at a time: a chunk may end inside a secret
      const lines = new PlainLines()
      return { write: chunk => out(lines.write(chunk)), end: () => line(lines.end()) }
    },
    secret: value => secrets.add(value),
    output: () => undefined,
    summary: async () => undefined,
    fail(message) {
      // a command's error starts with its name; a bad input found once the engine answers
      // (run-network) is worded without it
      process.stderr.write(secrets.mask(`${message.startsWith('image-gate: ') ? message : `image-gate: ${message}`}\n`))
      process.exitCode = 1
    }
  }
}
