import { existsSync, statSync } from 'node:fs'
import { isIP } from 'node:net'
import * as path from 'node:path'
import { parse as parseShellWords } from 'shell-quote'
import { secretFileValues } from './secret-file.js'
import { checkGlob } from '../globs.js'
import { parseAnnotation, type Annotation } from '../rules/annotations.js'
import { INCREASE_FORM, MEMORY_FORM, parseIncrease, parseMemory, parseSize, SIZE_FORM } from '../units.js'

// The parsers of the input table: each turns one input's text into its value, or throws an
// InputError, one line naming the input and the form it expects, never a stack trace. None of them
// touches the file system for an empty value, so the defaults parse anywhere (defaultInputs).

/**
 * A bad input, in one line. Its message names inputs as the action's user writes them (Input
 * "max-size" ...); `commandLine` says the same of the command line's options (--max-size ...),
 * where the message names an input.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly commandLine = message
  ) {
    super(message)
  }
}

/** `Input "max-size" must be ...`; on the command line `--max-size must be ...`. */
export function inputError(name: string, problem: string): InputError {
  return new InputError(`Input "${name}" ${problem}`, `--${name} ${problem}`)
}

/** What a parser knows besides the text: the input's name, where paths start, how to mask a secret. */
export interface Scope {
  name: string
  cwd: string
  mask: (secret: string) => void
}

export type Parser<T> = (value: string, scope: Scope) => T

export const text: Parser<string> = value => value

/** A path, absolute from the working directory. */
export const resolved: Parser<string> = (value, { cwd }) => path.resolve(cwd, value)

/** Empty stays empty (the input is off); anything else goes through `parse`. */
export function emptyOr<T>(parse: Parser<T>): Parser<T | ''> {
  return (value, scope) => (value === '' ? '' : parse(value, scope))
}

/**
 * An input a deployment file may set (table-deploy.ts): its action.yml default is empty, so a value
 * given on the runner is told from one not given, and the file's value goes only where none was
 * given; not given, and not in the file, it is `fallback`.
 */
export function unlessGiven<T>(fallback: string, parse: Parser<T>): Parser<T> {
  return (value, scope) => parse(value === '' ? fallback : value, scope)
}

/** run-user: a user and an optional group, each a name or a number, as docker run --user takes them. */
export const runUser: Parser<string> = (value, { name }) => {
  if (/^[A-Za-z0-9_][A-Za-z0-9_.-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]*)?$/.test(value)) return value
  throw inputError(name, `must be a user as docker run --user takes it (a name, a UID, or UID:GID, e.g. 10001:10001); got "${value}".`)
}

/** Empty is undefined (not set: reported, not judged); anything else goes through `parse`. */
export function optional<T>(parse: Parser<T>): Parser<T | undefined> {
  return (value, scope) => (value === '' ? undefined : parse(value, scope))
}

/** One item per line, as docker/build-push-action reads lists. */
export const list: Parser<string[]> = value => split(value, /\n/)

/** One item per line or per comma (tags, platforms). */
const commaList: Parser<string[]> = value => split(value, /[\n,]/)

function split(value: string, separator: RegExp): string[] {
  return value
    .split(separator)
    .map(item => item.trim())
    .filter(item => item !== '')
}

/** `parse` applied to each line. */
export function lines<T>(parse: Parser<T>): Parser<T[]> {
  return (value, scope) => list(value, scope).map(line => parse(line, scope))
}

// The YAML 1.2 core schema words, as @actions/core accepts them, but with a one-line error.
export const bool: Parser<boolean> = (value, { name }) => {
  if (['true', 'True', 'TRUE'].includes(value)) return true
  if (['false', 'False', 'FALSE'].includes(value)) return false
  throw inputError(name, `must be true or false; got "${value}".`)
}

/** Node's timers take at most 2^31-1 ms; a longer delay fires at once, so a huge timeout would end the run at its start. */
export const MAX_SECONDS = Math.floor((2 ** 31 - 1) / 1000)

export const seconds: Parser<number> = (value, { name }) => {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw inputError(name, `must be a whole number of seconds, 1 or more; got "${value}".`)
  }
  if (Number(value) > MAX_SECONDS) {
    throw inputError(name, `must be a whole number of seconds from 1 to ${MAX_SECONDS}; got "${value}".`)
  }
  return Number(value)
}

/** A duration in whole seconds that may be 0 (health-start-period: Docker's own default is none). */
export const secondsOrZero: Parser<number> = (value, { name }) => {
  if (!/^\d+$/.test(value) || Number(value) > MAX_SECONDS) {
    throw inputError(name, `must be a whole number of seconds from 0 to ${MAX_SECONDS}; got "${value}".`)
  }
  return Number(value)
}

/** A duration in whole milliseconds (max-probe-time), 1 or more. */
export const milliseconds: Parser<number> = (value, { name }) => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > MAX_SECONDS * 1000) {
    throw inputError(name, `must be a whole number of milliseconds, 1 or more (e.g. 200); got "${value}".`)
  }
  return Number(value)
}

export function oneOf<T extends string>(allowed: readonly T[]): Parser<T> {
  return (value, { name }) => {
    if ((allowed as readonly string[]).includes(value)) return value as T
    throw inputError(name, `must be one of ${allowed.join(', ')}; got "${value}".`)
  }
}

export const size: Parser<{ text: string; bytes: number }> = (value, { name }) => {
  const bytes = parseSize(value)
  if (bytes === undefined || bytes <= 0) throw inputError(name, `must be ${SIZE_FORM}; got "${value}".`)
  return { text: value, bytes }
}

/** run-memory: at least Docker's minimum of 6 MiB, which it would refuse only when the container starts. */
export const memory: Parser<{ text: string; bytes: number }> = (value, { name }) => {
  const bytes = parseMemory(value)
  if (bytes === undefined) throw inputError(name, `must be ${MEMORY_FORM}; got "${value}".`)
  if (bytes < 6 * 2 ** 20) throw inputError(name, `must be at least 6m, the least docker run --memory allows; got "${value}".`)
  return { text: value, bytes }
}

export const increase: Parser<{ text: string; limit: { percent: number } | { bytes: number } }> = (value, { name }) => {
  const limit = parseIncrease(value)
  if (!limit) throw inputError(name, `must be ${INCREASE_FORM}; got "${value}".`)
  return { text: value, limit }
}

/** Globs, one per line (allow-paths, forbid-paths), each checked now so a typo is one line, not a silent non-match. */
export const globLines: Parser<string[]> = (value, scope) =>
  list(value, scope).map(glob => {
    try {
      checkGlob(glob)
    } catch (err) {
      throw inputError(scope.name, `takes one glob per line (e.g. **/.env or app/test/*.pem); "${glob}" is not one: ${(err as Error).message}.`)
    }
    return glob
  })

/** Environment lines: a line that is not KEY=VALUE would reach `docker run -e` as a bare name. */
export const keyValues: Parser<string[]> = (value, scope) => {
  const env = list(value, scope)
  for (const line of env) {
    if (!/^[^=\s]+=/.test(line)) throw inputError(scope.name, `takes one KEY=VALUE per line; "${line}" is not of that form.`)
  }
  return env
}

/** Platforms as OCI names them, os/arch[/variant] (linux/amd64, linux/arm/v7), each once. */
export const platforms: Parser<string[]> = (value, scope) => {
  const list = commaList(value, scope)
  for (const p of list) {
    if (!/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(p)) throw inputError(scope.name, `takes platforms like linux/amd64 or linux/arm/v7; "${p}" is not one.`)
  }
  const twice = list.find((p, i) => list.indexOf(p) !== i)
  if (twice) throw inputError(scope.name, `names ${twice} twice.`)
  return list
}

// Docker's reference grammar (distribution/reference): [host[:port]/]name[:tag][@digest], where the
// name's path components are lowercase. Checked here so a typo is one line, not a failed build.
const HOST = '[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::[0-9]+)?'
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*'
const REFERENCE = new RegExp(`^(?:${HOST}/)?${COMPONENT}(?:/${COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`)

export const imageRef: Parser<string> = (value, { name }) => {
  if (REFERENCE.test(value) && value.length <= 255) return value
  throw inputError(
    name,
    `must be an image reference like app:1.2 or ghcr.io/owner/app:sha (lowercase name; tag of letters, digits, ".", "_", "-"); "${value}" is not one.`
  )
}

/** Image references, one per line or per comma. */
export const imageRefs: Parser<string[]> = (value, scope) => commaList(value, scope).map(ref => imageRef(ref, scope))

/** `id=value` (the value may contain "="). */
function idAnd(form: string): Parser<[string, string]> {
  return (line, { name }) => {
    const cut = line.indexOf('=')
    if (cut <= 0) throw inputError(name, `takes one ${form} per line; a line without "=" is not of that form.`)
    return [line.slice(0, cut).trim(), line.slice(cut + 1)]
  }
}

/** Annotations, one per line as buildx takes them (rules/annotations.ts); a comma belongs to the value. */
export const annotations: Parser<Annotation[]> = lines((line, { name }) => {
  const parsed = parseAnnotation(line)
  if (typeof parsed === 'string') throw inputError(name, `takes one [LEVEL:]KEY=VALUE per line, as docker/build-push-action does: ${parsed}.`)
  return parsed
})

/** Build secrets, id=value per line; each value is masked in the log at once. */
export const secrets: Parser<{ id: string; value: string }[]> = lines((line, scope) => {
  const [id, value] = idAnd('id=value')(line, scope)
  scope.mask(value)
  return { id, value }
})

/** Build secrets from files, id=path per line. The file must exist now, so a typo is not first noticed as a RUN step failing without it. */
export const secretFiles: Parser<{ id: string; path: string }[]> = lines((line, scope) => {
  const [id, file] = idAnd('id=path')(line, scope)
  const at = path.resolve(scope.cwd, file.trim())
  if (!existsSync(at) || !statSync(at).isFile()) {
    throw inputError(scope.name, `takes one id=path per line, with a file at path; "${file.trim()}" (for ${id}) is not a file.`)
  }
  // a RUN step may echo the file's text: masked in the log like a secrets value (and everywhere else, secrets.ts)
  for (const value of secretFileValues(at)) scope.mask(value)
  return { id, path: at }
})

export const token: Parser<string> = (value, { name, mask }) => {
  // The runner masks github.token itself; a token passed any other way is masked here.
  if (value) mask(value)
  // never echo it: say only what is wrong
  if (/\s/.test(value)) {
    throw inputError(name, `must be a token without spaces, such as \${{ github.token }} or \${{ secrets.NAME }}; the value given has whitespace in it.`)
  }
  return value
}

/** A report file written by image-gate (comment-from), absolute; it must exist. */
export const reportFile: Parser<string> = (value, { name, cwd }) => {
  const file = path.resolve(cwd, value)
  if (!existsSync(file)) throw inputError(name, `must name a report file written by image-gate; "${value}" does not exist.`)
  return file
}

/**
 * `command` (and each `smoke-commands` line) replaces the image's CMD. It is split into words like a
 * shell would split them (quotes group words), but never run by a shell: operators such as && or |
 * are refused, and $VARS stay literal. A JSON array (exec form) is taken as it is.
 */
export const words: Parser<string[]> = (value, { name }) => {
  if (value.startsWith('[')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(value)
    } catch {
      throw inputError(name, `starting with "[" must be a JSON array of strings, like ["node", "dist/worker.js"].`)
    }
    if (!Array.isArray(parsed) || parsed.length === 0 || !parsed.every(w => typeof w === 'string')) {
      throw inputError(name, `starting with "[" must be a non-empty JSON array of strings, like ["node", "dist/worker.js"].`)
    }
    return parsed as string[]
  }
  const args: string[] = []
  for (const word of parseShellWords(value, key => `$${key}`)) {
    if (typeof word !== 'string') {
      throw inputError(name, `is not run through a shell, so it cannot use shell operators; write it as sh -c '...' if you need one.`)
    }
    args.push(word)
  }
  return args
}

/** A network to join: a name `docker network create` would take, or container:NAME. */
export const networkName: Parser<string> = (value, { name }) => {
  if (!/^(container:)?[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value)) {
    throw inputError(name, `must name a Docker network (e.g. \${{ job.services.postgres.network }}, host, or one you created); "${value}" is not a network name.`)
  }
  return value
}

/** Host entries as docker run --add-host takes them: NAME:IP (or NAME=IP), IP may be host-gateway. */
export const hostEntries: Parser<string[]> = lines((line, { name }) => {
  const m = /^([a-zA-Z0-9][a-zA-Z0-9.-]*)[:=]\[?([^\]]+)\]?$/.exec(line)
  if (!m || !(m[2] === 'host-gateway' || isIP(m[2]))) {
    throw inputError(name, `takes one NAME:IP per line (IP may be host-gateway, e.g. host.docker.internal:host-gateway); "${line}" is not of that form.`)
  }
  // NAME:IP is what every Docker version reads (it splits at the first colon, so IPv6 needs no brackets)
  return `${m[1]}:${m[2]}`
})

