// Units as the report shows them. Byte sizes (the `max-size` input, and how sizes are printed)
// follow Docker: kB/MB/GB are powers of 10 (what `docker images` prints), KiB/MiB/GiB powers of 2.
// Seconds are shown to one decimal.

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40
}

export const SIZE_FORM = 'a byte count or a number with a unit: B, kB, MB, GB (powers of 10) or KiB, MiB, GiB (powers of 2), e.g. 500MB, 250MiB, 1.5GB'

/** Parses "500MB", "250 MiB", "1.5GB", "123456". Returns undefined for anything else. */
export function parseSize(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([a-zA-Z]*)$/.exec(text.trim())
  if (!m) return undefined
  const unit = m[2].toLowerCase()
  const factor = unit === '' ? 1 : UNITS[unit]
  if (factor === undefined) return undefined
  // "mb" and "Mb" are taken as MB: bits make no sense for an image size.
  const bytes = Number(m[1]) * factor
  if (!Number.isFinite(bytes)) return undefined
  const rounded = Math.round(bytes)
  if (unit === '' && m[1].includes('.')) return undefined // "1.5" bytes
  return rounded
}

/** 123456789 → "123.5 MB" (decimal units, as `docker images` prints). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`
  const units = ['kB', 'MB', 'GB', 'TB']
  let value = bytes
  let unit = 'B'
  for (const u of units) {
    if (value < 1000) break
    value /= 1000
    unit = u
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${unit}`
}

/** Echoes the limit the way the user wrote it, plus the exact byte count. */
export function describeLimit(text: string, bytes: number): string {
  const written = text.trim()
  return /^\d+$/.test(written) ? formatSize(bytes) : `${written.replace(/\s+/g, '')}`
}

export const INCREASE_FORM = 'a percentage like 10% or a size like 20MB'

/** `max-size-increase`: "10%" or a size ("20MB", "5MiB", bytes). */
export function parseIncrease(text: string): { percent: number } | { bytes: number } | undefined {
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(text.trim())
  if (percent) return { percent: Number(percent[1]) }
  const bytes = parseSize(text)
  return bytes === undefined ? undefined : { bytes }
}

/** "+38.0 MB (+17.2%)" */
export function formatDelta(now: number, before: number): string {
  const delta = now - before
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±'
  const percent = before > 0 ? ` (${sign}${Math.abs((delta / before) * 100).toFixed(1)}%)` : ''
  return `${sign}${formatSize(Math.abs(delta))}${percent}`
}

/** Seconds to one decimal, as the report shows them. */
export function round(n: number): number {
  return Math.round(n * 10) / 10
}

/** 1 → "1 file", 1250 → "1,250 files": a count with its noun, singular for one. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`
}

export const MEMORY_FORM =
  "a memory size as docker run --memory takes it, e.g. 256m, 512m or 1g (k, m, g are KiB, MiB, GiB, as docker run reads them, in either case), or as a pod spec writes it, e.g. 256Mi or 1Gi (256MiB and 300MB too)"

/**
 * run-memory, as `docker run --memory` reads it: "256m", "1g", "1.5g" (b, k, m, g: powers of 2),
 * plus Kubernetes' "256Mi" and the sizes above ("256MiB", "300MB"), so a limit can be copied from
 * a compose file or a pod spec as it is. Whole bytes; undefined for anything else.
 */
export function parseMemory(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgBKMG]|[KMGkmg]i)?$/.exec(text.trim())
  if (!m) return parseSize(text)
  const unit = (m[2] ?? 'b').toLowerCase().replace('i', '')
  return Math.floor(Number(m[1]) * 2 ** (10 * 'bkmg'.indexOf(unit)))
}

/** What Kubernetes makes of a bare k, m or g, which docker run reads as KiB, MiB, GiB: M, G, k are powers of 10, m a thousandth. */
const KUBERNETES_READS: Record<string, (n: number) => string> = {
  k: n => `${(n * 1e3).toLocaleString('en-US')} bytes`,
  M: n => `${(n * 1e6).toLocaleString('en-US')} bytes`,
  G: n => `${(n * 1e9).toLocaleString('en-US')} bytes`,
  m: n => `${n / 1000} bytes`
}

/**
 * run-memory's limit in words that say its unit, when the text leaves it to the reader: "256M"
 * is "256 MiB, as docker run reads M; 256Mi in a pod spec, where 256M is 256,000,000 bytes".
 * Docker's reading is the one used, since the limit is docker run's flag; Kubernetes reads the
 * same letters otherwise, and a limit copied between the two would be off by 5% (M) or by far (m).
 * Undefined when the text says its unit (256Mi, 256MiB, 300MB) or is bytes.
 */
export function memoryReading(text: string): { short: string; long: string } | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgKMG])$/.exec(text.trim())
  if (!m) return undefined
  const [, number, unit] = m
  const binary = `${number} ${unit.toUpperCase()}iB`
  const kubernetes = KUBERNETES_READS[unit]
  const there = kubernetes ? `, where ${number}${unit} is ${kubernetes(Number(number))}` : `, which has no ${unit}`
  return { short: `${text.trim()} = ${binary}`, long: `${binary}, as docker run reads ${unit}; ${number}${unit.toUpperCase()}i in a pod spec${there}` }
}
