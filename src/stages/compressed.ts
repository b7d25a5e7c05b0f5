// The compressed size of a local image: roughly what `docker push` would transfer, i.e. every layer
// gzip-compressed. `docker save` gives the layers uncompressed (classic store) or as the blobs the
// containerd store keeps (already compressed), so we stream its tar output, gzip each file entry
// on the fly and count the bytes. Nothing is written to disk and no layer is held in memory.
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { posix } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { extract } from 'tar-stream'
import type { Processes } from '../docker/command.js'
import type { Docker } from '../docker/docker.js'

export interface LayerSize {
  path: string
  size: number
  compressed: number
}

export interface CompressedSize {
  /** sum of the layers' gzip sizes, bytes */
  compressed: number
  /** layers in image order (manifest order), duplicates counted once */
  layers: LayerSize[]
  /** true when the blobs were already compressed (containerd store) */
  alreadyCompressed: boolean
}

interface Measured {
  size: number
  /** the blob is already gzip or zstd, so a push sends it as it is */
  already: boolean
  /** resolves to the gzip size once zlib has flushed; that may finish after the next entry started */
  compressed: Promise<number>
}

/**
 * What compresses each layer. GNU gzip (-6, the level gzip(1) and Go's compress/gzip default to) when
 * the machine has it: one process per layer, so layers compress in parallel on every core. Else
 * Node's zlib, whose bundled fork makes binaries ~2% larger than gzip(1) does. A `docker push`
 * compresses with Go's gzip, typically ~3% larger than gzip(1): the figure is an estimate of the
 * transfer within a few percent, and exactly "each layer through gzip".
 */
export type Compressor = 'gzip' | 'zlib'

let gzipOnPath: boolean | undefined
export function defaultCompressor(): Compressor {
  gzipOnPath ??= spawnSync('gzip', ['--version'], { stdio: 'ignore' }).status === 0
  return gzipOnPath ? 'gzip' : 'zlib'
}

interface Sink {
  input: Writable
  /** what the layer compressed to, once the input has ended */
  size: Promise<number>
  /** stop now (the archive failed): no gzip process may be left waiting for input */
  abort: () => void
}

/** A stream to write a layer into, and the size of what it compressed to once it is done. */
function compressor(kind: Compressor, processes: Processes): Sink {
  let bytes = 0
  if (kind === 'gzip') {
    // -n: no file name or time in the header; only the byte count of the output is kept
    const child = processes.spawn('gzip', ['-6', '-n', '-c'], ['pipe', 'pipe', 'ignore'])
    child.stdout!.on('data', (chunk: Buffer) => (bytes += chunk.length))
    child.stdin!.on('error', () => undefined) // gzip died: `size` below says so
    const size = new Promise<number>((resolve, reject) => {
      child.once('error', reject)
      child.once('close', code => (code === 0 ? resolve(bytes) : reject(new Error(`gzip exited with code ${code}`))))
    })
    return { input: child.stdin!, size, abort: () => void child.kill() }
  }
  const gz = createGzip()
  gz.on('data', (chunk: Buffer) => (bytes += chunk.length))
  const size = new Promise<number>((resolve, reject) => {
    gz.once('end', () => resolve(bytes))
    gz.once('error', reject)
  })
  return { input: gz, size, abort: () => void gz.destroy() }
}

// JSON entries up to this size are kept: manifest.json, index.json and the OCI manifests they name.
const KEEP_JSON = 1 << 20

/** Runs `docker save <imageRef>` and measures its output; see measureTar. */
export async function compressedSize(docker: Docker, imageRef: string, using: Compressor = defaultCompressor()): Promise<CompressedSize> {
  // An argument array, never a shell: the ref comes from user input.
  // Its time depends on the image, so the run's overall timeout bounds it (Processes.stopAll).
  const { child, exited } = docker.read(['save', imageRef])
  let stderr = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4096)))
  let eof = false // docker closed its output: finished, or failed on its own
  child.stdout!.once('end', () => (eof = true))

  let result: CompressedSize | undefined
  let failure: unknown
  try {
    result = await measureTar(child.stdout!, docker.processes, using)
  } catch (error) {
    failure = error
    // We gave up mid-stream: never leave docker save running (it would block on the full pipe).
    if (!eof) child.kill()
  }
  const { code, signal, error } = await exited
  if (error) throw error
  // docker's own failure explains a short or empty stream better than the tar parser can. But if we
  // gave up first, its complaint ("broken pipe", or being killed) is only the echo of our error.
  if (code !== 0 && (failure === undefined || eof)) {
    const last = stderr.trim().split('\n').pop()?.trim()
    throw new Error(`docker save failed: ${last || (signal ? `killed by ${signal}` : `exit code ${code}`)}`)
  }
  if (failure !== undefined || !result) throw failure
  return result
}

/** Measures a `docker save` tar stream (classic docker-archive or OCI layout). */
export async function measureTar(input: Readable, processes: Processes, using: Compressor = defaultCompressor()): Promise<CompressedSize> {
  const parser = extract()
  input.on('error', (error) => parser.destroy(error))
  input.pipe(parser)

  const files = new Map<string, Measured>()
  const sinks: Sink[] = []
  const links = new Map<string, string>() // entry path -> the path it points to
  const json = new Map<string, string>()
  try {
    // manifest.json may come after the layers, so every file is measured and layers picked at the end.
    for await (const entry of parser) {
      const { header } = entry
      const name = clean(header.name)
      if (header.type === 'file' || header.type === 'contiguous-file') {
        files.set(name, await measureEntry(entry, () => compressor(using, processes), sinks, (text) => json.set(name, text)))
        continue
      }
      // The classic format stores a repeated layer as a symlink to the first copy; newer engines
      // link `<id>/layer.tar` to `blobs/sha256/<hex>`. Hard links name a path from the archive root.
      if (header.type === 'symlink' && header.linkname) links.set(name, clean(posix.join(posix.dirname(name), header.linkname)))
      if (header.type === 'link' && header.linkname) links.set(name, clean(header.linkname))
      entry.resume()
      await once(entry, 'end')
    }
  } catch (error) {
    for (const sink of sinks) sink.abort()
    input.unpipe(parser)
    input.destroy() // stop reading; compressedSize kills docker save
    throw error
  }

  const layers: LayerSize[] = []
  const seen = new Set<string>()
  let already = 0
  for (const listed of layerPaths(json)) {
    const path = followLinks(listed, links)
    if (seen.has(path)) continue // the same blob listed twice is pushed once
    seen.add(path)
    const file = files.get(path)
    if (!file) throw new Error(`the image archive has no ${listed}, which its manifest lists as a layer`)
    layers.push({ path, size: file.size, compressed: await file.compressed })
    if (file.already) already++
  }
  // Also await the gzips of non-layer entries, so no zlib work or rejection is left behind.
  await Promise.all([...files.values()].map((f) => f.compressed))
  return {
    compressed: layers.reduce((sum, l) => sum + l.compressed, 0),
    layers,
    // only when every layer was: then the total is the store's own blobs, not a zlib estimate
    alreadyCompressed: layers.length > 0 && already === layers.length
  }
}

/**
 * Reads one entry to its end, feeding it to its own gzip stream whose output is only counted.
 * Returns once the entry is read, without waiting for zlib to flush, so the gzip of one layer may
 * still run (on the libuv threadpool) while the next entry is read. Small JSON entries are kept.
 */
async function measureEntry(entry: AsyncIterable<unknown>, newSink: () => Sink, sinks: Sink[], keepJson: (text: string) => void): Promise<Measured> {
  let size = 0
  let head: Buffer[] | undefined = [] // the first bytes, until we know whether the blob is compressed
  let gzip: Writable | undefined
  let compressed: Promise<number> = Promise.resolve(0)
  let already = false
  let kept: Buffer[] | undefined = []

  const start = (first: Buffer): void => {
    // gzip (1f 8b) or zstd (28 b5 2f fd): the containerd store keeps pushed/pulled blobs compressed,
    // and a push sends them as they are, so they count as their own size.
    already = (first[0] === 0x1f && first[1] === 0x8b) || first.readUInt32LE(0) === 0xfd2fb528
    if (first[0] !== 0x7b && first[0] !== 0x5b) kept = undefined // JSON starts with { or [
    if (already) return
    const sink = newSink()
    sinks.push(sink)
    gzip = sink.input
    compressed = sink.size
    compressed.catch(() => {}) // awaited later; this only stops it counting as unhandled meanwhile
  }

  for await (const data of entry) {
    let chunk = data as Buffer // tar-stream yields Buffers (b4a on Node)
    size += chunk.length
    if (kept) {
      kept.push(chunk)
      if (size > KEEP_JSON) kept = undefined
    }
    if (head) {
      head.push(chunk)
      if (size < 4) continue
      chunk = Buffer.concat(head)
      head = undefined
      start(chunk)
    }
    // Wait for zlib when its input buffer is full, which pauses the tar (and docker save) meanwhile.
    if (gzip && !gzip.write(chunk)) await once(gzip, 'drain')
  }
  if (head) start(Buffer.concat([...head, Buffer.alloc(4)])) // shorter than 4 bytes: pad only for the check
  if (head && gzip) gzip.write(Buffer.concat(head))
  gzip?.end()
  if (kept) keepJson(Buffer.concat(kept).toString('utf8'))
  return { size, already, compressed: already ? Promise.resolve(size) : compressed }
}

/** Layer paths in image order: from manifest.json, which both layouts have, else from index.json. */
function layerPaths(json: Map<string, string>): string[] {
  const manifest = json.get('manifest.json')
  if (manifest !== undefined) {
    const images = JSON.parse(manifest) as { Layers?: string[] }[]
    return images.flatMap((image) => (image.Layers ?? []).map(clean))
  }
  // A pure OCI layout: follow index.json through the manifests present in the archive.
  const index = json.get('index.json')
  if (index === undefined) throw new Error('the image archive has neither manifest.json nor index.json')
  const blob = (digest: string) => `blobs/${digest.replace(':', '/')}`
  const walk = (doc: OciDoc): string[] => [
    ...(doc.layers ?? []).map((layer) => blob(layer.digest)),
    ...(doc.manifests ?? [])
      .filter((m) => m.platform?.os !== 'unknown') // buildkit's attestation manifests, not layers
      .flatMap((m) => {
        const text = json.get(blob(m.digest))
        return text === undefined ? [] : walk(JSON.parse(text) as OciDoc) // platforms not saved
      })
  ]
  return walk(JSON.parse(index) as OciDoc)
}

interface OciDoc {
  manifests?: { digest: string; platform?: { os?: string } }[]
  layers?: { digest: string }[]
}

/** Follows symlinks and hard links (a few hops at most) to the entry that holds the bytes. */
function followLinks(path: string, links: Map<string, string>): string {
  for (let hops = 0; hops < 16 && links.has(path); hops++) path = links.get(path) as string
  return path
}

function clean(path: string): string {
  return posix.normalize(path).replace(/^(\.\/)+/, '').replace(/\/$/, '')
}
