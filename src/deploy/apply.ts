import { existsSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { InputError, inputError } from '../inputs/parse.js'
import type { InputSource } from '../inputs/read.js'
import type { InputName } from '../inputs/table.js'
import type { Deployment } from '../report/report.js'
import { deploySettings } from './deploy.js'
import type { ExtraName, FromFile } from './settings.js'

// The deployment file (kubernetes-manifest or fly-config) read before the inputs: its settings
// fill the inputs that were not given, so the run is the one production runs, and the report says
// which line each came from and which an explicit input replaced. Everything the file gives goes
// through the input's own parser (readInputs), so a bad value is refused as a typed one would be.

/** The inputs the file's `extra` settings fill (what no reader input covers). */
const EXTRA_INPUTS: Partial<Record<ExtraName, InputName>> = {}

export interface Deployed {
  /** the inputs as given, with the file's values where none was given */
  source: InputSource
  deployment?: Deployment
}

export function deployedSource(source: InputSource, cwd: string): Deployed {
  const given = (name: InputName) => source(name).trim()
  const manifest = given('kubernetes-manifest')
  const fly = given('fly-config')
  if (manifest && fly) {
    throw new InputError(
      'Inputs "kubernetes-manifest" and "fly-config" both name a deployment file: give the one the image runs by.',
      '--kubernetes-manifest and --fly-config both name a deployment file: give one.'
    )
  }
  if (!manifest && given('kubernetes-container')) throw inputError('kubernetes-container', 'names a container of kubernetes-manifest, which is not given.')
  checkCompose(given, cwd)
  const file = manifest || fly
  if (!file) return { source }
  const input: InputName = manifest ? 'kubernetes-manifest' : 'fly-config'
  const full = path.resolve(cwd, file)
  if (!existsSync(full) || !statSync(full).isFile()) throw inputError(input, `must name a file; "${file}" does not exist.`)
  const kind = manifest ? 'kubernetes' : 'fly'
  const read = deploySettings({ file, text: readFileSync(full, 'utf8'), kind, container: given('kubernetes-container') || undefined })
  const values = new Map<InputName, FromFile>(Object.entries(read.inputs) as [InputName, FromFile][])
  const deployment: Deployment = { file, kind, settings: [], notes: read.notes.map(n => ({ text: n.value, line: n.line, key: n.key })) }
  for (const [extra, from] of Object.entries(read.extra) as [ExtraName, FromFile][]) {
    const name = EXTRA_INPUTS[extra]
    if (name) values.set(name, from)
  }
  for (const [name, from] of values) {
    deployment.settings.push({ input: name, value: shown(name, from), line: from.line, key: from.key, use: given(name) ? 'input' : 'file' })
  }
  const merged: InputSource = Object.assign((name: string) => given(name as InputName) || values.get(name as InputName)?.value || '', {
    given: source.given
  })
  return { source: merged, deployment }
}

/** compose-file: the file is there, it names its service, and no run-network would take the service's networks' place. */
function checkCompose(given: (name: InputName) => string, cwd: string): void {
  const file = given('compose-file')
  if (!file) {
    if (given('compose-service')) throw inputError('compose-service', 'names a service of compose-file, which is not given.')
    return
  }
  const full = path.resolve(cwd, file)
  if (!existsSync(full) || !statSync(full).isFile()) throw inputError('compose-file', `must name a file; "${file}" does not exist.`)
  if (!given('compose-service')) throw inputError('compose-service', `must name the service of ${file} that the image runs as.`)
  if (given('run-network')) {
    throw new InputError(
      'Inputs "compose-file" and "run-network" both say where the container runs: with compose-file it joins its service\'s networks; drop run-network.',
      '--compose-file and --run-network both say where the container runs: drop --run-network.'
    )
  }
}

/** The value as the summary shows it: env by its variables' names (a value may be a secret the file should not hold). */
function shown(name: InputName, from: FromFile): string {
  if (name !== 'env') return from.value
  return from.value
    .split('\n')
    .map(line => line.split('=')[0])
    .join(', ')
}
