// Fly's units. Memory is in MB that are MiB (memory_mb = 1024 is 1 GiB; "1gb" is the same, read as
// docker/go-units' RAMInBytes reads it, binary), written for run-memory as Mi/Gi; a size preset has
// the memory Fly gives it (256 MB a shared CPU, 2048 MB a performance CPU). Durations are Go's.

const BINARY: Record<string, string> = { k: 'Ki', m: 'Mi', g: 'Gi' }

/** run-memory's text for a [[vm]] field, undefined when Fly would not read it. */
export function flyMemory(field: 'memory' | 'memory_mb' | 'size', value: unknown): string | undefined {
  if (field === 'size') {
    const preset = /^(shared-cpu|performance)-(\d+)x$/.exec(String(value))
    return preset ? `${Number(preset[2]) * (preset[1] === 'shared-cpu' ? 256 : 2048)}Mi` : undefined
  }
  if (typeof value === 'number') return Number.isInteger(value) && value > 0 ? `${value}Mi` : undefined
  if (field === 'memory_mb') return /^\d+$/.test(String(value)) ? `${Number(value)}Mi` : undefined
  const m = /^(\d+(?:\.\d+)?)\s*(?:([kmg])i?b?)?$/i.exec(String(value).trim())
  if (!m) return undefined
  return m[2] ? `${Number(m[1])}${BINARY[m[2].toLowerCase()]}` : `${Number(m[1])}Mi`
}

const UNIT: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 }

/** A Go duration ("10s", "1m30s", "500ms") in seconds; undefined for anything else. */
export function goDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text.trim())) return text.trim() === '0' ? 0 : undefined
  let total = 0
  for (const [, n, unit] of text.trim().matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(n) * UNIT[unit]
  return total
}
