import * as path from 'node:path'
import { flySettings } from './fly.js'
import { kubernetesSettings } from './kubernetes.js'
import type { DeployProbeTool } from './probe-cmd.js'
import type { DeploySettings } from './settings.js'

// The interface the pipeline calls (wired by the lead through the stage contract):
//
//   deploySettings({ file, text, kind, container, probeTool }): DeploySettings
//
// `file` is the path as the user gave it (kubernetes-manifest or fly-config), used in every message;
// `text` its contents (the caller reads the file). The result holds input values by input name,
// each a FromFile { value, file, line, key }, in the syntax that input's parser takes (each was run
// through it here), to be merged UNDER the explicit inputs: an input the user gave wins, and the
// table says which value came from which line. `extra` holds what no input takes yet, `probe` the
// probe itself (to rewrite with a program the image has), `notes` what the file says that is not
// applied (a secretKeyRef env, a gRPC probe). A mistake in the file throws a DeployError (an
// InputError): one line naming the file, the line and the key.

export type { DeploySettings, ExtraName, FromFile, Part, ProbeFrom } from './settings.js'
export { DeployError, EXTRA_NAMES } from './settings.js'
export type { DeployProbeTool } from './probe-cmd.js'

export interface DeployFile {
  file: string
  text: string
  /** which reader; by default fly for a .toml file, else kubernetes */
  kind?: 'kubernetes' | 'fly'
  /** kubernetes-container */
  container?: string
  /** the program health-cmd is written with (default wget) */
  probeTool?: DeployProbeTool
}

export function deploySettings({ file, text, kind, container, probeTool }: DeployFile): DeploySettings {
  const reader = kind ?? (path.extname(file).toLowerCase() === '.toml' ? 'fly' : 'kubernetes')
  return reader === 'fly' ? flySettings(file, text, { probeTool }) : kubernetesSettings(file, text, { container, probeTool })
}
