// What `docker compose config --format json` says of a project, read into plain values. Compose
// itself has resolved the file by then (env_file, interpolation, `extends`, depends_on's short form
// into the long one, durations and sizes into one spelling), so this reads its answer and never
// the YAML.

export type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully'
const CONDITIONS: readonly string[] = ['service_started', 'service_healthy', 'service_completed_successfully']

export interface Dependency {
  service: string
  condition: Condition
  /** `required: false`: compose goes on without it when it is not in the project */
  required: boolean
}

export interface Healthcheck {
  /** ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"], as compose wrote it */
  test?: string[]
  intervalMs?: number
  timeoutMs?: number
  startPeriodMs?: number
  startIntervalMs?: number
  retries?: number
  disable?: boolean
}

/** One network the service joins: its name on the engine and the names it answers to there. */
export interface ServiceNetwork {
  /** the key in the file ("default", "back") */
  key: string
  /** the network's name on the engine ("<project>_default", or the external name) */
  name: string
  /** the service's name first (compose always adds it), then the file's `aliases` */
  aliases: string[]
  external: boolean
}

/** The settings of a service that its container runs with, as compose resolved them. */
export interface ServiceSettings {
  name: string
  image?: string
  build?: { context: string; dockerfile?: string; target?: string; args: Record<string, string> }
  /** null: a variable named without a value (it passes through from compose's environment, if set there) */
  environment: Record<string, string | null>
  command?: string[]
  entrypoint?: string[]
  healthcheck?: Healthcheck
  stopSignal?: string
  stopGracePeriodMs?: number
  user?: string
  readOnly?: boolean
  /** bytes */
  memLimit?: number
  init?: boolean
  /** `network_mode` (host, none, service:db, container:x): then `networks` is empty */
  networkMode?: string
  networks: ServiceNetwork[]
  dependsOn: Dependency[]
}

export interface Project {
  /** the project's name as compose resolved it (the -p given) */
  name: string
  services: Record<string, ServiceSettings>
  /** the networks the file declares (each key, with its name on the engine) */
  networks: Record<string, { name: string; external: boolean }>
  /** the keys of the volumes the file declares that compose creates (not external ones) */
  volumes?: string[]
}

type Json = Record<string, unknown>

/** Reads compose's JSON answer; throws with what is wrong when it is not what compose writes. */
export function readProject(text: string): Project {
  let raw: Json
  try {
    raw = JSON.parse(text) as Json
  } catch {
    throw new Error(`docker compose config did not answer JSON: ${text.slice(0, 200)}`)
  }
  const networks = (raw.networks ?? {}) as Record<string, Json | null>
  const services: Record<string, ServiceSettings> = {}
  for (const [name, service] of Object.entries((raw.services ?? {}) as Record<string, Json>)) services[name] = readService(name, service, networks)
  const declared = Object.fromEntries(Object.entries(networks).map(([k, n]) => [k, { name: String(n?.name ?? k), external: n?.external === true }]))
  const volumes = Object.entries((raw.volumes ?? {}) as Record<string, Json | null>)
    .filter(([, v]) => v?.external !== true)
    .map(([key]) => key)
  return { name: String(raw.name ?? ''), services, networks: declared, volumes }
}

function readService(name: string, s: Json, networks: Record<string, Json | null>): ServiceSettings {
  const build = s.build as Json | undefined
  const networkMode = str(s.network_mode)
  return {
    name,
    ...(s.image !== undefined && { image: String(s.image) }),
    ...(build && {
      build: {
        context: String(build.context ?? '.'),
        ...(build.dockerfile !== undefined && { dockerfile: String(build.dockerfile) }),
        ...(build.target !== undefined && { target: String(build.target) }),
        args: strings((build.args ?? {}) as Json)
      }
    }),
    environment: Object.fromEntries(Object.entries((s.environment ?? {}) as Json).map(([k, v]) => [k, v === null ? null : String(v)])),
    ...optional('command', list(s.command)),
    ...optional('entrypoint', list(s.entrypoint)),
    ...optional('healthcheck', s.healthcheck ? readHealthcheck(s.healthcheck as Json) : undefined),
    ...optional('stopSignal', str(s.stop_signal)),
    ...optional('stopGracePeriodMs', duration(s.stop_grace_period)),
    ...optional('user', str(s.user)),
    ...optional('readOnly', bool(s.read_only)),
    ...optional('memLimit', s.mem_limit === undefined ? undefined : Number(s.mem_limit)),
    ...optional('init', bool(s.init)),
    ...optional('networkMode', networkMode),
    networks: networkMode ? [] : readNetworks(name, s.networks as Record<string, Json | null> | undefined, networks),
    dependsOn: Object.entries((s.depends_on ?? {}) as Record<string, Json>).map(([service, d]) => ({
      service,
      condition: (CONDITIONS.includes(String(d.condition)) ? d.condition : 'service_started') as Condition,
      required: d.required !== false
    }))
  }
}

function readNetworks(service: string, joined: Record<string, Json | null> | undefined, declared: Record<string, Json | null>): ServiceNetwork[] {
  // a service that names no network is on the project's default one
  return Object.entries(joined ?? { default: null }).map(([key, n]) => {
    const d = declared[key] ?? {}
    const aliases = (n?.aliases as string[] | undefined) ?? []
    return { key, name: String(d.name ?? key), aliases: [service, ...aliases.filter(a => a !== service)], external: d.external === true }
  })
}

function readHealthcheck(h: Json): Healthcheck {
  return {
    ...optional('test', list(h.test)),
    ...optional('intervalMs', duration(h.interval)),
    ...optional('timeoutMs', duration(h.timeout)),
    ...optional('startPeriodMs', duration(h.start_period)),
    ...optional('startIntervalMs', duration(h.start_interval)),
    ...optional('retries', h.retries === undefined ? undefined : Number(h.retries)),
    ...optional('disable', bool(h.disable))
  }
}

/**
 * A duration as compose writes it (Go's: "1m30s", "1.5s", "500ms", "2h0m0s"), in ms. Compose's
 * JSON has only that spelling; anything else is not a duration.
 */
export function parseDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
  if (text === '0') return 0
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)]
  if (parts.length === 0 || parts.map(p => p[0]).join('') !== text) return undefined
  return Math.round(parts.reduce((ms, p) => ms + Number(p[1]) * units[p[2]], 0))
}

function duration(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined
  if (typeof v === 'number') return v / 1e6 // nanoseconds, as Go marshals a bare time.Duration
  return parseDuration(String(v))
}

function optional<K extends string, V>(key: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: V }
}

function list(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : undefined
}

function str(v: unknown): string | undefined {
  return v === undefined || v === null || v === '' ? undefined : String(v)
}

function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined
}

function strings(o: Json): Record<string, string> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? '' : String(v)]))
}
