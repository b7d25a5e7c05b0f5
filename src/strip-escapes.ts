// Text from the image (build output, container logs, probe output, file names) is coloured and
// cursor-moved by the tools that wrote it (tsc, npm, NestJS). Shown elsewhere (the job summary, the
// comment, the action log, the saved report) those bytes are noise at best and a terminal trick at
// worst, so every such text is made plain: escape sequences dropped, and every other control
// character but tab and newline.

// CSI (ESC [ … final byte, and its 8-bit form), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings,
// and the other escapes: intermediate bytes, then a final one (ESC 7, ESC c, ESC ( B).
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[PX^_][^\x1b]*(?:\x1b\\)?|\x1b[ -/]*[0-~]?/g
// C0 but tab and newline, DEL, C1
// eslint-disable-next-line no-control-regex -- control characters are what it matches
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g

export function plain(text: string): string {
  return text.replace(ESCAPES, '').replace(CONTROLS, '')
}

/** Every string in a JSON-like value made plain (a report, before anything renders it). */
export function plainStrings<T>(value: T): T {
  if (typeof value === 'string') return plain(value) as T
  if (Array.isArray(value)) return value.map(item => plainStrings(item)) as T
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainStrings(item)])) as T
  }
  return value
}

/**
 * A stream made plain line by line: an escape sequence may be split across chunks, so text is held
 * until its line ends (build output comes in whole lines anyway).
 */
export class PlainLines {
  private held = ''

  /** The complete lines in this chunk, plain, each ending in a newline. */
  write(chunk: Buffer | string): string {
    const text = this.held + chunk.toString()
    const end = text.lastIndexOf('\n') + 1
    this.held = text.slice(end)
    return end > 0 ? plain(text.slice(0, end)) : ''
  }

  /** What is left of the last line. */
  end(): string {
    const rest = plain(this.held)
    this.held = ''
    return rest
  }
}
