import { readFileSync } from 'node:fs'
import { DockerfileParser } from 'dockerfile-ast'
import type { RunContext } from '../context.js'
import { lastLine, type Docker } from '../docker/docker.js'
import type { Layer, PlatformRun } from '../report/report.js'
import { buildImage, type BuildInputs } from './build.js'
import { sizeAndLayers } from '../saved/layers.js'
import type { Inputs } from '../inputs/inputs.js'

// What the image is compared with: a baseline image (compare-to: a release, the base branch's
// image) and the first build stage (compare-stages: what the multi-stage build saves). Each is
// measured in the same kind of bytes as the image itself (saved/layers.ts), on either image store.

export type CompareInputs = BuildInputs & Pick<Inputs, 'compressedSize' | 'compareTo' | 'buildStage'>

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

// What a registry and the engine say of a reference that is not there: the tag (MANIFEST_UNKNOWN),
// the repository (NAME_UNKNOWN), or containerd's resolver ("...: not found"). "denied" or "may
// require 'docker login'" are not among them: those may be a login that is missing.
const NOT_THERE = /manifest unknown|name unknown|repository name not known|: not found$|\bnot found: manifest unknown/i

/** The baseline's sizes and its layers (to compare layer by layer); layers are [] when it failed. */
export async function measureBaseline(docker: Docker, inputs: CompareInputs): Promise<{ baseline: NonNullable<PlatformRun['baseline']>; layers: Layer[] }> {
  const ref = inputs.compareTo
  const local = await docker.call(['image', 'inspect', '--format', '{{.Id}}', ref])
  const pulled = local.exitCode !== 0
  if (pulled) {
    // not local: pull it (a release tag or the base branch's image in a registry), for the platform
    // this run gates (each of several platforms is compared with its own)
    const platform = inputs.platform ? ['--platform', inputs.platform] : []
    const pull = await docker.call(['pull', '--quiet', ...platform, ref], { long: true })
    if (pull.exitCode !== 0) {
      const why = lastLine(pull.stderr)
      if (NOT_THERE.test(why)) return { layers: [], baseline: { ref, missing: why, error: `it does not exist yet (${why})` } }
      return { layers: [], baseline: { ref, error: `the pull failed (${why}); check the reference, and for a private registry log in before image-gate (docker/login-action)` } }
    }
  }
  try {
    const { size, layers, compressed, unread } = await sizeAndLayers(docker, ref, inputs.compressedSize)
    return { baseline: { ref, size, compressedSize: compressed, ...(unread.length > 0 && { unreadLayers: unread }) }, layers }
  } catch (err) {
    return { layers: [], baseline: { ref, error: `it could not be measured (${(err as Error).message})` } }
  } finally {
    // pulled only to be measured: leave the host as it was (layers the built image shares stay)
    if (pulled) await docker.call(['image', 'rm', ref])
  }
}

/** Builds the first stage (or build-stage) to show what the multi-stage build saves. */
export async function measureFirstStage(ctx: RunContext, inputs: CompareInputs): Promise<NonNullable<PlatformRun['firstStage']>> {
  const stage = inputs.buildStage || firstStageName(readFileSync(inputs.file, 'utf8'))
  if (!stage) return { error: 'the first stage has no name (FROM image AS name); set build-stage' }
  const built = await ctx.sink.group(`Build stage ${stage} (compare-stages)`, () => buildImage(ctx, { ...inputs, target: stage, cacheTo: [] }, []))
  if (!built.ok || !built.id) return { stage, error: `building stage ${stage} failed` }
  try {
    return { stage, size: (await sizeAndLayers(ctx.docker, built.id, false)).size }
  } catch (err) {
    return { stage, error: `stage ${stage} could not be measured (${(err as Error).message})` }
  } finally {
    // Only measured: leave nothing behind. An image with tags was someone's before this build
    // (the same content, cached): leave that one alone.
    const tags = await ctx.docker.call(['image', 'inspect', '--format', '{{len .RepoTags}}', built.id])
    if (tags.stdout.trim() === '0') await ctx.docker.call(['image', 'rm', built.id])
  }
}

export function firstStageName(dockerfile: string): string | undefined {
  const from = DockerfileParser.parse(dockerfile).getFROMs()[0]
  return from?.getBuildStage() ?? undefined
}
