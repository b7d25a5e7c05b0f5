import { readFileSync } from 'node:fs'
import { InputError } from '../inputs/inputs.js'
import { newReport, type Check, type HealthVerdict, type Report } from './report.js'

// A report read back from a file (`comment-from`), e.g. one a pull-request job from a fork uploaded
// as an artifact. It is untrusted: only known fields of the right type are kept, so nothing in it
// can change how the comment is rendered beyond the text it carries (which is escaped as always).

const CHECKS: Check['name'][] = ['build', 'health', 'size', 'user']
const STATUSES: Check['status'][] = ['pass', 'fail', 'skip']
const VERDICTS: HealthVerdict[] = ['healthy', 'unhealthy', 'exited', 'missing', 'skipped', 'timeout']

export function loadReport(file: string): Report {
  let raw: unknown
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'))
  } catch (err) {
    throw new InputError(`Input "comment-from" must name a JSON report written by image-gate (its report output); ${file}: ${(err as Error).message.split('\n')[0]}`)
  }
  const r = obj(raw)
  if (r.schema !== 1 || !Array.isArray(r.checks)) {
    throw new InputError(`Input "comment-from": ${file} is not an image-gate report (schema 1 with checks).`)
  }
  const report = newReport(str(r.tag))
  const build = obj(r.build)
  report.build = { ok: build.ok === true, seconds: num(build.seconds), failedStep: optStr(build.failedStep), error: optStr(build.error), logTail: lines(build.logTail) }
  const image = obj(r.image)
  report.image = { id: optStr(image.id), size: num(image.size), user: optStr(image.user), labels: labels(image.labels), largestLayers: layers(image.largestLayers) }
  report.baseline = baseline(r.baseline)
  const health = obj(r.health)
  report.health = {
    verdict: VERDICTS.includes(health.verdict as HealthVerdict) ? (health.verdict as HealthVerdict) : 'skipped',
    startupSeconds: num(health.startupSeconds),
    probes: probes(health.probes),
    logTail: lines(health.logTail)
  }
  report.checks = (r.checks as unknown[]).map(obj).filter(c => CHECKS.includes(c.name as Check['name'])).map(c => ({
    name: c.name as Check['name'],
    status: STATUSES.includes(c.status as Check['status']) ? (c.status as Check['status']) : 'skip',
    value: str(c.value),
    limit: str(c.limit),
    detail: str(c.detail)
  }))
  report.passed = r.passed === true && report.checks.every(c => c.status !== 'fail')
  const error = obj(r.error)
  if (typeof error.message === 'string') report.error = { kind: error.kind === 'input' || error.kind === 'engine' ? error.kind : 'internal', message: str(error.message) }
  report.pullRequest = Number.isSafeInteger(r.pullRequest) && (r.pullRequest as number) > 0 ? (r.pullRequest as number) : undefined
  report.commentKey = optStr(r.commentKey)
  return report
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {}
}
function str(v: unknown, max = 10_000): string {
  return typeof v === 'string' ? v.slice(0, max) : ''
}
function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? str(v) : undefined
}
function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined
}
function lines(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.slice(-200).map(l => str(l)) : undefined
}
/** The five largest layers a report lists. */
function layers(v: unknown): Report['image']['largestLayers'] {
  if (!Array.isArray(v)) return undefined
  return v.slice(0, 5).map(obj).filter(l => num(l.size) !== undefined).map(l => ({ instruction: str(l.instruction, 1000), size: l.size as number, before: num(l.before) }))
}

function baseline(v: unknown): Report['baseline'] {
  const b = obj(v)
  if (typeof b.ref !== 'string') return undefined
  const growth = obj(b.growth)
  return {
    ref: str(b.ref, 1000),
    size: num(b.size),
    compressedSize: num(b.compressedSize),
    growth: typeof growth.instruction === 'string' && num(growth.bytes) !== undefined ? { instruction: str(growth.instruction, 1000), bytes: growth.bytes as number } : undefined,
    error: optStr(b.error)
  }
}

/** Docker keeps five probe results; a report holds no more. */
function probes(v: unknown): Report['health']['probes'] {
  if (!Array.isArray(v)) return undefined
  const kept = v.slice(-5).map(obj).filter(p => typeof p.exitCode === 'number' && Number.isInteger(p.exitCode))
  return kept.length ? kept.map(p => ({ exitCode: p.exitCode as number, output: str(p.output) })) : undefined
}
function labels(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(obj(v)).slice(0, 100).map(([k, val]) => [k.slice(0, 200), str(val, 1000)]))
}
