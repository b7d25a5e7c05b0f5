import { InputError } from '../inputs/parse.js'
import { row, type InputName } from '../inputs/table.js'

// What a deployment file (a Kubernetes manifest, a fly.toml) says about how the image runs, as
// image-gate's input values, each with the file, line and key it came from, so an explicit input
// can win over it and the table can say where each value came from.

/** One value and where the file says it. `parts`: the lines a many-line value (env, smoke-commands) is made of. */
export interface FromFile {
  value: string
  file: string
  line: number
  /** the key as the file nests it, e.g. spec.template.spec.containers[api].resources.limits.memory */
  key: string
  parts?: Part[]
}

export interface Part {
  value: string
  line: number
  key: string
}

/** A place in the file: its line and key, and the key as an error names it (from the container or the pod spec). */
export interface At {
  line: number
  key: string
  short?: string
}

/**
 * Settings the file says that no input takes yet: the probe's interval, retries and timeout (docker
 * run --health-interval, --health-retries, --health-timeout), the stop signal (--stop-signal), the
 * user (--user), the capabilities (--cap-drop, --cap-add), no-new-privileges, the entrypoint.
 */
export const EXTRA_NAMES = [
  'healthInterval',
  'healthRetries',
  'healthProbeTimeout',
  'stopSignal',
  'runAsUser',
  'runAsGroup',
  'runAsNonRoot',
  'allowPrivilegeEscalation',
  'capDrop',
  'capAdd',
  'entrypoint'
] as const
export type ExtraName = (typeof EXTRA_NAMES)[number]

/** The probe the file names, as src/health writes probes: so a probe can be written with a program the image has. */
export interface ProbeFrom {
  line: number
  key: string
  kind: 'http' | 'tcp'
  port: number
  /** http: the path asked, "/" when the file names none */
  path: string
}

export interface DeploySettings {
  inputs: Partial<Record<InputName, FromFile>>
  extra: Partial<Record<ExtraName, FromFile>>
  probe?: ProbeFrom
  /** said in the file, not applied: a secretKeyRef env, a probe kind the image cannot answer (value: the sentence) */
  notes: FromFile[]
}

/** A mistake in the deployment file, in one line naming the file, the line and the key. */
export class DeployError extends InputError {}

export function deployError(file: string, line: number | undefined, problem: string): DeployError {
  return new DeployError(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`)
}

const scope = (name: string) => ({ name, cwd: '/', mask: () => {} })

/** The settings of one file, gathered as they are read. Every input value goes through its own parser now. */
export class Collected {
  readonly settings: DeploySettings = { inputs: {}, extra: {}, notes: [] }
  constructor(readonly file: string) {}

  input(name: InputName, value: string, at: At, parts?: Part[]): void {
    // each line of a many-line value first, so a refused one is named by its own line
    for (const part of parts ?? []) this.check(name, part.value, part)
    this.check(name, value, at)
    this.settings.inputs[name] = { ...this.from(value, at), ...(parts && { parts }) }
  }

  private check(name: InputName, value: string, at: At): void {
    try {
      row(name).parse(value, scope(name))
    } catch (err) {
      if (!(err instanceof InputError)) throw err
      throw deployError(this.file, at.line, `${at.short || at.key} gives ${name} "${value}", which image-gate refuses: ${err.message}`)
    }
  }

  extra(name: ExtraName, value: string, at: At): void {
    this.settings.extra[name] = this.from(value, at)
  }

  note(sentence: string, at: At): void {
    this.settings.notes.push(this.from(sentence, at))
  }

  error(at: At | undefined, problem: string): DeployError {
    return deployError(this.file, at?.line, problem)
  }

  private from(value: string, at: At): FromFile {
    return { value, file: this.file, line: at.line, key: at.key }
  }
}
