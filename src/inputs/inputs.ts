import * as core from '@actions/core'
import { existsSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { parse as parseShellWords } from 'shell-quote'
import { stageNames } from '../docker/dockerfile.js'
import { INCREASE_FORM, parseIncrease, parseSize, SIZE_FORM } from '../bytes.js'

// Every input is read and validated here, before anything runs. A bad value is an InputError:
// one line naming the input and the form it expects, never a stack trace.

export class InputError extends Error {}

export interface Inputs {
  context: string
  file: string
  target: string
  buildArgs: string[]
  labels: string[]
  tags: string[]
  /** build secrets: id and value (masked in the log), or id and a file */
  secrets: { id: string; value: string }[]
  secretFiles: { id: string; path: string }[]
  noCache: boolean
  pull: boolean
  builder: string
  platform: string
  network: string
  cacheFrom: string[]
  cacheTo: string[]
  env: string[]
  command?: string[]
  healthTimeout: number
  healthCmd: string
  fastHealth: boolean
  maxStartupTime?: number
  /** each a command (words) run in its own container from the image */
  smokeCommands: string[][]
  smokeSeconds: number
  requireHealthcheck: boolean
  maxSize?: { text: string; bytes: number }
  compressedSize: boolean
  sizeBasis: 'uncompressed' | 'compressed'
  compareTo: string
  maxSizeIncrease?: { text: string; limit: { percent: number } | { bytes: number } }
  compareStages: boolean
  buildStage: string
  requireNonRoot: boolean
  /** the whole run's limit, seconds */
  timeout: number
  /** how long one short Docker call may take, seconds */
  callTimeout: number
  fail: boolean
  summary: boolean
  comment: boolean
  commentKey: string
  githubToken: string
  /** comment-only mode: post the comment for this report file, build nothing */
  commentFrom: string
}

/** Defaults, also declared in action.yml (a unit test keeps the two equal). */
export const DEFAULTS: Record<string, string> = {
  context: '.',
  file: '',
  target: '',
  'build-args': '',
  labels: '',
  tags: '',
  secrets: '',
  'secret-files': '',
  'no-cache': 'false',
  pull: 'false',
  builder: '',
  platforms: '',
  network: '',
  'cache-from': '',
  'cache-to': '',
  env: '',
  command: '',
  'health-timeout': '120',
  'health-cmd': '',
  'fast-health': 'true',
  'max-startup-time': '',
  'smoke-commands': '',
  'smoke-seconds': '5',
  'require-healthcheck': 'true',
  'max-size': '',
  'compressed-size': 'true',
  'size-basis': 'uncompressed',
  'compare-to': '',
  'max-size-increase': '',
  'compare-stages': 'false',
  'build-stage': '',
  'require-non-root': 'true',
  timeout: '1800',
  'call-timeout': '30',
  fail: 'true',
  summary: 'true',
  comment: 'true',
  'comment-key': '',
  // action.yml defaults this to ${{ github.token }}, which only the runner can evaluate
  'github-token': '',
  'comment-from': ''
}

export type InputSource = ((name: string) => string) & {
  /** the names of the inputs the user gave, where the source can tell (a typo must not pass unseen) */
  given?: () => string[]
}

/** On the runner, inputs come from INPUT_* variables: one per input of action.yml, and one per `with:` key. */
export const actionInputs: InputSource = Object.assign((name: string) => core.getInput(name), {
  given: () => Object.keys(process.env).filter(key => key.startsWith('INPUT_')).map(key => key.slice('INPUT_'.length).toLowerCase())
})

export function readInputs(source: InputSource = actionInputs, cwd = process.cwd()): Inputs {
  // The runner only warns about a `with:` key the action does not declare, and a gate whose
  // max_size was silently ignored does not gate: refuse it, with the name that was meant.
  for (const name of source.given?.() ?? []) {
    if (!(name in DEFAULTS)) {
      const meant = closest(name)
      throw new InputError(`Input "${name}" is not an input of image-gate; ${meant ? `did you mean "${meant}"?` : 'the README lists every input.'}`)
    }
  }
  const get = (name: string): string => {
    const value = source(name).trim()
    return value === '' ? DEFAULTS[name] ?? '' : value
  }
  const commentFrom = get('comment-from') && path.resolve(cwd, get('comment-from'))
  if (commentFrom && !existsSync(commentFrom)) {
    throw new InputError(`Input "comment-from" must name a report file written by image-gate; "${get('comment-from')}" does not exist.`)
  }
  const context = path.resolve(cwd, get('context'))
  const fileInput = get('file')
  const file = fileInput ? path.resolve(cwd, fileInput) : path.join(context, 'Dockerfile')
  // comment-from builds nothing, so it needs no context
  if (!commentFrom) {
    checkBuildPaths(context, file, get('context'), fileInput)
    checkTarget(get('target'), file)
  }

  const platforms = list(get('platforms'), true)
  if (platforms.length > 1) {
    throw new InputError(
      `Input "platforms" takes one platform, because the image is loaded into Docker and run; got ${platforms.length}: ${platforms.join(', ')}.`
    )
  }

  if (get('size-basis') === 'compressed' && get('compressed-size') === 'false') {
    throw new InputError('Input "size-basis: compressed" needs compressed-size: true.')
  }

  const env = list(get('env'))
  for (const line of env) {
    if (!/^[^=\s]+=/.test(line)) throw new InputError(`Input "env" takes one KEY=VALUE per line; "${line}" is not of that form.`)
  }

  return {
    context,
    file,
    target: get('target'),
    buildArgs: list(get('build-args')),
    labels: list(get('labels')),
    tags: list(get('tags'), true).map(tag => imageRef('tags', tag)),
    secrets: list(get('secrets')).map(line => secret('secrets', line, 'id=value')).map(([id, value]) => ({ id, value })),
    secretFiles: list(get('secret-files')).map(line => secret('secret-files', line, 'id=path')).map(([id, file]) => secretFile(id, file, cwd)),
    noCache: bool('no-cache', get('no-cache')),
    pull: bool('pull', get('pull')),
    builder: get('builder'),
    platform: platforms[0] ?? '',
    network: get('network') && oneOf('network', get('network'), ['default', 'none', 'host'] as const),
    cacheFrom: list(get('cache-from')),
    cacheTo: list(get('cache-to')),
    env,
    command: get('command') === '' ? undefined : words('command', get('command')),
    healthTimeout: seconds('health-timeout', get('health-timeout')),
    healthCmd: get('health-cmd'),
    fastHealth: bool('fast-health', get('fast-health')),
    maxStartupTime: get('max-startup-time') === '' ? undefined : seconds('max-startup-time', get('max-startup-time')),
    smokeCommands: list(get('smoke-commands')).map(line => words('smoke-commands', line)),
    smokeSeconds: seconds('smoke-seconds', get('smoke-seconds')),
    requireHealthcheck: bool('require-healthcheck', get('require-healthcheck')),
    maxSize: maxSize(get('max-size')),
    compressedSize: bool('compressed-size', get('compressed-size')),
    sizeBasis: oneOf('size-basis', get('size-basis'), ['uncompressed', 'compressed'] as const),
    compareTo: get('compare-to') && imageRef('compare-to', get('compare-to')),
    maxSizeIncrease: maxSizeIncrease(get('max-size-increase'), get('compare-to')),
    compareStages: bool('compare-stages', get('compare-stages')),
    buildStage: get('build-stage'),
    requireNonRoot: bool('require-non-root', get('require-non-root')),
    timeout: seconds('timeout', get('timeout')),
    callTimeout: seconds('call-timeout', get('call-timeout')),
    fail: bool('fail', get('fail')),
    summary: bool('summary', get('summary')),
    comment: bool('comment', get('comment')),
    commentKey: get('comment-key'),
    githubToken: token(get('github-token')),
    commentFrom
  }
}

/** A target must be a stage of the Dockerfile: say so before building, with the stages it has. */
function checkTarget(target: string, file: string): void {
  if (!target) return
  const stages = stageNames(readFileSync(file, 'utf8'))
  if (stages.includes(target.toLowerCase())) return
  const known = stages.length ? `its stages are ${stages.join(', ')}` : 'it has no named stages (FROM image AS name)'
  throw new InputError(`Input "target" must name a stage of ${path.basename(file)}; "${target}" is not one (${known}).`)
}

function checkBuildPaths(context: string, file: string, contextInput: string, fileInput: string): void {
  if (!existsSync(context) || !statSync(context).isDirectory()) {
    throw new InputError(`Input "context" must be a directory holding the build context; "${contextInput}" is not one.`)
  }
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new InputError(
      fileInput
        ? `Input "file" must name a Dockerfile; "${fileInput}" does not exist.`
        : `No Dockerfile in the context "${contextInput}": add one, or set the input "file".`
    )
  }
}

/** `id=value` (the value may contain "="); the value of a secret is masked in the log at once. */
function secret(name: string, line: string, form: string): [string, string] {
  const cut = line.indexOf('=')
  if (cut <= 0) throw new InputError(`Input "${name}" takes one ${form} per line; a line without "=" is not of that form.`)
  const value = line.slice(cut + 1)
  if (name === 'secrets') core.setSecret(value)
  return [line.slice(0, cut).trim(), value]
}

/** The input meant by max_size, MaxSize or max-szie; undefined when none is close. */
function closest(name: string): string | undefined {
  const plain = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  const known = Object.keys(DEFAULTS)
  return known.find(k => plain(k) === plain(name)) ?? known.find(k => editDistance(plain(k), plain(name)) <= 2)
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const next = [i]
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1))
    row = next
  }
  return row[b.length]
}

/** A secret file must exist now, so a typo is not first noticed as a RUN step failing without it. */
function secretFile(id: string, file: string, cwd: string): { id: string; path: string } {
  const resolved = path.resolve(cwd, file.trim())
  if (!existsSync(resolved) || !statSync(resolved).isFile()) {
    throw new InputError(`Input "secret-files" takes one id=path per line, with a file at path; "${file.trim()}" (for ${id}) is not a file.`)
  }
  return { id, path: resolved }
}

function token(value: string): string {
  // The runner masks github.token itself; a token passed any other way is masked here.
  if (value) core.setSecret(value)
  // never echo it: say only what is wrong
  if (/\s/.test(value)) throw new InputError('Input "github-token" must be a token without spaces, such as ${{ github.token }} or ${{ secrets.NAME }}; the value given has whitespace in it.')
  return value
}

// Docker's reference grammar (distribution/reference): [host[:port]/]name[:tag][@digest], where the
// name's path components are lowercase. Checked here so a typo is one line, not a failed build.
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?'
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REFERENCE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`)

function imageRef(name: string, value: string): string {
  if (REFERENCE.test(value) && value.length <= 255) return value
  throw new InputError(
    `Input "${name}" must be an image reference like app:1.2 or ghcr.io/owner/app:sha (lowercase name; tag of letters, digits, ".", "_", "-"); "${value}" is not one.`
  )
}

/** One item per line (and per comma where `commas`), as docker/build-push-action reads lists. */
function list(value: string, commas = false): string[] {
  return value
    .split(commas ? /[\n,]/ : /\n/)
    .map(item => item.trim())
    .filter(item => item !== '')
}

// The YAML 1.2 core schema words, as @actions/core accepts them, but with a one-line error.
function bool(name: string, value: string): boolean {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw new InputError(`Input "${name}" must be true or false; got "${value}".`)
}

function seconds(name: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InputError(`Input "${name}" must be a whole number of seconds, 1 or more; got "${value}".`)
  }
  return Number(value)
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new InputError(`Input "${name}" must be one of ${allowed.join(', ')}; got "${value}".`)
}

function maxSizeIncrease(value: string, compareTo: string): Inputs['maxSizeIncrease'] {
  if (value === '') return undefined
  const limit = parseIncrease(value)
  if (!limit) throw new InputError(`Input "max-size-increase" must be ${INCREASE_FORM}; got "${value}".`)
  if (!compareTo) throw new InputError('Input "max-size-increase" needs compare-to: the image to compare with.')
  return { text: value, limit }
}

function maxSize(value: string): Inputs['maxSize'] {
  if (value === '') return undefined
  const bytes = parseSize(value)
  if (bytes === undefined || bytes <= 0) throw new InputError(`Input "max-size" must be ${SIZE_FORM}; got "${value}".`)
  return { text: value, bytes }
}

/**
 * `command` (and each `smoke-commands` line) replaces the image's CMD. It is split into words like a
 * shell would split them (quotes group words), but never run by a shell: operators such as && or |
 * are refused, and $VARS stay literal. A JSON array (exec form) is taken as it is.
 */
function words(name: string, value: string): string[] {
  if (value.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      throw new InputError(`Input "${name}" starting with "[" must be a JSON array of strings, like ["node", "dist/worker.js"].`)
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(w => typeof w === 'string')) {
      throw new InputError(`Input "${name}" starting with "[" must be a non-empty JSON array of strings, like ["node", "dist/worker.js"].`)
    }
    return parsed as string[]
  }
  const args: string[] = []
  for (const word of parseShellWords(value, key => `$${key}`)) {
    if (typeof word !== 'string') {
      throw new InputError(
        `Input "${name}" is not run through a shell, so it cannot use shell operators; write it as sh -c '...' if you need one.`
      )
    }
    args.push(word)
  }
  return args
}
