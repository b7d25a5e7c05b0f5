import { engineGet } from '../docker/api.js'
import type { Container } from '../docker/handle.js'
import type { PlatformRun } from '../report/report.js'

// The container's memory use once healthy: the engine's cgroup figures, read once, right at the
// healthy verdict (run.ts reads them meanwhile with the user check). One-shot stats (API 1.41,
// Docker 20.10) answer at once; the CLI's `docker stats --no-stream` would wait for a second sample
// first. An older engine ignores one-shot and answers after its second sample. A figure that
// cannot be read is said in the memory row (checks/memory.ts) and never fails the run.

export type MemoryFigures = Pick<PlatformRun['health'], 'memory' | 'memoryError'>

/** Long enough for an engine that ignores one-shot (two samples a second apart), short beside a run. */
const STATS_LIMIT_MS = 5000

export async function readMemory(container: Container, limited: boolean): Promise<MemoryFigures> {
  const { docker, name } = container
  try {
    const answer = await engineGet(docker, `/containers/${encodeURIComponent(name)}/stats?stream=false&one-shot=true`, STATS_LIMIT_MS)
    if (answer.status !== 200) return { memoryError: `Docker said: ${engineMessage(docker.secrets.mask(answer.body)) || `HTTP ${answer.status}`}` }
    return memoryOf(JSON.parse(answer.body), limited)
  } catch (err) {
    return { memoryError: (err as Error).message }
  }
}

interface MemoryStats {
  usage?: number
  limit?: number
  stats?: Record<string, number>
}

/**
 * The memory figure `docker stats` shows, computed as the CLI computes it: the cgroup's usage minus
 * the inactive file cache (page cache the kernel reclaims first, before any OOM kill):
 * total_inactive_file on cgroup v1, inactive_file on v2. `limited`: run-memory was set, so the
 * engine's limit is that one (without it, the engine reports the host's memory as the limit).
 */
export function memoryOf(stats: { memory_stats?: MemoryStats }, limited: boolean): MemoryFigures {
  const m = stats.memory_stats
  // a container that is not running has empty memory stats
  if (!m || typeof m.usage !== 'number') return { memoryError: 'Docker gave no memory figure (the container was not running)' }
  const usedBytes = m.usage - inactiveFile(m.usage, m.stats ?? {})
  return { memory: { usedBytes, ...(limited && typeof m.limit === 'number' && { limitBytes: m.limit }) } }
}

/** The CLI's order: cgroup v1's hierarchical figure when it is below the usage, else v2's (or 0). */
function inactiveFile(usage: number, stats: Record<string, number>): number {
  const v1 = stats.total_inactive_file
  if (typeof v1 === 'number' && v1 < usage) return v1
  const v2 = stats.inactive_file
  return typeof v2 === 'number' && v2 < usage ? v2 : 0
}

/** The engine's error message ({"message": "..."}), else its body. */
function engineMessage(body: string): string {
  try {
    return String((JSON.parse(body) as { message?: string }).message ?? body).trim()
  } catch {
    return body.trim().slice(0, 300)
  }
}
