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
  // every platform's container ran under the same settings
  const settings = report.runs[0]?.settings
  if (!settings) return undefined
  const parts: string[] = []
  if (settings.profile !== 'docker') parts.push(PROFILES[settings.profile].replace('{uid}', String(settings.uid ?? '')))
  if (settings.readOnly) parts.push('a read-only root filesystem (tmpfs on /tmp)')
  if (settings.memory) parts.push(`a ${settings.memory.text} memory limit${reading(settings.memory.text)}`)
  if (parts.length === 0) return undefined
  const list = parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts[0]
  return `ran under ${list}`
}

/** " (256 MiB, as docker run reads M; …)" after a limit whose letter Kubernetes reads otherwise. */
function reading(text: string): string {
  const words = memoryReading(text)?.long
  return words ? ` (${words})` : ''
}
