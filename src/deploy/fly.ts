import { parse, TomlError } from 'smol-toml'
import { applyProbe, DEFAULT_PROBE_TOOL, type DeployProbeTool } from './probe-cmd.js'
import { Collected, type At, type DeploySettings, type Part } from './settings.js'
import { flyMemory, goDuration } from './fly-units.js'
import { TomlLines } from './toml-lines.js'

// A fly.toml read for how Fly runs the image: [env], [processes] (the main process's command, one
// smoke command per other process, e.g. a worker), kill_signal and kill_timeout, [[vm]]'s memory,
// and the main process's check ([[http_service.checks]], [[services.http_checks]] or
// [[services.tcp_checks]], [checks.NAME]) as the probe with its grace period, interval and timeout.

type Table = Record<string, unknown>
const isTable = (v: unknown): v is Table => typeof v === 'object' && v !== null && !Array.isArray(v)
const tables = (v: unknown): Table[] => (Array.isArray(v) ? v.filter(isTable) : isTable(v) ? [v] : [])

export interface FlyOptions {
  probeTool?: DeployProbeTool
}

export function flySettings(file: string, text: string, options: FlyOptions = {}): DeploySettings {
  const out = new Collected(file)
  let doc: Table
  try {
    doc = parse(text) as Table
  } catch (err) {
    if (!(err instanceof TomlError)) throw err
    throw out.error({ line: err.line, key: '' }, `is not valid TOML: ${err.message.split('\n')[0].replace(/^Invalid TOML document: /, '')}`)
  }
  const lines = new TomlLines(text)
  const at = (key: string): At => ({ line: lines.line(key), key })
  const main = readProcesses(out, doc, at)
  readEnv(out, doc, at)
  readStop(out, doc, at)
  readMemory(out, doc, main, at)
  readCheck(out, doc, main, at, options.probeTool ?? DEFAULT_PROBE_TOOL)
  return out.settings
}

const runs = (t: Table, main: string) => !Array.isArray(t.processes) || t.processes.includes(main)

/** The main process: the one http_service serves, else app (Fly's default group), else the first. Returns its name. */
function readProcesses(out: Collected, doc: Table, at: (key: string) => At): string {
  const processes = isTable(doc.processes) ? doc.processes : undefined
  if (!processes) return 'app'
  const names = Object.keys(processes)
  const served = isTable(doc.http_service) && Array.isArray(doc.http_service.processes) ? String(doc.http_service.processes[0]) : undefined
  const main = [served, 'app'].find(n => n !== undefined && names.includes(n)) ?? names[0]
  const command = (name: string) => {
    const value = processes[name]
    if (typeof value !== 'string') throw out.error(at(`processes.${name}`), `processes.${name} must be a command string, like "node dist/worker.js"`)
    return value.trim()
  }
  // an empty command runs the image's own CMD, as Fly does
  if (command(main)) out.input('command', command(main), at(`processes.${main}`))
  const others: Part[] = names.filter(n => n !== main && command(n)).map(n => ({ value: command(n), ...at(`processes.${n}`) }))
  if (others.length) out.input('smoke-commands', others.map(p => p.value).join('\n'), at('processes'), others)
  return main
}

function readEnv(out: Collected, doc: Table, at: (key: string) => At): void {
  if (!isTable(doc.env)) return
  const parts: Part[] = Object.entries(doc.env).map(([name, value]) => {
    if (isTable(value) || Array.isArray(value)) throw out.error(at(`env.${name}`), `env.${name} must be a string, a number or a boolean`)
    return { value: `${name}=${String(value)}`, ...at(`env.${name}`) }
  })
  if (parts.length) out.input('env', parts.map(p => p.value).join('\n'), at('env'), parts)
}

function readStop(out: Collected, doc: Table, at: (key: string) => At): void {
  if (doc.kill_signal !== undefined) {
    const signal = String(doc.kill_signal)
    if (!/^SIG[A-Z0-9]+$/.test(signal)) throw out.error(at('kill_signal'), `kill_signal "${signal}" is not a signal name (SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2)`)
    out.extra('stopSignal', signal, at('kill_signal'))
  }
  if (doc.kill_timeout !== undefined) {
    // a bare number is seconds (kill_timeout = 5)
    const seconds = typeof doc.kill_timeout === 'number' ? doc.kill_timeout : goDuration(String(doc.kill_timeout))
    if (seconds === undefined || seconds < 0) throw out.error(at('kill_timeout'), `kill_timeout "${String(doc.kill_timeout)}" is not a duration (5, "5s", "2m")`)
    out.input('stop-timeout', String(Math.max(1, Math.ceil(seconds))), at('kill_timeout'))
  }
}

/** [[vm]] for the main process: memory ("512mb", "1gb"), else memory_mb, else the size preset's. */
function readMemory(out: Collected, doc: Table, main: string, at: (key: string) => At): void {
  const vms = tables(doc.vm)
  const i = vms.findIndex(vm => runs(vm, main))
  if (i < 0) return
  const vm = vms[i]
  const key = Array.isArray(doc.vm) ? `vm[${i}]` : 'vm'
  for (const field of ['memory', 'memory_mb', 'size'] as const) {
    if (vm[field] === undefined) continue
    const value = flyMemory(field, vm[field])
    if (!value) {
      const form = field === 'size' ? 'a size Fly names (shared-cpu-1x, performance-2x)' : 'a memory size Fly reads (512mb, 1gb, or a number of MB)'
      throw out.error(at(`${key}.${field}`), `${key}.${field} "${String(vm[field])}" is not ${form}`)
    }
    out.input('run-memory', value, at(`${key}.${field}`))
    return
  }
}

interface Check {
  kind: 'http' | 'tcp'
  port: number
  check: Table
  key: string
}

/** The main process's checks, HTTP first, in the file's order. */
function checksOf(out: Collected, doc: Table, main: string, at: (key: string) => At): Check[] {
  const found: Check[] = []
  const port = (t: Table, key: string, fallback?: number): number => {
    const p = t.internal_port ?? t.port ?? fallback
    const n = Number(p)
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw out.error(at(key), `${key} ${p === undefined ? 'is missing' : `"${String(p)}" is not a port (1 to 65535)`}`)
    return n
  }
  const service = isTable(doc.http_service) ? doc.http_service : undefined
  if (service && runs(service, main)) {
    tables(service.checks).forEach((check, i) => found.push({ kind: 'http', port: port(service, 'http_service.internal_port', 8080), check, key: `http_service.checks[${i}]` }))
  }
  tables(doc.services).forEach((s, j) => {
    if (!runs(s, main)) return
    for (const kind of ['http', 'tcp'] as const) {
      tables(s[`${kind}_checks`]).forEach((check, i) => found.push({ kind, port: port(s, `services[${j}].internal_port`, 8080), check, key: `services[${j}].${kind}_checks[${i}]` }))
    }
  })
  if (isTable(doc.checks)) {
    for (const [name, check] of Object.entries(doc.checks)) {
      if (!isTable(check) || !runs(check, main)) continue
      const type = String(check.type ?? '')
      if (type !== 'http' && type !== 'tcp') throw out.error(at(`checks.${name}.type`), `checks.${name}.type "${type}" is not a check type Fly runs (http, tcp)`)
      found.push({ kind: type, port: port(check, `checks.${name}.port`), check, key: `checks.${name}` })
    }
  }
  return [...found.filter(c => c.kind === 'http'), ...found.filter(c => c.kind === 'tcp')]
}

function readCheck(out: Collected, doc: Table, main: string, at: (key: string) => At, tool: DeployProbeTool): void {
  const [first] = checksOf(out, doc, main, at)
  if (!first) return
  const { check, key, kind, port } = first
  const where = at(key)
  if (kind === 'http' && String(check.protocol ?? 'http').toLowerCase() === 'https') {
    out.note(`${key} asks HTTPS on port ${port}, which image-gate's probes do not: no health-cmd is written; give one in health-cmd.`, at(`${key}.protocol`))
  } else {
    const path = kind === 'http' ? String(check.path ?? '/') : ''
    applyProbe(out, tool, { kind, port, path, ...where }, `${key} on port ${port}`)
    const method = String(check.method ?? 'GET').toUpperCase()
    if (kind === 'http' && method !== 'GET') out.note(`${key}.method ${method} is not applied: the probe sends GET.`, at(`${key}.method`))
    if (isTable(check.headers)) out.note(`${key}.headers are not sent by the probe.`, at(`${key}.headers`))
  }
  const duration = (field: string): number | undefined => {
    const value = check[field]
    if (value === undefined) return undefined
    // a bare number in a check is milliseconds, as Fly's older configs wrote them (interval = 10000)
    const seconds = typeof value === 'number' ? value / 1000 : goDuration(String(value))
    if (seconds === undefined || seconds < 0) throw out.error(at(`${key}.${field}`), `${key}.${field} "${String(value)}" is not a duration ("10s", "1m30s")`)
    return seconds
  }
  const grace = duration('grace_period')
  if (grace !== undefined) out.input('health-start-period', String(Math.ceil(grace)), at(`${key}.grace_period`))
  const interval = duration('interval')
  if (interval !== undefined) out.extra('healthInterval', dockerDuration(interval), at(`${key}.interval`))
  const timeout = duration('timeout')
  if (timeout !== undefined) out.extra('healthProbeTimeout', dockerDuration(timeout), at(`${key}.timeout`))
}

/** 15 → "15s", 0.5 → "500ms": as docker run's duration flags take them. */
function dockerDuration(seconds: number): string {
  return Number.isInteger(seconds) ? `${seconds}s` : `${Math.round(seconds * 1000)}ms`
}
