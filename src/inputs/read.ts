import { existsSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { resolveDockerfile, stageNames } from '../dockerfile/places.js'
import { inputError, InputError, type Scope } from './parse.js'
import { fallback, fieldOf, INPUT_NAMES, row, type InputName, type Inputs } from './table.js'

// Every input is read and validated here, before anything runs: each through its parser in the
// table, then the checks that need more than one input or the file system.

export type InputSource = ((name: string) => string) & {
  /** the names of the inputs the user gave, where the source can tell (a typo must not pass unseen) */
  given?: () => string[]
}

const ignore = () => {}

/**
 * `mask` is called with each secret value and the token as soon as they are read, so the caller
 * can hide them in its log (the action: core.setSecret).
 */
export function readInputs(source: InputSource, cwd = process.cwd(), mask: (secret: string) => void = ignore): Inputs {
  refuseUnknown(source.given?.() ?? [])
  const input = (name: InputName): string => source(name).trim() || fallback(name)
  const inputs = parseAll(input, { cwd, mask })
  // comment-from builds nothing, so it needs no context
  if (!inputs.commentFrom) {
    // `Dockerfile`, else `dockerfile`, as buildx reads it; from here on every stage names that file
    inputs.file = resolveDockerfile(inputs.file)
    checkBuildPaths(inputs, input('context'), input('file'))
    checkTarget(inputs.target, inputs.file)
  }
  if (inputs.sizeBasis === 'compressed' && !inputs.compressedSize) {
    throw new InputError('Input "size-basis: compressed" needs compressed-size: true.', '--size-basis compressed needs --compressed-size.')
  }
  if (inputs.maxSizeIncrease && !inputs.compareTo) {
    throw new InputError('Input "max-size-increase" needs compare-to: the image to compare with.', '--max-size-increase needs --compare-to: the image to compare with.')
  }
  if (inputs.runUser && inputs.runProfile === 'openshift') {
    // OpenShift's restricted-v2 runs every image as the project's UID: a user of one's own is what it ignores
    throw new InputError('Input "run-user" cannot be given with run-profile: openshift, which runs the container as the project\'s UID in group 0.', '--run-user cannot be given with --run-profile openshift.')
  }
  if (inputs.push && inputs.tags.length === 0) {
    // the default tag is a local name: pushing it would go to Docker Hub's image-gate/ namespace
    throw new InputError('Input "push" needs tags: where to push the image, e.g. ghcr.io/OWNER/app:1.2.0.', '--push needs --tags: where to push the image.')
  }
  const self = inputs.compareTo && inputs.tags.find(tag => sameRef(tag, inputs.compareTo))
  if (self) {
    // the build tags the new image with it before the comparison: it would be compared with itself
    throw new InputError(
      `Input "compare-to" is one of tags (${self}): the new image gets that tag before it is compared, so it would be compared with itself. Compare with the last release by its own tag (e.g. the previous version), not one this run tags.`,
      `--compare-to is one of --tags (${self}): the new image would be compared with itself.`
    )
  }
  return inputs
}

/** "app", "app:latest", "docker.io/library/app:latest" name one image; so do two equal digests. */
function sameRef(a: string, b: string): boolean {
  const normal = (ref: string) => {
    const named = ref.replace(/^(docker\.io|index\.docker\.io)\//, '').replace(/^library\//, '')
    return /[:@][^/]*$/.test(named) ? named : `${named}:latest`
  }
  return normal(a) === normal(b)
}

/** Every input at its default, as readInputs would give it, without a source or the file system. */
export function defaultInputs(cwd = process.cwd()): Inputs {
  return parseAll(fallback, { cwd, mask: ignore })
}

function parseAll(value: (name: InputName) => string, { cwd, mask }: Omit<Scope, 'name'>): Inputs {
  const fields: Record<string, unknown> = {}
  for (const name of INPUT_NAMES) {
    const parsed = row(name).parse(value(name), { name, cwd, mask })
    // an optional input that is not set is left out, as its optional field says
    if (parsed !== undefined) fields[fieldOf(name)] = parsed
  }
  const inputs = fields as Inputs
  if (!inputs.file) inputs.file = path.join(inputs.context, 'Dockerfile')
  return inputs
}

function checkBuildPaths({ context, file }: Inputs, contextInput: string, fileInput: string): void {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw inputError('context', `must be a directory holding the build context; "${contextInput}" is not one.`)
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    if (fileInput) throw inputError('file', `must name a Dockerfile; "${fileInput}" does not exist.`)
    const missing = `No Dockerfile in the context "${contextInput}" (neither Dockerfile nor dockerfile): add one, or set`
    throw new InputError(`${missing} the input "file".`, `${missing} --file.`)
  }
}

/** A target must be a stage of the Dockerfile: say so before building, with the stages it has. */
function checkTarget(target: string, file: string): void {
  if (!target) return
  const stages = stageNames(readFileSync(file, 'utf8'))
  if (stages.includes(target.toLowerCase())) return
  const known = stages.length ? `its stages are ${stages.join(', ')}` : 'it has no named stages (FROM image AS name)'
  throw inputError('target', `must name a stage of ${path.basename(file)}; "${target}" is not one (${known}).`)
}

// The runner only warns about a `with:` key the action does not declare, and a gate whose
// max_size was silently ignored does not gate: refuse it, with the name that was meant.
function refuseUnknown(given: string[]): void {
  for (const name of given) {
    if ((INPUT_NAMES as string[]).includes(name)) continue
    const meant = closest(name)
    throw new InputError(`Input "${name}" is not an input of image-gate; ${meant ? `did you mean "${meant}"?` : 'the README lists every input.'}`)
  }
}

/**
 * The name meant by max_size, MaxSize or max-szie, among `names` (the inputs; the command line
 * passes its options); undefined when none is close.
 */
export function closest(name: string, names: readonly string[] = INPUT_NAMES): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  return names.find(k => plain(k) === plain(name)) ?? names.find(k => editDistance(plain(k), plain(name)) <= 2)
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(previous[j] + 1, next[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    previous = next
  }
  return previous[b.length]
}
