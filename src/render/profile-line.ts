import { memoryReading } from '../units.js'
import type { Report } from '../report/report.js'

// How the container ran, said once above the table (summary, comment, terminal) when it was not
// Docker's defaults: every row below was measured under these settings. Reads the report only.

const PROFILES = {
  restricted: "Kubernetes' restricted profile (every capability dropped, no-new-privileges)",
  openshift: 'OpenShift (restricted, as UID {uid} in group 0)'
}

/** "ran under Kubernetes' restricted profile (…), a read-only root filesystem and a 256m memory limit" */
export function profileLine(report: Report): string | undefined {
  const run = report.run
  if (!run) return undefined
  const parts: string[] = []
  if (run.profile !== 'docker') parts.push(PROFILES[run.profile].replace('{uid}', String(run.uid ?? '')))
  if (run.readOnly) parts.push('a read-only root filesystem (tmpfs on /tmp)')
  if (run.memory) parts.push(`a ${run.memory.text} memory limit${reading(run.memory.text)}`)
  if (parts.length === 0) return undefined
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]
  return `ran under ${list}`
}

/** " (256 MiB, as docker run reads M; …)" after a limit whose letter Kubernetes reads otherwise. */
function reading(text: string): string {
  const words = memoryReading(text)?.long
  return words ? ` (${words})` : ''
}
