import type { Docker } from '../docker/docker.js'
import type { Layer, UnreadLayer } from '../report/report.js'
import { readSavedImage, type SavedImage } from './saved-image.js'
import type { LayerFacts } from './layer-scan.js'

// An image's layers in the bytes `size` means on every store: unpacked, counted from the layers'
// files in a docker save pass (layer-scan.ts) the way the classic store counts a layer it unpacks
// (a pulled, loaded or imported one). Also the instruction that made each layer, as written.

/**
 * An image's unpacked size and its layers, counted from one `docker save` pass (with `compress`,
 * also its compressed size): for the images it is compared with (stages/compare.ts).
 */
export async function sizeAndLayers(docker: Docker, ref: string, compress: boolean): Promise<Counted & { size: number; compressed?: number }> {
  const measured = await readSavedImage(docker, ref, { compress, scan: { forbid: () => false } })
  const counted = countedLayers(measured)
  if (!counted) throw new Error(`no layer of ${ref} could be read`)
  return { ...counted, size: total(counted.layers), compressed: compress ? measured.compressed : undefined }
}

export function total(layers: Layer[]): number {
  return layers.reduce((sum, layer) => sum + layer.size, 0)
}

/** The saved layers in image order, each with the instruction that made it. */
export function namedLayers(measured: SavedImage): { facts?: LayerFacts; instruction: string; blobSize: number }[] {
  const { layers = [], history = [], blobSizes = [] } = measured.scanned ?? {}
  // history entries that made a layer pair with the layers in order; a base image without
  // history leaves the first layers unnamed
  const offset = layers.length - history.length
  return layers.map((facts, i) => ({ facts, instruction: i >= offset ? instructionOf(history[i - offset]) : '(base image)', blobSize: blobSizes[i] ?? 0 }))
}

export interface Counted {
  /** newest first, empty layers left out */
  layers: Layer[]
  /** the layers that could not be read file by file, each counted at its archive size instead */
  unread: UnreadLayer[]
}

/**
 * Each layer's unpacked size as counted from its files, newest first (as `docker history` lists
 * them), empty layers left out. A layer that cannot be read (not a tar, cut short, a compression
 * the scan does not know) counts at its size in the archive and is named in `unread`, so one
 * odd layer never leaves the whole image without a size. Undefined when no layer could be read.
 */
export function countedLayers(measured: SavedImage): Counted | undefined {
  const named = namedLayers(measured)
  if (named.length === 0) return undefined
  const unread: UnreadLayer[] = []
  const layers = named.map(({ facts, instruction, blobSize }) => {
    if (facts && facts.error === undefined) return { size: facts.bytes, instruction }
    unread.push({ instruction, why: facts?.error ?? 'not a tar, nor a gzip or zstd blob', bytes: blobSize })
    return { size: blobSize, instruction }
  })
  // none could be read: the archive is not one this pass understands, and the engine's own
  // figures say more than the archive's bytes would
  if (unread.length === named.length) return undefined
  return { layers: layers.filter(layer => layer.size > 0).reverse(), unread }
}

/** The layers that hold bytes, newest first, with the instruction that made each. */
export async function layerHistory(docker: Docker, image: string): Promise<Layer[]> {
  const r = await docker.call(['history', '--no-trunc', '--human=false', '--format', '{{.Size}}\t{{.CreatedBy}}', image])
  if (r.exitCode !== 0) return []
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(line => {
      const [size, ...rest] = line.split('\t')
      return { size: Number(size), instruction: instructionOf(rest.join('\t')) }
    })
    .filter(layer => layer.size > 0)
}

/** `docker history` CreatedBy → the Dockerfile instruction as written. */
export function instructionOf(createdBy: string): string {
  const text = createdBy
    .replace(/ # buildkit$/, '')
    .replace(/^\/bin\/sh -c #\(nop\) +/, '')
    .replace(/^\/bin\/sh -c /, 'RUN ')
    .replace(/^RUN \|\d+ (?:\S+=\S* )*\/bin\/sh -c /, 'RUN ') // build args recorded before the command
    .replace(/^RUN \/bin\/sh -c /, 'RUN ')
    .trim()
  return text === '' ? '(base image)' : text
}
