import * as core from '@actions/core'
import { randomBytes } from 'node:crypto'
import { plain, PlainLines } from '../strip-escapes.js'
import type { Place, Sink } from '../sink.js'

// The action's sink: the runner's workflow commands through @actions/core. This and the action's
// entry are the only places that speak the runner's protocol.

/**
 * Untrusted lines echoed into the action log would otherwise be read by the runner as workflow
 * commands (`::set-output`, `::error::`, `::add-mask::`...). `::stop-commands::TOKEN` makes the runner
 * ignore commands until it sees `::TOKEN::`; the token is random, so the text cannot guess it.
 */
export function stopCommandsToken(): string {
  return `image-gate-${randomBytes(12).toString('hex')}`
}

export function logUntrusted(lines: string[], write: (s: string) => void = s => process.stdout.write(s)): void {
  if (lines.length === 0) return
  const token = stopCommandsToken()
  write(`::stop-commands::${token}\n`)
  for (const line of lines) write(`${plain(line)}\n`)
  write(`::${token}::\n`)
}

function annotation(place: Place): core.AnnotationProperties {
  return { title: place.title, file: place.file, startLine: place.line }
}

export const githubSink: Sink = {
  info: message => core.info(message),
  warning: (message, place) => core.warning(message, place && annotation(place)),
  error: (message, place) => core.error(message, place && annotation(place)),
  debug: message => core.debug(message),
  group: (title, run) => core.group(title, run),
  untrusted: lines => logUntrusted(lines),
  stream() {
    // Build output arrives in chunks: workflow commands are paused for the whole stream, so a line
    // like "::error::" printed by a RUN step stays plain text.
    // It is made plain too (colours, cursor moves), a line at a time.
    const token = stopCommandsToken()
    const lines = new PlainLines()
    process.stdout.write(`::stop-commands::${token}\n`)
    return { write: chunk => void process.stdout.write(lines.write(chunk)), end: () => void process.stdout.write(`${lines.end()}\n::${token}::\n`) }
  },
  secret: value => core.setSecret(value),
  output: (name, value) => core.setOutput(name, value),
  async summary(markdown) {
    // a runner always sets it; a local run of the action has no summary to write to
    if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(markdown, true).write()
  },
  fail: message => core.setFailed(message)
}
