import type { RunContext } from '../context.js'
import { platformArch } from '../saved/elf.js'
import type { Engine } from '../docker/engine.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Contents, Layer, PlatformRun } from '../report/report.js'
import type { BuildInputs } from './build.js'
import { compareLayers, measureBaseline, measureFirstStage } from './compare.js'
import { readSavedImage, type SavedImage } from '../saved/saved-image.js'
import { countedLayers, layerHistory, namedLayers, total, type Counted } from '../saved/layers.js'
import { globs } from '../globs.js'
import { assembleContents } from '../saved/contents.js'
import { markFromBase } from '../dockerfile/from-base.js'
import { counted } from '../units.js'
import { mark } from '../trace.js'

// Stage 5, measuring: everything about size beyond what inspect.ts read.
// One meaning of size on every image store: `size` is the layers' unpacked bytes, and
// `compressed-size` is what a push sends. Both come from one `docker save` pass (saved/saved-image.ts),
// made while the container starts (see measureSizes), which also reads what the layers hold for
// the contents check (saved/layer-scan.ts, saved/contents.ts):
// - size: each layer's files counted as the classic store counts a layer it unpacks (a pulled or
//   loaded image's `docker image inspect` .Size): file bytes, symlink targets, hard links once. The
//   engines' own figures differ: the containerd store's inspect counts its compressed blobs and its
//   history the snapshots' disk blocks, and the classic store leaves symlinks out of the layers
//   BuildKit builds there (a few kB at most). Where the layers cannot be read, the engine's figure;
// - compressed: the containerd store's blobs as they are, the classic store's layers gzip-compressed;
// - the largest layers with the instruction that made each, in the same bytes as the total;
// - a baseline image (compare-to) and the first build stage (compare-stages), measured alike (compare.ts).
// Measuring never fails the run: a measurement that cannot be made is reported as such.

const TOP_LAYERS = 5

export type SizeInputs = BuildInputs & Pick<Inputs, 'compressedSize' | 'compareTo' | 'compareStages' | 'buildStage' | 'allowPaths' | 'forbidPaths'>

export interface SizeResult {
  image: Pick<PlatformRun['image'], 'size' | 'store' | 'largestLayers' | 'compressedSize' | 'compressedBy' | 'unreadLayers'>
  baseline?: PlatformRun['baseline']
  firstStage?: PlatformRun['firstStage']
  contents?: Contents
}

/**
 * Starts measuring the compressed size at once, so it runs while the container starts and is
 * probed (`running`, the run-and-wait stage): on worker threads at the lowest CPU priority, it only
 * takes what the app's startup leaves. The rest (docker calls, the compare-to pull, the
 * compare-stages build) waits until the run is over, as before. If the run fails, the measuring
 * stops and this resolves with nothing measured: it never rejects before `running` settles.
 */
export async function measureSizes(ctx: RunContext, inputs: SizeInputs, image: string, engine: Pick<Engine, 'store'>, running: Promise<unknown> = Promise.resolve(), platform = ''): Promise<SizeResult> {
  const { docker } = ctx
  const stop = new AbortController()
  const saved = readImage(ctx, inputs, image, stop.signal, platform)
  try {
    await running
  } catch {
    stop.abort()
    await saved
    return { image: {} }
  }
  try {
    const { store } = engine
    const result: SizeResult = { image: { store } }
    const { sizes, contents, counted } = await saved
    let layers: Layer[]
    if (counted) {
      layers = counted.layers
      result.image.size = total(layers)
      if (counted.unread.length > 0) result.image.unreadLayers = counted.unread
    } else {
      // the engine's own figures: the same kind on the classic store, not on the containerd one
      if (store === 'containerd') ctx.sink.warning('image-gate could not count the layers\' unpacked sizes, so size is the containerd store\'s own figure (the compressed content it keeps).')
      layers = await layerHistory(docker, image)
    }
    result.image.largestLayers = largest(layers)
    Object.assign(result.image, sizes)
    result.contents = contents
    if (inputs.compareTo) {
      const { baseline, layers: before } = await measureBaseline(docker, inputs)
      result.baseline = baseline
      if (before.length > 0) {
        const compared = compareLayers(layers, before)
        result.image.largestLayers = largest(compared.layers)
        baseline.growth = compared.growth
      }
    }
    if (inputs.compareStages) result.firstStage = await measureFirstStage(ctx, inputs)
    return result
  } finally {
    stop.abort() // an engine error before the compressed size was in: no docker save left running
  }
}

interface Saved {
  sizes: Pick<PlatformRun['image'], 'compressedSize' | 'compressedBy'>
  contents?: Contents
  /** the layers' unpacked sizes counted from their files, newest first (see countedLayers) */
  counted?: Counted
}

/**
 * One `docker save` pass: the compressed size (with compressed-size) and what the layers hold (the
 * contents check, always). Nothing (and a warning) when the image could not be read.
 */
async function readImage(ctx: RunContext, inputs: SizeInputs, image: string, signal: AbortSignal, platform: string): Promise<Saved> {
  // bench/contents.ts times the run without the scan; nothing else turns it off
  const scan = process.env.IMAGE_GATE_BENCH_NO_SCAN === '1' ? undefined : { forbid: globs(inputs.forbidPaths), allow: globs(inputs.allowPaths), arch: platform ? platformArch(platform) : undefined }
  if (!inputs.compressedSize && !scan) return { sizes: {} }
  const started = Date.now()
  let measured: SavedImage
  mark('save pass started')
  try {
    measured = await readSavedImage(ctx.docker, image, { signal, compress: inputs.compressedSize, scan })
  } catch (err) {
    if (signal.aborted) return { sizes: {} }
    const what = inputs.compressedSize ? 'measure the compressed size or read the layers' : 'read the layers'
    ctx.sink.warning(`image-gate could not ${what}: ${(err as Error).message}`)
    return { sizes: {}, contents: scan && notScanned(`docker save failed: ${(err as Error).message}`) }
  }
  mark('save pass read')
  const how = !inputs.compressedSize
    ? 'not compressed'
    : measured.alreadyCompressed
      ? `compressed size ${measured.compressed} B (the image store's own blobs)`
      : `compressed size ${measured.compressed} B (zlib level ${measured.level}, ${measured.threads} worker thread(s) at nice ${measured.nice})`
  const contents = scan && contentsOf(measured, inputs, platform)
  const files = contents?.files !== undefined ? `, ${counted(contents.files, 'file')} scanned` : ''
  ctx.sink.debug(`docker save read in ${((Date.now() - started) / 1000).toFixed(2)} s: ${counted(measured.layers.length, 'layer')}, ${how}${files}`)
  const sizes: Saved['sizes'] = inputs.compressedSize ? { compressedSize: measured.compressed, compressedBy: measured.alreadyCompressed ? 'store' : 'zlib' } : {}
  return { sizes, contents, counted: scan && countedLayers(measured) }
}

/** The contents findings, each layer named by the instruction that made it. */
export function contentsOf(measured: SavedImage, inputs: Pick<SizeInputs, 'allowPaths'> & Partial<Pick<SizeInputs, 'file' | 'target'>>, platform = ''): Contents {
  const named = namedLayers(measured)
  if (named.length > 0 && named.every(({ facts }) => facts === undefined)) {
    const why = measured.alreadyCompressed ? 'the image store keeps the layers in a compression this Node cannot unpack (zstd)' : 'no layer of the image could be read as a tar'
    return notScanned(`not scanned: ${why}`)
  }
  return markFromBase(assembleContents(named, globs(inputs.allowPaths), platform), inputs.file, inputs.target)
}

/** A contents result that says why the layers were not read. */
function notScanned(why: string): Contents {
  return { notScanned: why, findings: [], count: 0, allowed: 0 }
}

/** The largest layers, newest first among equals (the sort is stable). */
function largest(layers: Layer[]): Layer[] {
  return [...layers].sort((a, b) => b.size - a.size).slice(0, TOP_LAYERS)
}
