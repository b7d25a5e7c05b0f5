import { pickTool, probeArgv, type ProbeTool } from '../health/probe.js'
import { shellLine } from '../health/shell.js'
import type { At, Collected, ProbeFrom } from './settings.js'

// A probe the deployment file names (an HTTP GET, a TCP connect) as the health-cmd line the image
// can run, written the way src/health writes the probes it suggests, with the program the caller
// says the image has (wget by default: busybox has it, so Alpine and busybox images do).

/** The programs that can write a probe here: the app's own binary cannot be told from a deployment file. */
export type DeployProbeTool = Exclude<ProbeTool, 'app'>

export const DEFAULT_PROBE_TOOL: DeployProbeTool = 'wget'

/** The probe's health-cmd with `tool`, or undefined when that program cannot write this kind (wget cannot open a bare TCP connection). */
export function probeCommand(tool: DeployProbeTool, probe: Pick<ProbeFrom, 'kind' | 'port' | 'path'>): string | undefined {
  if (!pickTool([tool], () => true, probe.kind)) return undefined
  return shellLine(probeArgv(tool, probe))
}

/** Records the probe, and its health-cmd where `tool` can write it (else a note saying which programs can). */
export function applyProbe(out: Collected, tool: DeployProbeTool, probe: ProbeFrom, described: string): void {
  out.settings.probe = probe
  const at: At = { line: probe.line, key: probe.key }
  const command = probeCommand(tool, probe)
  if (command) out.input('health-cmd', command, at)
  else out.note(`${described}: ${tool} cannot open a bare TCP connection, so no health-cmd is written; the probe is kept (probe) for a program that can (python3, node, php, ruby, bash).`, at)
}
