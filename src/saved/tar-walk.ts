// A tar stream's entries, read as its bytes go by: each header is decoded (ustar and GNU, their
// long names, PAX records), and an entry's data goes only to a reader that asked for it, as views
// into the chunks it came in, never copied here. The rest is stepped over. tar-stream, which this
// replaces on the image's hot path, makes a stream for every entry and pushes every byte through
// it: for a 120 MB layer of 2,700 files that was most of what reading the headers cost. Decoding
// follows tar-stream's (headers.js) so both read an archive alike, errors included: a bad checksum
// is "Invalid tar header", a stream that ends inside an entry "Unexpected end of data".

export type TarType = 'file' | 'link' | 'symlink' | 'character-device' | 'block-device' | 'directory' | 'fifo' | 'contiguous-file'

export interface TarHeader {
  /** as written (with a ustar prefix, a GNU long name or a PAX path applied) */
  name: string
  /** undefined for a type flag tar does not define */
  type?: TarType
  size: number
  mode: number
  linkname?: string
}

/** What to do with one entry's data; both calls may return a promise, which the walk waits for. */
export interface EntryReader {
  /** a piece of the data: a view into the chunk being walked, valid only during the call */
  data?(piece: Buffer): void | Promise<void>
  /** the entry's data ended (also called for an entry without data) */
  end?(): void | Promise<void>
}

const BLOCK = 512
/** PAX and GNU long-name records are held in memory: up to this size (tar-stream's limit) */
const MAX_LONG_HEADER = 4 * 1024 * 1024
const TYPES: Record<number, TarType> = { 0: 'file', 1: 'link', 2: 'symlink', 3: 'character-device', 4: 'block-device', 5: 'directory', 6: 'fifo', 7: 'contiguous-file' }
/** the type flags of the records that describe the next entry */
const LONG: Record<string, 'path' | 'linkpath' | 'pax' | 'global'> = { L: 'path', N: 'path', K: 'linkpath', x: 'pax', g: 'global' }

export class TarWalk {
  private readonly head = Buffer.alloc(BLOCK)
  private headFill = 0
  /** data bytes of the current entry (or long record) still to come, then its padding */
  private missing = 0
  private padding = 0
  private reader: EntryReader | undefined
  private long: { kind: 'path' | 'linkpath' | 'pax' | 'global'; parts: Buffer[] } | undefined
  private next: { path?: string; linkpath?: string; pax?: Record<string, string> } = {}
  private global: Record<string, string> | undefined

  constructor(private readonly onEntry: (header: TarHeader) => EntryReader | undefined) {}

  /**
   * Walks a chunk. Returns a promise only when a reader did (the caller waits for it before the
   * next chunk: backpressure); throws (or rejects) on a header that is not tar.
   */
  write(chunk: Buffer): Promise<void> | undefined {
    let at = 0
    while (at < chunk.length) {
      if (this.missing > 0) {
        const n = Math.min(this.missing, chunk.length - at)
        const piece = chunk.subarray(at, at + n)
        at += n
        this.missing -= n
        if (this.long) {
          this.long.parts.push(Buffer.from(piece))
          if (this.missing === 0) this.endLong()
          continue
        }
        const reading = this.reader?.data?.(piece)
        // the entry ends only once its reader has taken the last piece
        if (reading) return this.resume(reading, this.missing === 0, chunk.subarray(at))
        const ended = this.missing === 0 ? this.endEntry() : undefined
        if (ended) return this.resume(undefined, false, chunk.subarray(at), ended)
        continue
      }
      if (this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - at)
        at += n
        this.padding -= n
        continue
      }
      const n = Math.min(BLOCK - this.headFill, chunk.length - at)
      chunk.copy(this.head, this.headFill, at, at + n)
      this.headFill += n
      at += n
      if (this.headFill < BLOCK) break
      this.headFill = 0
      const ended = this.header()
      if (ended) return this.resume(undefined, false, chunk.subarray(at), ended)
    }
    return undefined
  }

  /** The stream ended: throws when it ended inside an entry or a header. */
  end(): void {
    if (this.missing > 0 || this.padding > 0 || this.headFill > 0) throw new Error('Unexpected end of data')
  }

  /** Waits for a reader, ends the entry after its last piece (`end`), then walks the rest of the chunk. */
  private async resume(reading: void | Promise<void>, end: boolean, rest: Buffer, ended?: Promise<void>): Promise<void> {
    await reading
    await (end ? this.endEntry() : ended)
    await this.write(rest)
  }

  /** A full header block: a record for the next entry, an entry, or a zero block (skipped). */
  private header(): void | Promise<void> {
    const block = this.head
    const sum = checksum(block)
    if (sum === 8 * 32) return undefined // all zeros: the archive's end (tar-stream reads on, so do we)
    if (sum !== octal(block, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')
    const ustar = block.toString('latin1', 257, 263) === 'ustar\0'
    const gnu = block.toString('latin1', 257, 265) === 'ustar  \0'
    if (!ustar && !gnu) throw new Error('Invalid tar header: unknown format.')
    const flag = block[156] === 0 ? '0' : String.fromCharCode(block[156])
    const size = octal(block, 124, 12)
    if (!(size >= 0)) throw new Error('Invalid header')
    const long = LONG[flag]
    if (long) {
      if (size > MAX_LONG_HEADER) throw new Error('Header exceeds max size')
      this.long = { kind: long, parts: [] }
      this.missing = size
      this.padding = pad(size)
      if (size === 0) this.endLong()
      return undefined
    }
    let name = text(block, 0, 100)
    if (ustar && block[345] !== 0) name = `${text(block, 345, 155)}/${name}`
    let type: TarType | undefined = TYPES[flag.charCodeAt(0) - 48]
    const header: TarHeader = { name, type, size, mode: octal(block, 100, 8) }
    if (block[157] !== 0) header.linkname = text(block, 157, 100)
    const { path, linkpath, pax } = this.next
    this.next = {}
    if (path) header.name = path
    if (linkpath) header.linkname = linkpath
    if (pax?.path) header.name = pax.path
    if (pax?.linkpath) header.linkname = pax.linkpath
    if (pax?.size) header.size = parseInt(pax.size, 10)
    // old tars mark a directory by its trailing slash
    if (type === 'file' && header.name.endsWith('/')) type = header.type = 'directory'
    const dataSize = type === 'directory' ? 0 : header.size
    this.reader = this.onEntry(header)
    this.missing = dataSize
    this.padding = pad(dataSize)
    return dataSize === 0 ? this.endEntry() : undefined
  }

  private endEntry(): void | Promise<void> {
    const reader = this.reader
    this.reader = undefined
    return reader?.end?.()
  }

  private endLong(): void {
    const { kind, parts } = this.long!
    this.long = undefined
    const body = Buffer.concat(parts)
    if (kind === 'path' || kind === 'linkpath') this.next[kind] = text(body, 0, body.length, 'utf8')
    else if (kind === 'global') this.global = paxRecords(body)
    else this.next.pax = { ...this.global, ...paxRecords(body) }
  }
}

function pad(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK
}

function checksum(block: Buffer): number {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += block[i]
  for (let i = 156; i < BLOCK; i++) sum += block[i]
  return sum
}

/** A field up to its first NUL. Names are UTF-8, as tar-stream reads them. */
function text(buf: Buffer, offset: number, length: number, encoding: BufferEncoding = 'utf8'): string {
  const end = buf.indexOf(0, offset)
  return buf.toString(encoding, offset, end < 0 || end > offset + length ? offset + length : end)
}

/** An octal number field (spaces and NULs around it), or GNU's base-256 for large sizes. */
function octal(buf: Buffer, offset: number, length: number): number {
  if (buf[offset] & 0x80) {
    const negative = buf[offset] === 0xff
    if (!negative && buf[offset] !== 0x80) return NaN
    let value = 0
    for (let i = offset + 1; i < offset + length; i++) value = value * 256 + (negative ? 0xff - buf[i] : buf[i])
    return negative ? -value : value
  }
  let start = offset
  const stop = offset + length
  while (start < stop && buf[start] === 32) start++
  let end = start
  while (end < stop && buf[end] !== 32 && buf[end] !== 0) end++
  // tar-stream skips leading NULs too
  while (start < end && buf[start] === 0) start++
  return end === start ? 0 : parseInt(buf.toString('latin1', start, end), 8)
}

/** PAX records: "<length> <key>=<value>\n", one after another. */
function paxRecords(body: Buffer): Record<string, string> {
  const records: Record<string, string> = {}
  for (let at = 0; at < body.length; ) {
    const space = body.indexOf(32, at)
    const length = parseInt(body.toString('latin1', at, space < 0 ? body.length : space), 10)
    if (!length || space < 0) break
    const record = body.toString('utf8', space + 1, at + length - 1)
    const eq = record.indexOf('=')
    if (eq < 0) break
    records[record.slice(0, eq)] = record.slice(eq + 1)
    at += length
  }
  return records
}
