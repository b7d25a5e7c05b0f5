import { LayerCount, type DeflatePool } from './compress-pool.js'
import { LayerScan, type LayerFacts, type ScanRules } from './layer-scan.js'
import type { EntryReader } from './tar-walk.js'

// One file of a `docker save` archive, measured as its bytes go by (saved-image.ts): its size; its
// gzip size, deflated on the worker pool (compress-pool.ts), unless it is a compressed blob already
// (the containerd store's layers) or JSON (a manifest, a config), which is kept instead and
// compressed only if the manifest turns out to list it as a layer; and, for a layer, what its
// files are (layer-scan.ts). So an archive of compressed blobs and JSON, as the containerd store
// saves, starts no compression worker at all.

/** JSON entries up to this size are kept: manifest.json, index.json and the OCI manifests they name. */
export const KEEP_JSON = 1 << 20

export interface Measured {
  size: number
  /** the blob is already gzip or zstd, so a push sends it as it is */
  already: boolean
  /** the gzip size, once the workers have counted every chunk; undefined for kept JSON (see countKept) */
  compressed?: Promise<number>
  /** what a layer holds, when the entry is a tar and the pass scans */
  facts?: LayerFacts
  /** the entry's bytes, when it is JSON up to KEEP_JSON */
  kept?: Buffer
}

export interface EntryOptions {
  /** the compression workers, made on first use; undefined: not compressing (compressed-size: false) */
  pool?: () => DeflatePool
  scan?: ScanRules
}

export class EntryMeasure implements EntryReader {
  private size = 0
  /** the first bytes, until there are enough to know whether the blob is compressed, or a tar */
  private head: Buffer[] | undefined = []
  private count: LayerCount | undefined
  private scan: LayerScan | undefined
  private already = false
  /** JSON (it starts with { or [): kept, not compressed, up to KEEP_JSON */
  private kept: Buffer[] | undefined
  private result: Measured | undefined

  constructor(private readonly options: EntryOptions) {}

  /** The measurement, once end() has run. */
  get measured(): Measured {
    if (!this.result) throw new Error('the entry was not read to its end')
    return this.result
  }

  data(piece: Buffer): void | Promise<void> {
    this.size += piece.length
    if (this.head) {
      this.head.push(Buffer.from(piece)) // a copy: the walk lends its pieces only
      if (this.size < 512) return undefined
      const first = Buffer.concat(this.head)
      this.head = undefined
      this.start(first)
      return this.pass(first)
    }
    return this.pass(piece)
  }

  async end(): Promise<void> {
    if (this.head) {
      const whole = Buffer.concat(this.head)
      this.start(Buffer.concat([whole, Buffer.alloc(512)])) // shorter than a tar header: pad only for the checks
      this.head = undefined
      await this.pass(whole) // e.g. an empty layer's gzip blob: 32 bytes
    }
    const kept = this.kept && Buffer.concat(this.kept)
    const compressed = this.already ? Promise.resolve(this.size) : this.count ? this.count.end() : kept ? undefined : Promise.resolve(0)
    compressed?.catch(() => undefined) // awaited later; this only stops it counting as unhandled meanwhile
    this.result = { size: this.size, already: this.already, compressed, facts: await this.scan?.end(), ...(kept && { kept }) }
  }

  private start(first: Buffer): void {
    // gzip (1f 8b) or zstd (28 b5 2f fd): the containerd store keeps pushed/pulled blobs compressed,
    // and a push sends them as they are, so they count as their own size.
    const compression = first[0] === 0x1f && first[1] === 0x8b ? 'gzip' : first.readUInt32LE(0) === 0xfd2fb528 ? 'zstd' : undefined
    this.already = compression !== undefined
    // a layer is a tar: "ustar" at offset 257 of its first header (POSIX and GNU alike), or an
    // empty one (its end: zero blocks only, as the classic store keeps a layer that adds nothing);
    // a compressed blob is a layer the containerd store keeps so, unpacked on the way to the scan
    const tar = first.toString('latin1', 257, 262) === 'ustar' || first.subarray(0, 512).every(byte => byte === 0)
    if (this.options.scan && (compression || tar)) this.scan = new LayerScan(this.options.scan, { compression })
    if (this.already) return
    if (!tar && (first[0] === 0x7b || first[0] === 0x5b)) this.kept = []
    else if (this.options.pool) this.count = new LayerCount(this.options.pool())
  }

  /** Feeds the bytes on; a promise while the workers (or the layer's unpacking) are busy, which pauses the archive. */
  private pass(bytes: Buffer): void | Promise<void> {
    if (this.kept) {
      this.kept.push(Buffer.from(bytes))
      if (this.size <= KEEP_JSON) return undefined
      // JSON too large to keep: counted as any other entry after all, from its first byte
      const all = Buffer.concat(this.kept)
      this.kept = undefined
      if (!this.options.pool) return undefined
      this.count = new LayerCount(this.options.pool())
      return this.count.write(all)
    }
    const counting = this.count?.write(bytes)
    const scanning = this.scan?.write(bytes)
    return counting && scanning ? Promise.all([counting, scanning]).then(() => undefined) : (counting ?? scanning)
  }
}

/** The gzip size of a kept JSON entry the manifest lists as a layer (a layer no other tool would make, but counted all the same). */
export async function countKept(kept: Buffer, pool: DeflatePool): Promise<number> {
  const count = new LayerCount(pool)
  await count.write(kept)
  return count.end()
}
