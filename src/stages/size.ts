import { readFileSync } from 'node:fs'
import { DockerfileParser } from 'dockerfile-ast'
import type { RunContext } from '../context.js'
import { lastLine, type Docker } from '../docker/docker.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Contents, Layer, Report } from '../report/report.js'
import { buildImage, type BuildInputs } from './build.js'
import { compressedSize, type CompressedSize } from './compressed.js'
import { globs } from '../globs.js'
import { assembleContents } from './contents.js'

// Stage 5, measuring: everything about size beyond the engine's byte count (inspect.ts).
// - the image store: the containerd store reports sizes differently, so say which measure it is;
// - the compressed size (what a push transfers), streamed from `docker save` (compressed.ts),
//   measured while the container starts (see measureSizes), and in the same pass what the layers
//   hold, for the contents check (layer-scan.ts, contents.ts);
// - the largest layers with the instruction that made each, from `docker history`;
// - a baseline image (compare-to) and the first build stage (compare-stages) to compare with.
// Measuring never fails the run: a measurement that cannot be made is reported as such.

const TOP_LAYERS = 5

export type SizeInputs = BuildInputs & Pick<Inputs, 'compressedSize' | 'compareTo' | 'compareStages' | 'buildStage' | 'allowPaths' | 'forbidPaths'>

export interface SizeResult {
  image: Pick<Report['image'], 'store' | 'largestLayers' | 'compressedSize' | 'compressedBy'>
  baseline?: Report['baseline']
  stages?: Report['stages']
  contents?: Contents
}

/**
 * Starts measuring the compressed size at once, so it runs while the container starts and is
 * probed (`running`, the run-and-wait stage): on worker threads at the lowest CPU priority, it only
 * takes what the app's startup leaves. The rest (docker calls, the compare-to pull, the
 * compare-stages build) waits until the run is over, as before. If the run fails, the measuring
 * stops and this resolves with nothing measured: it never rejects before `running` settles.
 */
export async function measureSizes(ctx: RunContext, inputs: SizeInputs, image: string, running: Promise<unknown> = Promise.resolve()): Promise<SizeResult> {
  const { docker } = ctx
  const stop = new AbortController()
  const saved = readImage(ctx, inputs, image, stop.signal)
  try {
    await running
  } catch {
    stop.abort()
    await saved
    return { image: {} }
  }
  try {
    const result: SizeResult = { image: { store: await imageStore(docker) } }
    const layers = await layerHistory(docker, image)
    result.image.largestLayers = largest(layers)
    const { sizes, contents } = await saved
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
    if (inputs.compareStages) result.stages = await measureFirstStage(ctx, inputs)
    return result
  } finally {
    stop.abort() // an engine error before the compressed size was in: no docker save left running
  }
}

interface Saved {
  sizes: Pick<Report['image'], 'compressedSize' | 'compressedBy'>
  contents?: Contents
}

/**
 * One `docker save` pass: the compressed size (with compressed-size) and what the layers hold (the
 * contents check, always). Nothing (and a warning) when the image could not be read.
 */
async function readImage(ctx: RunContext, inputs: SizeInputs, image: string, signal: AbortSignal): Promise<Saved> {
  // bench/contents.ts times the run without the scan; nothing else turns it off
  const scan = process.env.IMAGE_GATE_BENCH_NO_SCAN === '1' ? undefined : { forbid: globs(inputs.forbidPaths) }
  if (!inputs.compressedSize && !scan) return { sizes: {} }
  const started = Date.now()
  let measured: CompressedSize
  try {
    measured = await compressedSize(ctx.docker, image, { signal, compress: inputs.compressedSize, scan })
  } catch (err) {
    if (signal.aborted) return { sizes: {} }
    const what = inputs.compressedSize ? 'measure the compressed size or read the layers' : 'read the layers'
    ctx.sink.warning(`image-gate could not ${what}: ${(err as Error).message}`)
    return { sizes: {}, contents: scan && notScanned(`docker save failed: ${(err as Error).message}`) }
  }
  const how = inputs.compressedSize ? `compressed size ${measured.compressed} B (zlib level ${measured.level}, ${measured.threads} worker thread(s) at nice ${measured.nice})` : 'not compressed'
  const contents = scan && contentsOf(measured, inputs)
  const files = contents?.files !== undefined ? `, ${contents.files} files scanned` : ''
  ctx.sink.debug(`docker save read in ${((Date.now() - started) / 1000).toFixed(2)} s: ${measured.layers.length} layers, ${how}${files}`)
  const sizes: Saved['sizes'] = inputs.compressedSize ? { compressedSize: measured.compressed, compressedBy: measured.alreadyCompressed ? 'store' : 'zlib' } : {}
  return { sizes, contents }
}

/** The contents findings, each layer named by the instruction that made it. */
export function contentsOf(measured: CompressedSize, inputs: Pick<SizeInputs, 'allowPaths'>): Contents {
  const { layers = [], history = [] } = measured.scanned ?? {}
  if (layers.length > 0 && layers.every(facts => facts === undefined)) {
    const why = measured.alreadyCompressed ? 'the containerd image store keeps the layers compressed' : 'no layer of the image could be read as a tar'
    return notScanned(`not scanned: ${why}`)
  }
  // history entries that made a layer pair with the layers in order; a base image without
  // history leaves the first layers unnamed
  const offset = layers.length - history.length
  const named = layers.map((facts, i) => ({ facts, instruction: i >= offset ? instructionOf(history[i - offset]) : '(base image)' }))
  return assembleContents(named, globs(inputs.allowPaths))
}

/** A contents result that says why the layers were not read. */
function notScanned(why: string): Contents {
  return { notScanned: why, findings: [], count: 0, allowed: 0 }
}

/** "containerd" when the engine keeps images in the containerd image store (Docker 24+ opt-in, 29+ default). */
async function imageStore(docker: Docker): Promise<'classic' | 'containerd'> {
  const info = await docker.call(['info', '--format', '{{json .DriverStatus}}'])
  return /io\.containerd\.snapshotter/.test(info.stdout) ? 'containerd' : 'classic'
}

/** The layers that hold bytes, newest first, with the instruction that made each. */
async function layerHistory(docker: Docker, image: string): Promise<Layer[]> {
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

/** The largest layers, newest first among equals (the sort is stable). */
function largest(layers: Layer[]): Layer[] {
  return [...layers].sort((a, b) => b.size - a.size).slice(0, TOP_LAYERS)
}

/**
 * Pairs each layer with the baseline's layer made by the same instruction (one to one, in order,
 * so an instruction used twice pairs twice), and finds the instruction whose layers grew the most:
 * "+38 MB compared with main, most of it from RUN npm ci". An instruction the change rewrote
 * counts as new, and the old one as removed.
 */
export function compareLayers(layers: Layer[], baseline: Layer[]): { layers: Layer[]; growth?: { instruction: string; bytes: number } } {
  const unpaired = new Map<string, number[]>()
  for (const { instruction, size } of baseline) unpaired.set(instruction, [...(unpaired.get(instruction) ?? []), size])
  const paired = layers.map(layer => ({ ...layer, before: unpaired.get(layer.instruction)?.shift() ?? 0 }))
  const change = new Map<string, number>()
  for (const { instruction, size } of layers) change.set(instruction, (change.get(instruction) ?? 0) + size)
  for (const { instruction, size } of baseline) change.set(instruction, (change.get(instruction) ?? 0) - size)
  let growth: { instruction: string; bytes: number } | undefined
  for (const [instruction, bytes] of change) if (bytes > 0 && bytes > (growth?.bytes ?? 0)) growth = { instruction, bytes }
  return { layers: paired, growth }
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

/** The baseline's sizes and its layers (to compare layer by layer); layers are [] when it failed. */
async function measureBaseline(docker: Docker, inputs: SizeInputs): Promise<{ baseline: NonNullable<Report['baseline']>; layers: Layer[] }> {
  const ref = inputs.compareTo
  const inspect = ['image', 'inspect', '--format', '{{.Size}}', ref]
  const local = await docker.call(inspect)
  const pulled = local.exitCode !== 0
  if (pulled) {
    // not local: pull it (a release tag or the base branch's image in a registry)
    const pull = await docker.call(['pull', '--quiet', ref], { long: true })
    if (pull.exitCode !== 0) {
      return { layers: [], baseline: { ref, error: `the pull failed (${lastLine(pull.stderr)}); check the reference, and for a private registry log in before image-gate (docker/login-action)` } }
    }
  }
  try {
    const size = Number((pulled ? await docker.ok(inspect) : local.stdout).trim())
    const baseline: NonNullable<Report['baseline']> = { ref, size }
    if (inputs.compressedSize) baseline.compressedSize = await compressedSize(docker, ref).then(m => m.compressed, () => undefined)
    return { baseline, layers: await layerHistory(docker, ref) }
  } finally {
    // pulled only to be measured: leave the host as it was (layers the built image shares stay)
    if (pulled) await docker.call(['image', 'rm', ref])
  }
}

/** Builds the first stage (or build-stage) to show what the multi-stage build saves. */
async function measureFirstStage(ctx: RunContext, inputs: SizeInputs): Promise<NonNullable<Report['stages']>> {
  const stage = inputs.buildStage || firstStageName(readFileSync(inputs.file, 'utf8'))
  if (!stage) return { error: 'the first stage has no name (FROM image AS name); set build-stage' }
  const built = await ctx.sink.group(`Build stage ${stage} (compare-stages)`, () => buildImage(ctx, { ...inputs, target: stage, cacheTo: [] }, []))
  if (!built.ok || !built.id) return { stage, error: `building stage ${stage} failed` }
  const [size, tags] = (await ctx.docker.ok(['image', 'inspect', '--format', '{{.Size}} {{len .RepoTags}}', built.id])).trim().split(' ')
  // Only measured: leave nothing behind. An image with tags was someone's before this build
  // (the same content, cached): leave that one alone.
  if (tags === '0') await ctx.docker.call(['image', 'rm', built.id])
  return { stage, size: Number(size) }
}

export function firstStageName(dockerfile: string): string | undefined {
  const from = DockerfileParser.parse(dockerfile).getFROMs()[0]
  return from?.getBuildStage() ?? undefined
}
