import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import type { RunContext } from '../context.js'
import { plain } from '../strip-escapes.js'
import { maskBuildOutput, maskedStream } from '../build-output/build-log.js'
import { buildWarnings, WARNINGS_ENV } from '../build-output/build-warnings.js'
import { thrownError } from '../build-output/tracebacks.js'
import { EngineError } from '../docker/docker.js'
import type { Builder } from '../docker/engine.js'
import { InputError, type Inputs } from '../inputs/inputs.js'
import type { BuildWarning, PlatformRun } from '../report/report.js'
import { round } from '../units.js'

// Stage 1: `docker buildx build --load`, so the image lands in the engine and can be run.

const LOG_TAIL_LINES = 30

/** Writes each secret value to a file of its own (mode 600) for --secret; buildx reads it from there. */
export type BuildInputs = Pick<
  Inputs,
  'builder' | 'file' | 'target' | 'buildArgs' | 'labels' | 'secrets' | 'secretFiles' | 'noCache' | 'pull' | 'network' | 'cacheFrom' | 'cacheTo' | 'context' | 'provenance' | 'sbom'
> & {
  /** the one platform this build is for (one of platforms), or '' for the engine's */
  platform: string
  /** the annotations input's manifest levels, as buildx takes them, where the engine's store keeps them (rules/annotations.ts) */
  buildAnnotations?: string[]
}

/** What the build stage found: the report's build section, and the image's id when it built. */
export type BuildResult = PlatformRun['build'] & { id?: string }

export function secretArgs(inputs: BuildInputs, dir: string): string[] {
  const args: string[] = []
  inputs.secrets.forEach(({ id, value }, i) => {
    const file = path.join(dir, `secret-${i}`)
    writeFileSync(file, value, { mode: 0o600 })
    args.push('--secret', `id=${id},src=${file}`)
  })
  for (const { id, path: file } of inputs.secretFiles) args.push('--secret', `id=${id},src=${file}`)
  return args
}

export function buildArgs(inputs: BuildInputs, tags: string[], iidFile: string, metadataFile: string, secrets: string[] = []): string[] {
  const args = ['buildx', 'build']
  if (inputs.builder) args.push('--builder', inputs.builder)
  args.push('--load', '--progress', 'plain', '--iidfile', iidFile, '--metadata-file', metadataFile)
  args.push('--file', inputs.file)
  if (inputs.target) args.push('--target', inputs.target)
  for (const arg of inputs.buildArgs) args.push('--build-arg', arg)
  for (const label of inputs.labels) args.push('--label', label)
  args.push(...secrets)
  for (const tag of tags) args.push('--tag', tag)
  if (inputs.noCache) args.push('--no-cache')
  if (inputs.pull) args.push('--pull')
  if (inputs.platform) args.push('--platform', inputs.platform)
  if (inputs.network) args.push('--network', inputs.network)
  for (const from of inputs.cacheFrom) args.push('--cache-from', from)
  for (const to of inputs.cacheTo) args.push('--cache-to', to)
  // as build-push-action passes them: the attestations go into the image the engine stores (and pushes)
  if (inputs.provenance) args.push(`--provenance=${inputs.provenance}`)
  if (inputs.sbom) args.push(`--sbom=${inputs.sbom}`)
  for (const annotation of inputs.buildAnnotations ?? []) args.push('--annotation', annotation)
  args.push(inputs.context)
  return args
}

export async function build(ctx: RunContext, inputs: BuildInputs, tags: string[], builder: Builder): Promise<BuildResult> {
  const result = await ctx.sink.group(inputs.platform ? `Build (${inputs.platform})` : 'Build', () => buildImage(ctx, inputs, tags))
  // BuildKit's build checks: only where the builder reported any (buildx 0.15 and later)
  const warnings = result.warnings.length > 0 ? { warnings: result.warnings } : {}
  if (!result.ok) {
    const failure = explainFailure(result.output)
    // before CANNOT_LOAD, which its "not supported for the docker driver" also matches
    if (failure.error && /attestation is not supported/i.test(failure.error)) throw new InputError(noAttestations(builder, failure.error))
    if (failure.error && CANNOT_LOAD.test(failure.error)) throw new EngineError(cannotLoad(builder, `buildx says: ${failure.error}`))
    return { ok: false, seconds: result.seconds, ...failure, ...warnings }
  }
  // A builder bound to another engine (the docker driver of another context, a remote node) builds
  // and "loads" fine, but into that engine: running the image here would only say "No such image".
  const ref = result.id ?? tags[0]
  const here = await ctx.docker.call(['image', 'inspect', '--format', '{{.Id}}', ref])
  if (here.exitCode !== 0) throw new EngineError(cannotLoad(builder, `${ref} is not in this engine after the build`))
  return { ok: true, seconds: result.seconds, id: result.id, ...warnings }
}

/**
 * buildx refusing to build into this engine: a driver without a Docker exporter, or the docker
 * driver of another context ("use `docker --context=other buildx` to switch to context ...").
 */
const CANNOT_LOAD = /docker exporter|exporter .*not (currently )?supported|not supported for the \S+ driver|to switch to context/i

function cannotLoad(builder: Builder, what: string): string {
  const where = builder.endpoint ? `, endpoint ${builder.endpoint}` : ''
  return (
    `the buildx builder "${builder.name}" (driver ${builder.driver}${where}) cannot load the image into the Docker engine this run uses (${what}). ` +
    'Use a builder on this engine: leave builder empty for the current context\'s default, or create one with docker/setup-buildx-action (driver docker-container) on the same context.'
  )
}

/** provenance or sbom given to a builder that cannot keep attestations in a loaded image (the docker driver on the classic store). */
function noAttestations(builder: Builder, said: string): string {
  return (
    `Inputs "provenance" and "sbom": the buildx builder "${builder.name}" (driver ${builder.driver}) cannot keep attestations in the image it loads into this engine (buildx says: ${said}). ` +
    'Leave provenance and sbom empty (or false), or turn on the containerd image store.'
  )
}

export interface Built {
  ok: boolean
  seconds: number
  id?: string
  /** buildx's output, for explaining a failure */
  output: string
  /** BuildKit's build checks, from the metadata file */
  warnings: BuildWarning[]
}

/** One `buildx build --load`, its output streamed to the log. */
export async function buildImage(ctx: RunContext, inputs: BuildInputs, tags: string[]): Promise<Built> {
  const dir = ctx.tempDir('build')
  const log = ctx.sink.stream()
  // the log is masked as it streams, the output once it is whole (build-output/build-log.ts)
  const shown = maskedStream(ctx.secrets, text => log.write(Buffer.from(text)))
  try {
    const iidFile = path.join(dir, 'iid')
    const metadataFile = path.join(dir, 'metadata.json')
    const started = Date.now()
    // the secret files live in the build's temp dir, removed with it below
    const args = buildArgs(inputs, tags, iidFile, metadataFile, secretArgs(inputs, dir))
    // BUILDX_METADATA_WARNINGS: buildx writes the build checks' warnings into the metadata file too
    const result = await ctx.docker.call(args, { long: true, onOutput: shown.write, env: WARNINGS_ENV })
    const seconds = round((Date.now() - started) / 1000)
    const output = maskBuildOutput(`${result.stdout}\n${result.stderr}`, ctx.secrets)
    const metadata = readMetadata(metadataFile)
    const warnings = ctx.secrets.maskStrings(buildWarnings(metadata))
    if (result.exitCode !== 0) return { ok: false, seconds, output, warnings }
    return { ok: true, seconds, output, warnings, id: readImageId(iidFile, metadata) }
  } finally {
    shown.end()
    log.end()
    rmSync(dir, { recursive: true, force: true })
  }
}

function readImageId(iidFile: string, metadata: Record<string, unknown>): string | undefined {
  const iid = safeRead(iidFile).trim()
  if (iid) return iid
  // Some builders leave the iidfile empty with --load; the metadata file has the config digest.
  const digest = metadata['containerimage.config.digest'] || metadata['containerimage.digest']
  return typeof digest === 'string' && digest ? digest : undefined
}

/** The metadata file buildx wrote, or {} when it wrote none (a failed build) or not JSON. */
function readMetadata(file: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(safeRead(file) || '{}')
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function safeRead(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/**
 * Finds, in buildx's plain progress output, the step that failed and the error it ended with.
 * A failed RUN step is echoed back as " > [stage 3/6] RUN npm run build:" between dashed lines;
 * the whole build ends with "ERROR: failed to solve: ..." (older buildx: "error: failed to solve"; buildx 0.2x: "ERROR: failed to build: failed to solve: ...").
 */
export function explainFailure(output: string): { failedStep?: string; error?: string; cause?: string; logTail: string[] } {
  const lines = output.split('\n').map(l => l.replace(/\r$/, ''))
  let failedStep: string | undefined
  let error: string | undefined
  for (const line of lines) {
    const step = /^ > (\[.+?\] .+):$/.exec(line)
    if (step) failedStep = step[1]
    if (/^(ERROR|error): /.test(line)) error = line.replace(/^(ERROR|error): /, '')
  }
  if (!failedStep && error && /dockerfile parse error|failed to read dockerfile|parse error/i.test(error)) {
    failedStep = 'reading the Dockerfile'
  }
  const meaningful = lines.filter(l => l.trim() !== '')
  const cause = failedStep ? tellingLine(stepOutput(lines, failedStep)) : undefined
  return { failedStep, error, ...(cause && { cause }), logTail: meaningful.slice(-LOG_TAIL_LINES) }
}

/** One line of build output for a one-line cell: plain as a terminal shows it (src/strip-escapes.ts), tabs and newlines as spaces. */
export const oneLine = (line: string): string => plain(line).replace(/[\t\n]/g, ' ')

/**
 * What the failed step printed: buildx's plain progress prefixes each line of a step's output with
 * `#N ` and the seconds since it started (`#9 3.201 npm error ...`), N being the number of the
 * `#N [build 4/6] RUN npm ci` header that names the step. Its status lines (`#9 ERROR: ...`,
 * `#9 DONE`) carry no time and are left out. Where no such lines are (an older printer), the step's
 * excerpt buildx repeats between dashed lines after ` > [build 4/6] RUN npm ci:`. A `\r` inside a
 * line (a progress bar) leaves what the terminal would show: the text after the last one. Leading
 * spaces stay: a Python traceback's layout is in its indentation.
 */
export function stepOutput(lines: string[], failedStep: string): string[] {
  const numbers = new Set<string>()
  for (const line of lines) {
    const header = /^#(\d+) (.*)$/.exec(line)
    if (header?.[2] === failedStep) numbers.add(header[1])
  }
  // a header spelt otherwise than the excerpt: the step that reported its own failure
  if (numbers.size === 0) for (const l of lines) if (/^#\d+ ERROR: (?!.*context canceled)/.test(l)) numbers.add(l.slice(1, l.indexOf(' ')))
  const own = lines.flatMap(l => {
    const m = /^#(\d+) \d+\.\d+ (.*)$/s.exec(l)
    return m && numbers.has(m[1]) ? [m[2]] : []
  })
  const start = lines.indexOf(` > ${failedStep}:`)
  const excerpt = start < 0 ? [] : lines.slice(start + 1, lines.indexOf('------', start)).map(l => l.replace(/^\d+\.\d+ /, ''))
  return (own.length > 0 ? own : excerpt).map(l => l.split('\r').map(oneLine).filter(t => t.trim()).pop()?.trimEnd() ?? '')
}

/** Lines that report, never cause: warnings, and the package managers' wrap-up of a failed script. */
const NOT_A_CAUSE =
  /^(npm (warn|WARN)|warn(ing)?\b|WARN\b)|^npm (error|ERR!) (code|errno|syscall|path|dest|command|workspace|location|signal|type)\b|^npm (error|ERR!)( \d+)?\s*$|Lifecycle script|A complete log of this run|Command failed with exit code|ELIFECYCLE|^info Visit |exited with (exit )?code/i

/**
 * The rules for the most telling line, in order: the first line a rule matches wins, and an earlier
 * rule beats a later one whatever the order of the lines. A compiler's diagnostic is the cause
 * even when the program that ran it crashes after; an uncaught error comes next, read as its
 * language prints it (build-output/tracebacks.ts: a chained Python traceback names its cause last); a package
 * manager's own error comes before the generic words, which also match its fallout.
 */
const COMPILER =
  // tsc, gcc/clang/rustc (`file:1:2: error:`, `error[E0425]:`), esbuild, Go (`./main.go:8:2: undefined: foo`)
  /\berror TS\d+:|:\d+(:\d+)?: (fatal )?error:|^error\[E\d+\]:|\[ERROR\]|^(\.{1,2}\/)?[^\s:]+\.go:\d+:\d+: \S/
const TELLING: RegExp[] = [
  // npm (`npm error` since npm 10, `npm ERR!` before), pnpm (`ERR_PNPM_FETCH_404`), yarn 1 (`error ...`)
  // and yarn 2+ errors (`YN0035: Package not found`, `YN0028: The lockfile would have been modified`)
  /^npm (error|ERR!) |\bERR_PNPM_\w+|^error |\bYN00(01|09|18|28|35|41|82)\b/,
  // anything else that says what went wrong
  /ERR!|error:|\bnot found\b|permission denied|no such file or directory|\bfatal:|^E: |\bcannot find\b/i
]

/** The most telling error line of a step's output (at most 300 characters), or undefined. */
export function tellingLine(output: string[]): string | undefined {
  const candidates = output.map(l => l.trim()).filter(l => l !== '' && !NOT_A_CAUSE.test(l))
  const line = candidates.find(l => COMPILER.test(l)) ?? thrownError(output) ?? firstMatch(candidates)
  if (!line) return undefined
  return line.length > 300 ? `${line.slice(0, 299)}…` : line
}

function firstMatch(candidates: string[]): string | undefined {
  for (const rule of TELLING) {
    const line = candidates.find(l => rule.test(l))
    if (line) return line
  }
  return undefined
}

/** Without `tags`, a local name from the repository and commit, e.g. image-gate/octo-app:1a2b3c4d5e6f. */
export async function defaultTag(ctx: RunContext, inputs: Pick<Inputs, 'context' | 'target'>, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const repo = env.GITHUB_REPOSITORY || path.basename(inputs.context)
  const name = repo
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '') || 'image'
  let commit = env.GITHUB_SHA?.slice(0, 12) ?? ''
  if (!commit) {
    // bounded: a git call is a nicety for the tag, never worth a hang
    const git = await ctx.processes.run('git', ['-C', inputs.context, 'rev-parse', '--short=12', 'HEAD'], { limitMs: 10_000 }).catch(() => ({
      exitCode: 1,
      stdout: ''
    }))
    commit = git.exitCode === 0 ? git.stdout.trim() : 'local'
  }
  const target = inputs.target ? `-${inputs.target.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}` : ''
  return `image-gate/${name}:${commit}${target}`.slice(0, 200)
}
