import type { Docker } from '../docker/docker.js'
import type { Layer } from '../report/report.js'
import { compressedSize, type CompressedSize } from './compressed.js'
import type { LayerFacts } from './layer-scan.js'

// An image's layers in the bytes `size` means on every store: unpacked, counted from the layers'
// files in a docker save pass (layer-scan.ts) the way the classic store counts a layer it unpacks
// (a pulled, loaded or imported one). Also the instruction that made each layer, as written.

/**
 * An image's unpacked size and its layers, counted from one `docker save` pass (with `compress`,
 * also its compressed size): for the images it is compared with (compare.ts).
 */
export async function sizeAndLayers(docker: Docker, ref: string, compress: boolean): Promise<{ size: number; layers: Layer[]; compressed?: number }> {
  const measured = await compressedSize(docker, ref, { compress, scan: { forbid: () => false } })
  const layers = countedLayers(measured)
  if (!layers) throw new Error(`the layers of ${ref} could not be read`)
  return { size: total(layers), layers, compressed: compress ? measured.compressed : undefined }
}

export function total(layers: Layer[]): number {
  return layers.reduce((sum, layer) => sum + layer.size, 0)
}

/** The saved layers in image order, each with the instruction that made it. */
export function namedLayers(measured: CompressedSize): { facts?: LayerFacts; instruction: string }[] {
  const { layers = [], history = [] } = measured.scanned ?? {}
  // history entries that made a layer pair with the layers in order; a base image without
  // history leaves the first layers unnamed
  const offset = layers.length - history.length
  return layers.map((facts, i) => ({ facts, instruction: i >= offset ? instructionOf(history[i - offset]) : '(base image)' }))
}

/**
 * Each layer's unpacked size as counted from its files, newest first (as `docker history` lists
 * them), empty layers left out; undefined unless every layer was read to its end.
 */
export function countedLayers(measured: CompressedSize): Layer[] | undefined {
  const named = namedLayers(measured)
  if (named.length === 0 || named.some(({ facts }) => facts === undefined || facts.error !== undefined)) return undefined
  return named
    .map(({ facts, instruction }) => ({ size: facts!.bytes, instruction }))
    .filter(layer => layer.size > 0)
    .reverse()
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
