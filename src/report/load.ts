import { closeSync, openSync, readSync } from 'node:fs'
import * as v from 'valibot'
import { InputError } from '../inputs/inputs.js'
import { REPORT_OUTPUT_MAX_BYTES, type Report } from './report.js'
import { ReportSchema } from './schema.js'
import { ReportV1Schema, upgradeV1 } from './schema-v1.js'

// A report read back from a file (`comment-from`), e.g. one a pull-request job from a fork uploaded
// as an artifact. It is untrusted: it is read only up to a size no report reaches, and it must
// match the report's schema (schema.ts), which caps its lists, drops unknown fields and cuts long
// text, so nothing in it can change how the comment is rendered beyond the text it carries
// (escaped as always). A file that does not match is refused in one line that
// says where, rather than posted with rows silently missing. A schema 1 file (an older
// image-gate's, across an upgrade) is read as such and turned into runs (schema-v1.ts).

/** Just enough to tell an image-gate report from some other JSON file: schema 2 with its runs, or schema 1 (an older image-gate's) with its rows. */
const Envelope = v.union([v.object({ schema: v.literal(2), runs: v.array(v.unknown()) }), v.object({ schema: v.literal(1), checks: v.array(v.unknown()) })])

/**
 * The most a report file may hold. The `report` output is at most 96 KiB (render/report-output.ts); a file many times
 * that is not one, and is not read whole into memory to find out.
 */
export const REPORT_FILE_MAX_BYTES = 1024 * 1024

export function loadReport(file: string): Report {
  let raw: unknown
  try {
    raw = JSON.parse(readAtMost(file, REPORT_FILE_MAX_BYTES))
  } catch (err) {
    if (err instanceof InputError) throw err
    throw new InputError(`Input "comment-from" must name a JSON report written by image-gate (its report output); ${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  if (!v.is(Envelope, raw)) {
    throw new InputError(`Input "comment-from": ${file} is not an image-gate report (schema 2 with runs, or 1 with checks).`)
  }
  // a pull-request run of an older image-gate (schema 1) is posted by this one all the same
  if (raw.schema === 1) return upgradeV1(parsed(ReportV1Schema, raw, file))
  return parsed(ReportSchema, raw, file)
}

function parsed<S extends v.GenericSchema>(schema: S, raw: unknown, file: string): v.InferOutput<S> {
  const result = v.safeParse(schema, raw, { abortEarly: true })
  if (!result.success) throw new InputError(`Input "comment-from": ${file} is not a valid image-gate report: ${problem(result.issues[0])}.`)
  return result.output
}

/** The file's text, refused unread past `max` bytes. */
function readAtMost(file: string, max: number): string {
  const fd = openSync(file, 'r')
  try {
    const buffer = Buffer.alloc(max + 1)
    let length = 0
    while (length < buffer.length) {
      const n = readSync(fd, buffer, length, buffer.length - length, null)
      if (n === 0) break
      length += n
    }
    if (length > max) {
      throw new InputError(
        `Input "comment-from": ${file} is larger than ${max / 1024 / 1024} MiB, so it is not an image-gate report (the report output is at most ${REPORT_OUTPUT_MAX_BYTES / 1024} KiB).`
      )
    }
    return buffer.toString('utf8', 0, length)
  } finally {
    closeSync(fd)
  }
}

/** The first mismatch, e.g. `checks[2].status is "magic", expected "pass" | "fail" | "skip"`. */
function problem(issue: v.BaseIssue<unknown>): string {
  const where = issue.path?.length ? path(issue.path) : 'the report'
  // a required field that is absent: valibot's issue for the object, with the key as "expected"
  if (issue.input === undefined && issue.type === 'object') return `${where} is missing`
  // a validation's own message says what it wants (schema.ts); a type's is valibot's description
  const expected = issue.kind === 'validation' ? issue.message : (issue.expected ?? issue.type).replace(/^\((.*)\)$/, '$1')
  return `${where} is ${shown(issue.input)}, expected ${expected}`
}

/** `checks[2].status`; a key from the file (a label's) is quoted, so it cannot break the line. */
function path(items: NonNullable<v.BaseIssue<unknown>['path']>): string {
  return items
    .map(({ key }, i) => {
      if (typeof key === 'number') return `[${key}]`
      const name = String(key)
      if (/^[A-Za-z_][\w-]{0,39}$/.test(name)) return i === 0 ? name : `.${name}`
      return `[${JSON.stringify(cut(name))}]`
    })
    .join('')
}

/** The value the file holds there, short and on one line (JSON.stringify escapes line breaks). */
function shown(input: unknown): string {
  if (typeof input === 'string') return JSON.stringify(cut(input))
  if (Array.isArray(input)) return 'a list'
  if (input && typeof input === 'object') return 'an object'
  return String(input)
}

function cut(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text
}
