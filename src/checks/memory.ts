import { formatSize } from '../units.js'
import type { CheckRule } from './check.js'

// max-memory: the container's memory use once healthy (as docker stats counts it: the cgroup's
// usage minus the inactive file cache, stages/memory.ts) against a budget, e.g. "fits a 256 MB
// machine". Judged only when a budget is set; the health row shows the figure either way.

export const memoryCheck: CheckRule = (run, inputs) => {
  const max = inputs.maxMemory
  if (!max) return []
  const h = run.health
  const limit = `≤ ${max.text}`
  if (h.verdict === 'missing') {
    return [{ name: 'memory', status: 'skip', value: 'no health check', limit, detail: 'No memory figure: without a health check there is no moment the app is ready to measure it at (see health).' }]
  }
  if (h.verdict !== 'healthy') return [{ name: 'memory', status: 'skip', value: 'not healthy', limit, detail: 'No memory figure: the container never became healthy (see health).' }]
  if (!h.memory) {
    const why = h.memoryError ? ` (${h.memoryError.replace(/\.$/, '')})` : ''
    return [{ name: 'memory', status: 'skip', value: 'not measured', limit, detail: `The memory use could not be read${why}: not judged.` }]
  }
  const used = h.memory.usedBytes
  const value = `${formatSize(used)} used once healthy`
  const counted = 'Counted as docker stats does: the usage minus the inactive file cache, read at the healthy verdict.'
  if (used <= max.bytes) return [{ name: 'memory', status: 'pass', value, limit, detail: `${formatSize(max.bytes - used)} under max-memory. ${counted}` }]
  return [
    {
      name: 'memory',
      status: 'fail',
      value,
      limit,
      detail: `${formatSize(used - max.bytes)} over max-memory. Make the app use less at start (caches and pools sized for a smaller machine; for Node, --max-old-space-size; for the JVM, -XX:MaxRAMPercentage), or raise the budget. ${counted}`
    }
  ]
}
