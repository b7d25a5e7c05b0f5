import { once } from 'node:events'
import { posix } from 'node:path'
import type { Transform, TransformOptions } from 'node:stream'
import { createGunzip, type ZlibOptions } from 'node:zlib'
import { ELF_HEAD, elfArch, mayBeElf } from './elf.js'
import { createUnzstd } from './unzstd.js'
import { betterToolPath, dependencyNames, devOnlyPackages, ecosystemOf, hiddenLockfileRoot, isAppManifest, LOCKFILE_MAX, packageDir } from './contents-rules.js'
import { secretByContent, secretByName, secretDir, SMALL, toolOf } from './contents-rules.js'
import { pythonDevTool, pythonDist, pythonRequires, recordBytes, siteEntry } from './python-rules.js'
import { TarWalk, type EntryReader, type TarHeader as Header } from './tar-walk.js'
import type { Found, LayerFacts } from './layer-facts.js'

export type { Found, LayerFacts } from './layer-facts.js'

// One layer's files, read as the layer's bytes stream past on their way to the compression (the
// same `docker save` pass): a nested tar walk (tar-walk.ts) notes each file's path and size from its
// header, reads only the small files the rules ask for (contents-rules.ts) and the first bytes of
// what may be a program, steps over every other byte, and keeps only facts: what was found where,
// never a file's content. Memory stays bounded by the number of packages and findings, not by the bytes.

/** How a layer blob is compressed, where it is (the containerd store keeps them so). */
export type Compression = 'gzip' | 'zstd'

/**
 * What to do with a file's bytes, and how many of them to read at most (default SMALL); `head`: a
 * longer file is read up to the limit too (a METADATA's headers come before its long description).
 */
type Reader = ((content: Buffer) => void) & { limit?: number; head?: boolean }

export interface ScanRules {
  /** forbid-paths, as one matcher */
  forbid: (path: string) => boolean
  /** allow-paths, as one matcher: a forbidden path it lets through is counted, not listed */
  allow?: (path: string) => boolean
  /** the image's architecture (amd64, arm64): ELF files built for another one are noted */
  arch?: string
}

/**
 * At most this many forbidden paths are listed per layer (forbid-paths: "**" would name every
 * file); the rest are counted. Secrets are never capped: a layer full of forbidden source maps
 * must not push a token out of the report.
 */
const MAX_FORBIDDEN = 200
/** Foreign ELF files listed per layer (an image built on the wrong base has thousands); the rest are counted. */
const MAX_FOREIGN = 50
/** the unpacked pieces a compressed layer is walked in */
const UNPACK_CHUNK = 256 * 1024
/**
 * How much of a compressed layer may wait for the unpacking (on libuv's thread) before docker
 * save is paused: with the default 16 KiB every 64 KiB piece of the archive waited for its own
 * inflate, so reading and unpacking took turns; with room for a few MiB they overlap.
 */
const UNPACK_QUEUE = 4 << 20
// zlib passes stream options on to its Transform (its types name only zlib's own)
const GUNZIP: ZlibOptions & TransformOptions = { chunkSize: UNPACK_CHUNK, writableHighWaterMark: UNPACK_QUEUE }

export class LayerScan {
  readonly facts: LayerFacts = { files: 0, bytes: 0, found: [], unlisted: 0, allowed: 0, dirs: new Map(), deleted: [], opaque: [], packages: new Map(), manifests: new Map(), packageDeps: new Map(), lockfiles: new Map(), tools: new Map(), ecosystems: { app: new Set(), runtime: new Set() }, pythonDists: new Map(), siteEntries: new Map(), foreign: [], foreignUnlisted: 0 }
  private readonly walk = new TarWalk(header => this.entry(header))
  /** a compressed blob (the containerd store keeps layers so) is unpacked on its way to the walk */
  private readonly unpack?: Transform
  private readonly unpacked?: Promise<unknown>
  private stopped = false

  constructor(private readonly rules: ScanRules, { compression }: { compression?: Compression } = {}) {
    if (!compression) return
    // large output chunks: the default 16 KiB makes the unpacking cost half again as much
    this.unpack = compression === 'gzip' ? createGunzip(GUNZIP) : createUnzstd()
    this.unpack.on('data', (data: Buffer) => this.walkChunk(data))
    this.unpack.on('error', error => this.fail(`the ${compression} layer does not unpack: ${error.message}`))
    this.unpack.on('end', () => this.walkEnd())
    this.unpacked = once(this.unpack, 'close').catch(() => undefined)
  }

  /** Resolves once there is room for more (backpressure on the docker save stream). */
  async write(chunk: Buffer): Promise<void> {
    if (this.stopped) return
    if (!this.unpack) return this.walkChunk(chunk)
    if (!this.unpack.write(chunk)) await Promise.race([once(this.unpack, 'drain'), this.unpacked]).catch(() => undefined)
  }

  async end(): Promise<LayerFacts> {
    if (this.unpack) {
      if (!this.stopped) this.unpack.end()
      await this.unpacked
    } else if (!this.stopped) this.walkEnd()
    return this.facts
  }

  /** Stops reading (the measurement was stopped). */
  destroy(): void {
    this.stopped = true
    this.unpack?.destroy()
  }

  /** A layer that is not a tar after all (or is cut short) is noted, and the pass goes on. */
  private fail(error: string): void {
    this.facts.error ??= error
    this.destroy()
  }

  private walkChunk(chunk: Buffer): void {
    if (this.stopped) return
    try {
      // the readers below are synchronous, so the walk never returns a promise here
      void this.walk.write(chunk)
    } catch (error) {
      this.fail((error as Error).message)
    }
  }

  private walkEnd(): void {
    try {
      this.walk.end()
    } catch (error) {
      this.fail((error as Error).message)
    }
  }

  private entry(header: Header): EntryReader | undefined {
    const read = this.look(header)
    const head = this.elfHead(header)
    if (!read && !head) return undefined
    // a hidden lockfile may be large; everything else the rules read is small (or its head is
    // enough); an ELF header is the first bytes of a file of any size
    const limit = read ? read.limit ?? SMALL : 0
    const keep = Math.max(limit, head ? ELF_HEAD : 0)
    const chunks: Buffer[] = []
    let size = 0
    let kept = 0
    return {
      data: piece => {
        size += piece.length
        if (kept >= keep) return
        const part = Buffer.from(piece.subarray(0, keep - kept)) // a copy: the walk's views are only lent
        chunks.push(part)
        kept += part.length
      },
      end: () => {
        const content = Buffer.concat(chunks)
        if (read && (size <= limit || read.head)) read(content.subarray(0, limit))
        head?.(content.subarray(0, ELF_HEAD))
      }
    }
  }

  /** With ScanRules.arch: what notes an executable's or library's architecture from its first bytes. */
  private elfHead(header: Header): ((head: Buffer) => void) | undefined {
    const arch = this.rules.arch
    const path = posix.normalize(header.name).replace(/^(\.\/|\/)+/, '')
    if (!arch || (header.type !== 'file' && header.type !== 'contiguous-file') || !mayBeElf(path, header.mode)) return undefined
    return head => {
      const elf = elfArch(head)
      if (!elf || elf.arch === arch) return
      if (this.facts.foreign.length < MAX_FOREIGN) this.facts.foreign.push({ path, ...elf, size: header.size ?? 0 })
      else this.facts.foreignUnlisted++
    }
  }

  /** Notes what the header says; returns what to do with the file's bytes when the rules need them. */
  private look(header: Header): Reader | undefined {
    const path = posix.normalize(header.name).replace(/^(\.\/|\/)+/, '').replace(/\/$/, '')
    const facts = this.facts
    const base = posix.basename(path)
    if (base.startsWith('.wh.')) {
      const dir = posix.dirname(path)
      if (base === '.wh..wh..opq') facts.opaque.push(dir === '.' ? '' : dir)
      else facts.deleted.push(posix.join(dir, base.slice(4)))
      return undefined
    }
    const file = header.type === 'file' || header.type === 'contiguous-file'
    const size = file ? header.size ?? 0 : 0
    facts.bytes += header.type === 'symlink' ? Buffer.byteLength(header.linkname ?? '') : size
    const tool = toolOf(path)
    if (tool && (file || header.type === 'symlink')) {
      const noted = facts.tools.get(tool.name) ?? { size: 0, ...(tool.ecosystem && { ecosystem: tool.ecosystem }) }
      // a tool's own name beats its aliases (c89-gcc, c++, gmake), whatever order the tar lists them in
      if (tool.main) noted.path = betterToolPath(noted.path, path)
      noted.size += size
      facts.tools.set(tool.name, noted)
    }
    const ecosystem = ecosystemOf(path)
    if (ecosystem && (file || header.type === 'symlink')) facts.ecosystems[ecosystem.by].add(ecosystem.ecosystem)
    if (!file) return undefined
    facts.files++
    if (this.rules.forbid(path)) this.forbidden(path, size)
    const python = this.python(path, size)
    if (python) return python
    const pkg = packageDir(path)
    if (pkg) {
      facts.packages.set(pkg.dir, (facts.packages.get(pkg.dir) ?? 0) + size)
      // published packages are not the app's secrets (contents-rules.ts); their manifests say what
      // they need, which decides whether a devDependency is also a production one
      // (nested ones too: app/node_modules/a/node_modules/b/package.json)
      if (!/(^|\/)node_modules\/(@[^/]+\/)?[^/@][^/]*\/package\.json$/.test(path)) return undefined
      const dir = path.slice(0, -'/package.json'.length)
      return content => facts.packageDeps.set(dir, dependencyNames(content))
    }
    const lockRoot = hiddenLockfileRoot(path)
    if (lockRoot !== undefined) {
      const read = (content: Buffer) => {
        const dev = devOnlyPackages(content, lockRoot)
        if (dev) facts.lockfiles.set(lockRoot, dev)
      }
      return Object.assign(read, { limit: LOCKFILE_MAX })
    }
    const dir = secretDir(path)
    if (dir) {
      const noted = facts.dirs.get(dir.dir) ?? { what: dir.what, size: 0 }
      noted.size += size
      facts.dirs.set(dir.dir, noted)
      return undefined
    }
    const manifest = isAppManifest(path) && size <= SMALL
    const secret = secretByName(path, size)
    if (secret !== undefined && secret !== 'read') this.found({ kind: 'secret', what: secret, path, size })
    if (!manifest && secret !== 'read') return undefined
    return content => {
      if (manifest) facts.manifests.set(path, { dependencies: dependencyNames(content), devDependencies: dependencyNames(content, ['devDependencies']) })
      const what = secret === 'read' ? secretByContent(path, content) : undefined
      if (what) this.found({ kind: 'secret', what, path, size })
    }
  }

  /**
   * A file under a site-packages: its top-level entry's bytes are counted, and a distribution's
   * metadata read (what it needs; what a dev tool installed). Python's libraries are not the app's
   * secrets (contents-rules.ts), so nothing else is asked of them.
   */
  private python(path: string, size: number): Reader | undefined {
    const entry = siteEntry(path)
    if (!entry) return undefined
    const facts = this.facts
    facts.siteEntries.set(entry, (facts.siteEntries.get(entry) ?? 0) + size)
    const dist = pythonDist(path)
    if (!dist) return undefined
    const noted = facts.pythonDists.get(dist.dir) ?? { name: dist.name, ...(dist.version && { version: dist.version }) }
    facts.pythonDists.set(dist.dir, noted)
    const dev = pythonDevTool(dist.name) !== undefined
    if (dist.file === 'METADATA' || dist.file === 'PKG-INFO' || dist.file === 'requires.txt') {
      // requires.txt (an egg-info's) beats the PKG-INFO beside it, which lists no requirements
      const read = (content: Buffer) => (noted.requires = dist.file === 'PKG-INFO' && noted.requires ? noted.requires : pythonRequires(dist.file, content))
      return Object.assign(read, { head: true })
    }
    if (dev && dist.file === 'RECORD') return Object.assign((content: Buffer) => (noted.record = recordBytes(content)), { limit: LOCKFILE_MAX })
    if (dev && dist.file === 'top_level.txt') return (content: Buffer) => (noted.topLevel = content.toString('utf8').split(/\s+/).filter(Boolean))
    return undefined
  }

  private forbidden(path: string, size: number): void {
    const facts = this.facts
    if (this.rules.allow?.(path)) facts.allowed++
    else if (this.listedForbidden < MAX_FORBIDDEN) {
      facts.found.push({ kind: 'forbidden', what: 'matches forbid-paths', path, size })
      this.listedForbidden++
    } else facts.unlisted++
  }

  private listedForbidden = 0

  private found(found: Found): void {
    // a forbidden path that is also a secret is named once, as the secret (it is read after the
    // forbid-paths match of the same file, so that match is the last one noted)
    const list = this.facts.found
    const twice = list.findIndex(f => f.path === found.path && f.kind === 'forbidden')
    if (twice >= 0) {
      list.splice(twice, 1)
      this.listedForbidden--
    } else if (this.rules.forbid(found.path) && !this.rules.allow?.(found.path)) {
      // its forbid-paths match was counted past the cap, not listed
      this.facts.unlisted--
    } else if (this.rules.forbid(found.path)) this.facts.allowed--
    list.push(found)
  }
}
