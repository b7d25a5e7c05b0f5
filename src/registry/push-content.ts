import { createReadStream, createWriteStream, mkdirSync, readFileSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { posix } from 'node:path'
import * as path from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import { createGzip } from 'node:zlib'
import { extract } from 'tar-stream'
import type { Docker } from '../docker/docker.js'
import { dockerSays } from '../docker/docker.js'
import type { Engine } from '../docker/engine.js'
import { digestOf } from './client.js'
import { createHash } from 'node:crypto'
import { LEVEL } from '../saved/compress-pool.js'

// What a push sends for one gated image, read from the engine by its id (`docker save`) into a
// temporary directory: the blobs (config, layers, attestations) and the manifests, each with its
// digest. What was read is held against the id first, so everything pushed is the image that ran.
//
// The containerd store keeps the image as a push sends it: its index (the image manifest and its
// attestations) or its manifest is the id, and each blob is taken byte for byte. The classic store
// keeps the config (whose digest is the id) and uncompressed layers: each layer is gzip-compressed
// as `docker push` does and a manifest is written for them, as `docker push` writes one.

export interface Content {
  bytes: Buffer
  mediaType: string
  digest: string
}

export interface Blob {
  digest: string
  size: number
  file: string
}

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  platform?: { os?: string; architecture?: string; variant?: string }
  annotations?: Record<string, string>
}

export interface LocalImage {
  platform: string
  /** what a tag names for this image alone: the store's index or manifest, or the manifest written for it */
  top: Content
  /** this image's entries in a multi-platform index: its manifest (with its platform), then its attestations */
  entries: Descriptor[]
  /** every manifest under `top`, put by digest before any tag */
  manifests: Content[]
  /** configs, layers and attestation blobs */
  blobs: Blob[]
  /** the platform manifest's digest and its config's */
  manifest: string
  config: string
  labels: Record<string, string>
}

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'

interface ManifestDoc {
  mediaType?: string
  config?: Descriptor
  layers?: Descriptor[]
  manifests?: Descriptor[]
  annotations?: Record<string, string>
}

/** `docker save` of `id` into `dir`, read back as what a push sends. */
export async function readGated(docker: Pick<Docker, 'read' | 'secrets'>, id: string, platform: string, store: Engine['store'], dir: string, manifestAnnotations: Record<string, string> = {}): Promise<LocalImage> {
  const files = await saveTo(docker, id, dir)
  return store === 'containerd' ? fromLayout(files, id, platform) : await fromArchive(files, id, platform, dir, manifestAnnotations)
}

/** The saved files: the tar's path → the file it was written to (links followed). */
type Files = (name: string) => string | undefined

async function saveTo(docker: Pick<Docker, 'read' | 'secrets'>, id: string, dir: string): Promise<Files> {
  // An argument array, never a shell; its time is bounded by the run's timeout (Processes.stopAll)
  const { child, exited } = docker.read(['save', id])
  let stderr = ''
  let stderrCut = false
  child.stderr?.setEncoding('utf8').on('data', (text: string) => {
    stderr += text
    if (stderr.length > 4096) [stderr, stderrCut] = [stderr.slice(-4096), true]
  })
  const written = new Map<string, string>()
  const links = new Map<string, string>()
  const tar = extract()
  let n = 0
  tar.on('entry', (header, stream, next) => {
    const name = posix.normalize(header.name).replace(/^\.?\//, '')
    if (header.type === 'symlink' && header.linkname) links.set(name, posix.normalize(posix.join(posix.dirname(name), header.linkname)))
    if (header.type === 'link' && header.linkname) links.set(name, posix.normalize(header.linkname))
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      stream.resume()
      stream.once('end', next)
      return
    }
    const file = path.join(dir, `entry-${n++}`)
    written.set(name, file)
    pipeline(stream, createWriteStream(file)).then(() => next(), next)
  })
  const done = pipeline(child.stdout as Readable, tar)
  const [read, ended] = await Promise.allSettled([done, exited])
  const exit = ended.status === 'fulfilled' ? ended.value : undefined
  if (exit?.error) throw exit.error
  if (exit?.code !== 0) throw new Error(`docker save ${id} failed: ${dockerSays(docker.secrets.maskCut(stderr, { start: stderrCut }))}`)
  if (read.status === 'rejected') throw new Error(`could not read docker save ${id}: ${(read.reason as Error).message}`)
  return name => {
    let at = name
    for (let hops = 0; hops < 8 && !written.has(at) && links.has(at); hops++) at = links.get(at)!
    return written.get(at)
  }
}

function need(files: Files, name: string, id: string): string {
  const file = files(name)
  if (!file) throw new Error(`docker save ${id} gave no ${name}`)
  return file
}

/** The containerd store's OCI layout: index.json names the image, whose digest must be the id. */
function fromLayout(files: Files, id: string, platform: string): LocalImage {
  const blobFile = (digest: string) => need(files, `blobs/${digest.replace(':', '/')}`, id)
  const content = (d: Descriptor): Content => {
    const bytes = readFileSync(blobFile(d.digest))
    if (digestOf(bytes) !== d.digest) throw new Error(`docker save ${id} gave ${d.digest} with other bytes`)
    return { bytes, mediaType: d.mediaType, digest: d.digest }
  }
  const layout = JSON.parse(readFileSync(need(files, 'index.json', id), 'utf8')) as ManifestDoc
  const topDesc = layout.manifests?.find(m => m.digest === id)
  if (!topDesc) throw new Error(`docker save ${id} holds ${layout.manifests?.map(m => m.digest).join(', ') || 'nothing'}, not the gated image`)
  const top = content(topDesc)
  const doc = JSON.parse(top.bytes.toString('utf8')) as ManifestDoc
  const entries: Descriptor[] = doc.manifests ? doc.manifests.map(m => ({ ...m })) : [{ mediaType: top.mediaType, digest: top.digest, size: top.bytes.length, ...(platform && { platform: toPlatform(platform) }) }]
  const image = doc.manifests ? entries.find(e => e.platform?.os !== 'unknown') : entries[0]
  if (!image) throw new Error(`the image ${id} has no platform manifest`)
  const manifests = doc.manifests ? entries.map(content) : [top]
  const blobs = new Map<string, Blob>()
  for (const m of manifests) {
    const parsed = JSON.parse(m.bytes.toString('utf8')) as ManifestDoc
    for (const d of [parsed.config, ...(parsed.layers ?? [])]) {
      if (d && !blobs.has(d.digest)) blobs.set(d.digest, { digest: d.digest, size: d.size, file: blobFile(d.digest) })
    }
  }
  const imageManifest = manifests.find(m => m.digest === image.digest)!
  const config = (JSON.parse(imageManifest.bytes.toString('utf8')) as ManifestDoc).config!.digest
  return {
    platform,
    top,
    entries,
    manifests,
    blobs: [...blobs.values()],
    manifest: image.digest,
    config,
    labels: labelsOf(readFileSync(blobFile(config)))
  }
}

/**
 * The classic store's archive: manifest.json names the config (its digest is the id) and the
 * uncompressed layers, each gzip-compressed here as a push compresses it.
 */
async function fromArchive(files: Files, id: string, platform: string, dir: string, annotations: Record<string, string>): Promise<LocalImage> {
  const [entry] = JSON.parse(readFileSync(need(files, 'manifest.json', id), 'utf8')) as { Config: string; Layers: string[] }[]
  if (!entry) throw new Error(`docker save ${id} holds no image`)
  const configBytes = readFileSync(need(files, entry.Config, id))
  const config = digestOf(configBytes)
  if (config !== id) throw new Error(`docker save ${id} gave the config ${config}, not the gated image`)
  const configFile = need(files, entry.Config, id)
  const layers: (Blob & { mediaType: string })[] = []
  for (const [i, name] of entry.Layers.entries()) layers.push(await compressed(need(files, name, id), path.join(dir, `layer-${i}.gz`)))
  const doc = {
    schemaVersion: 2,
    mediaType: DOCKER_MANIFEST,
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: configBytes.length, digest: config },
    layers: layers.map(l => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
    ...(Object.keys(annotations).length > 0 && { annotations })
  }
  const bytes = Buffer.from(JSON.stringify(doc, null, 3))
  const top = { bytes, mediaType: DOCKER_MANIFEST, digest: digestOf(bytes) }
  return {
    platform,
    top,
    entries: [{ mediaType: DOCKER_MANIFEST, digest: top.digest, size: bytes.length, ...(platform && { platform: toPlatform(platform) }) }],
    manifests: [top],
    blobs: [{ digest: config, size: configBytes.length, file: configFile }, ...layers.map(({ digest, size, file }) => ({ digest, size, file }))],
    manifest: top.digest,
    config,
    labels: labelsOf(configBytes)
  }
}

/** A layer as a push sends it: already gzip or zstd as it is, else gzip-compressed into `out`. */
async function compressed(file: string, out: string): Promise<Blob & { mediaType: string }> {
  const head = Buffer.alloc(4)
  const fd = await open(file, 'r')
  await fd.read(head, 0, 4, 0).finally(() => fd.close())
  const kind = head[0] === 0x1f && head[1] === 0x8b ? 'gzip' : head.readUInt32LE(0) === 0xfd2fb528 ? 'zstd' : undefined
  if (kind) return { ...(await hashed(file)), file, mediaType: `application/vnd.docker.image.rootfs.diff.tar.${kind === 'gzip' ? 'gzip' : 'zstd'}` }
  mkdirSync(path.dirname(out), { recursive: true })
  await pipeline(createReadStream(file), createGzip({ level: LEVEL }), createWriteStream(out))
  return { ...(await hashed(out)), file: out, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }
}

async function hashed(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return { digest: `sha256:${hash.digest('hex')}`, size: statSync(file).size }
}

function labelsOf(config: Buffer): Record<string, string> {
  return (JSON.parse(config.toString('utf8')) as { config?: { Labels?: Record<string, string> | null } }).config?.Labels ?? {}
}

/** "linux/arm64/v8" as an OCI platform. */
export function toPlatform(platform: string): Descriptor['platform'] {
  const [os, architecture, variant] = platform.split('/')
  return { os, architecture, ...(variant && { variant }) }
}
