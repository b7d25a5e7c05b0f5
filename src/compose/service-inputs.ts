import { shellLine } from '../health/shell.js'
import type { InputName, Inputs } from '../inputs/inputs.js'
import type { ServiceNetwork, ServiceSettings } from './config.js'

// The gated service's settings, as compose resolved them, laid over the inputs: the built image
// runs in the service's place as compose would run it. An input given explicitly wins (env: by
// variable); each setting taken or replaced is returned for the summary, with the file's key.

/** What the platform runs take besides the inputs: the names the container answers to on its network. */
export interface ServiceRun {
  networkAliases?: string[]
}

export interface ServiceSetting {
  input: string
  value: string
  key: string
  use: 'file' | 'input'
}

export interface ServiceInputs {
  inputs: Inputs & ServiceRun
  settings: ServiceSetting[]
  /** what the service says that is not applied, in a sentence each */
  notes: { text: string; key: string }[]
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000))
/** `docker compose config` keeps compose's own escape, $$ for a literal $, which compose undoes only when it creates the container. */
const literal = (text: string) => text.replace(/\$\$/g, '$')

export function serviceInputs(service: ServiceSettings, networks: ServiceNetwork[], inputs: Inputs, given: ReadonlySet<InputName>): ServiceInputs {
  const out: Inputs & ServiceRun = { ...inputs }
  const settings: ServiceSetting[] = []
  const notes: ServiceInputs['notes'] = []
  const key = (field: string) => `services.${service.name}.${field}`
  const take = (input: InputName, value: string, field: string, apply: () => void) => {
    const use = given.has(input) ? 'input' : 'file'
    settings.push({ input, value, key: key(field), use })
    if (use === 'file') apply()
  }

  if (service.networkMode) {
    take('run-network', service.networkMode, 'network_mode', () => (out.runNetwork = service.networkMode!))
  } else if (networks.length > 0) {
    const [first, ...rest] = networks
    out.runNetwork = first.name
    out.networkAliases = first.aliases
    settings.push({ input: 'run-network', value: `${first.name} (as ${first.aliases.join(', ')})`, key: key(`networks.${first.key}`), use: 'file' })
    for (const n of rest) notes.push({ text: `joins only ${first.name}, not ${n.name}: image-gate runs the container on one network`, key: key(`networks.${n.key}`) })
  }

  // env: the service's variables, each replaced by an env line given for the same name
  const own = new Map(inputs.env.map(line => [line.split('=')[0], line]))
  const fromFile = Object.entries(service.environment)
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([name, value]) => [name, literal(value)] as const)
  if (fromFile.length > 0) {
    out.env = [...fromFile.filter(([name]) => !own.has(name)).map(([name, value]) => `${name}=${value}`), ...inputs.env]
    const replaced = fromFile.filter(([name]) => own.has(name)).map(([name]) => name)
    settings.push({ input: 'env', value: fromFile.map(([name]) => name).join(', '), key: key('environment'), use: 'file' })
    if (replaced.length) settings.push({ input: 'env', value: replaced.join(', '), key: key('environment'), use: 'input' })
  }

  const command = service.command?.map(literal)
  if (command) take('command', JSON.stringify(command), 'command', () => (out.command = command))
  const check = service.healthcheck
  const test = check?.test
  if (check?.disable || test?.[0] === 'NONE') notes.push({ text: 'disables the healthcheck; the image is still judged by its own HEALTHCHECK or health-cmd', key: key('healthcheck') })
  else if (test && test.length > 1) {
    const line = test[0] === 'CMD-SHELL' ? literal(test[1]) : shellLine(test.slice(1).map(literal))
    take('health-cmd', line, 'healthcheck.test', () => (out.healthCmd = line))
  }
  if (check?.startPeriodMs !== undefined) take('health-start-period', String(Math.ceil(check.startPeriodMs / 1000)), 'healthcheck.start_period', () => (out.healthStartPeriod = Math.ceil(check.startPeriodMs! / 1000)))
  if (service.stopGracePeriodMs !== undefined) take('stop-timeout', String(seconds(service.stopGracePeriodMs)), 'stop_grace_period', () => (out.stopTimeout = seconds(service.stopGracePeriodMs!)))
  if (service.readOnly) take('read-only', 'true', 'read_only', () => (out.readOnly = true))
  if (service.memLimit) {
    const text = service.memLimit % 1048576 === 0 ? `${service.memLimit / 1048576}m` : `${service.memLimit}b`
    take('run-memory', text, 'mem_limit', () => (out.runMemory = { text, bytes: service.memLimit! }))
  }
  if (service.entrypoint) notes.push({ text: `entrypoint ${JSON.stringify(service.entrypoint)} is not applied: the image's own ENTRYPOINT runs`, key: key('entrypoint') })
  return { inputs: out, settings, notes }
}
