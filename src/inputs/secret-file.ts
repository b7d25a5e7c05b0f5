import { closeSync, openSync, readSync } from 'node:fs'

// What of a secret file (secret-files) is masked, in the action log and in the report: the file's
// text and each of its lines, since logs are read a line at a time. A line shorter than 8
// characters is structure ("}", "[default]"), not a secret; masking it would blank that text
// wherever else it appears. A file over 64 KiB (a certificate bundle, an archive) is not read.

const MAX_BYTES = 64 * 1024
const MIN_LINE = 8

export function secretFileValues(file: string): string[] {
  let fd: number | undefined
  try {
    fd = openSync(file, 'r')
    const buffer = Buffer.alloc(MAX_BYTES + 1)
    const read = readSync(fd, buffer, 0, buffer.length, 0)
    if (read > MAX_BYTES) return []
    const text = buffer.toString('utf8', 0, read).trim()
    const lines = text.split(/\r?\n/).map(line => line.trim()).filter(line => line.length >= MIN_LINE)
    return [...new Set([text, ...lines].filter(Boolean))]
  } catch {
    // the build says what is wrong with a file it cannot read
    return []
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}
