// The one read of an image: a single `docker save` pass that gives the compressed size (what
// `docker push` would transfer, every layer gzip-compressed), each layer's unpacked bytes (stages/size.ts,
// layers.ts) and what the layers hold (the contents check), with or without compressing.
// `docker save` gives the layers uncompressed (classic store) or as the blobs the containerd store
// keeps (already compressed: a push sends them as they are, so they count as their own size and
// nothing is compressed), so we stream its tar output, deflate each uncompressed entry on worker
// threads in 1 MiB chunks (compress-pool.ts) and count the bytes. Nothing is written to disk and no
// layer is held in memory: while the workers are busy, the tar stream (and with it docker save)
// waits. Each layer's bytes also go through a nested tar parser (layer-scan.ts), so the image is
// read once, not twice.
import { posix } from 'node:path'
import type { Readable } from 'node:stream'
import type { Docker } from '../docker/docker.js'
import { DeflatePool } from './compress-pool.js'
import type { LayerFacts, ScanRules } from './layer-scan.js'
import { countKept, EntryMeasure, type EntryOptions, type Measured } from './saved-entry.js'
import { TarWalk } from './tar-walk.js'

export interface LayerSize {
  path: string
  size: number
  compressed: number
}

export interface SavedImage {
  /** sum of the layers' gzip sizes, bytes */
  compressed: number
  /** layers in image order (manifest order), duplicates counted once */
  layers: LayerSize[]
  /** true when the blobs were already compressed (containerd store) */
  alreadyCompressed: boolean
  /** how it was compressed: worker threads, their nice value, the zlib level */
  threads: number
  nice: number
  level: number
  /** with `scan`: each layer's facts in manifest order (undefined: not read, e.g. zstd), and
   * the CreatedBy of each history entry that made a layer, in the same order */
  scanned?: { layers: (LayerFacts | undefined)[]; history: string[]; blobSizes: number[] }
}

export interface ReadOptions {
  /** stops the measurement (kills docker save); it then rejects */
  signal?: AbortSignal
  /** zlib level and worker threads (tests) */
  level?: number
  threads?: number
  /** false: only scan (compressed-size: false); the counts are then 0 */
  compress?: boolean
  /** read the layers' files for the contents check */
  scan?: ScanRules
}

/** Runs `docker save <imageRef>` and measures its output; see readSaveStream. */
export async function readSavedImage(docker: Docker, imageRef: string, options: ReadOptions = {}): Promise<SavedImage> {
  // An argument array, never a shell: the ref comes from user input.
  // Its time depends on the image, so the run's overall timeout bounds it (Processes.stopAll).
  const { child, exited } = docker.read(['save', imageRef])
  let stderr = ''
  let stderrCut = false
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
    stderrCut ||= stderr.length > 4096
    stderr = stderr.slice(-4096)
  })
  let eof = false // docker closed its output: finished, or failed on its own
  child.stdout!.once('end', () => (eof = true))
  const stop = () => void child.kill()
  options.signal?.addEventListener('abort', stop, { once: true })

  let result: SavedImage | undefined
  let failure: unknown
  try {
    result = await readSaveStream(child.stdout!, options)
  } catch (error) {
    failure = error
    // We gave up mid-stream: never leave docker save running (it would block on the full pipe).
    if (!eof) child.kill()
  } finally {
    options.signal?.removeEventListener('abort', stop)
  }
  const { code, signal, error } = await exited
  if (error) throw error
  if (options.signal?.aborted) throw new Error('the measurement was stopped')
  // docker's own failure explains a short or empty stream better than the tar parser can. But if we
  // gave up first, its complaint ("broken pipe", or being killed) is only the echo of our error.
  if (code !== 0 && (failure === undefined || eof)) {
    // masked as every answer of Docker's is (docker/docker.ts), the start too when the kept tail begins inside a line
    const last = docker.secrets.maskCut(stderr, { start: stderrCut }).trim().split('\n').pop()?.trim()
    throw new Error(`docker save failed: ${last || (signal ? `killed by ${signal}` : `exit code ${code}`)}`)
  }
  if (failure !== undefined || !result) throw failure
  return result
}

/** Measures a `docker save` tar stream (classic docker-archive or OCI layout). */
export async function readSaveStream(input: Readable, options: ReadOptions = {}): Promise<SavedImage> {
  let pool: DeflatePool | undefined
  const entry: EntryOptions = { scan: options.scan, ...(options.compress !== false && { pool: () => (pool ??= new DeflatePool(options.level, options.threads)) }) }
  const files = new Map<string, Measured>()
  const links = new Map<string, string>() // entry path -> the path it points to
  // manifest.json may come after the layers, so every file is measured and layers picked at the end.
  const walk = new TarWalk(header => {
    const name = clean(header.name)
    if (header.type === 'file' || header.type === 'contiguous-file') {
      const measure = new EntryMeasure(entry)
      return { data: piece => measure.data(piece), end: async () => void files.set(name, (await measure.end(), measure.measured)) }
    }
    // The classic format stores a repeated layer as a symlink to the first copy; newer engines
    // link `<id>/layer.tar` to `blobs/sha256/<hex>`. Hard links name a path from the archive root.
    if (header.type === 'symlink' && header.linkname) links.set(name, clean(posix.join(posix.dirname(name), header.linkname)))
    if (header.type === 'link' && header.linkname) links.set(name, clean(header.linkname))
    return undefined
  })
  try {
    for await (const chunk of input) await walk.write(chunk as Buffer)
    walk.end()

    const json = new Map<string, string>()
    for (const [name, file] of files) if (file.kept) json.set(name, file.kept.toString('utf8'))
    const layers: LayerSize[] = []
    const seen = new Set<string>()
    let already = 0
    const layout = imageLayout(json)
    for (const listed of layout.layers) {
      const path = followLinks(listed, links)
      if (seen.has(path)) continue // the same blob listed twice is pushed once
      seen.add(path)
      const file = files.get(path)
      if (!file) throw new Error(`the image archive has no ${listed}, which its manifest lists as a layer`)
      const compressed = file.compressed ?? (file.kept && entry.pool ? countKept(file.kept, entry.pool()) : Promise.resolve(0))
      layers.push({ path, size: file.size, compressed: await compressed })
      if (file.already) already++
    }
    // Also await the counts of non-layer entries, so no rejection is left behind.
    await Promise.all([...files.values()].map((f) => f.compressed))
    return {
      compressed: layers.reduce((sum, l) => sum + l.compressed, 0),
      layers,
      // only when every layer was: then the total is the store's own blobs, not a zlib estimate
      alreadyCompressed: layers.length > 0 && already === layers.length,
      threads: pool?.threads ?? 0,
      nice: pool?.nice ?? 0,
      level: pool?.level ?? 0,
      ...(options.scan && {
        scanned: {
          layers: layout.layers.map((listed) => files.get(followLinks(listed, links))?.facts),
          history: layerHistory(json, layout.configs),
          blobSizes: layout.layers.map((listed) => files.get(followLinks(listed, links))?.size ?? 0)
        }
      })
    }
  } catch (error) {
    input.destroy() // stop reading; compressedSize kills docker save
    throw error
  } finally {
    await (pool as DeflatePool | undefined)?.close()
  }
}

/**
 * Layer paths in image order, and the image configs: from manifest.json, which both layouts have,
 * else from index.json.
 */
function imageLayout(json: Map<string, string>): { layers: string[]; configs: string[] } {
  const manifest = json.get('manifest.json')
  if (manifest !== undefined) {
    const images = JSON.parse(manifest) as { Layers?: string[]; Config?: string }[]
    return { layers: images.flatMap((image) => (image.Layers ?? []).map(clean)), configs: images.flatMap((image) => (image.Config ? [clean(image.Config)] : [])) }
  }
  // A pure OCI layout: follow index.json through the manifests present in the archive.
  const index = json.get('index.json')
  if (index === undefined) throw new Error('the image archive has neither manifest.json nor index.json')
  const blob = (digest: string) => `blobs/${digest.replace(':', '/')}`
  const configs: string[] = []
  const walk = (doc: OciDoc): string[] => [
    ...(doc.config ? (configs.push(blob(doc.config.digest)), []) : []),
    ...(doc.layers ?? []).map((layer) => blob(layer.digest)),
    ...(doc.manifests ?? [])
      .filter((m) => m.platform?.os !== 'unknown') // buildkit's attestation manifests, not layers
      .flatMap((m) => {
        const text = json.get(blob(m.digest))
        return text === undefined ? [] : walk(JSON.parse(text) as OciDoc) // platforms not saved
      })
  ]
  return { layers: walk(JSON.parse(index) as OciDoc), configs }
}

interface OciDoc {
  manifests?: { digest: string; platform?: { os?: string } }[]
  config?: { digest: string }
  layers?: { digest: string }[]
}

/** The CreatedBy of each history entry that made a layer (not ENV, CMD...), in layer order. */
function layerHistory(json: Map<string, string>, configs: string[]): string[] {
  return configs.flatMap((path) => {
    try {
      const config = JSON.parse(json.get(path) ?? '{}') as { history?: { created_by?: string; empty_layer?: boolean }[] }
      return (config.history ?? []).filter((h) => !h.empty_layer).map((h) => h.created_by ?? '')
    } catch {
      return []
    }
  })
}

/** Follows symlinks and hard links (a few hops at most) to the entry that holds the bytes. */
function followLinks(path: string, links: Map<string, string>): string {
  for (let hops = 0; hops < 16 && links.has(path); hops++) path = links.get(path) as string
  return path
}

function clean(path: string): string {
  return posix.normalize(path).replace(/^(\.\/)+/, '').replace(/\/$/, '')
}
