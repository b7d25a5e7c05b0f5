// Kubernetes' resource quantities (k8s.io/apimachinery resource.Quantity) as run-memory takes them:
// a binary suffix (Ki, Mi, Gi) is written as it is, since run-memory reads it the same; a decimal
// one (k, M, G, T) as kB, MB, GB, TB, which run-memory reads as powers of 10 too (it reads a bare
// M as MiB, as docker run does, so "256M" must not be passed on as written); anything else as bytes.

const QUANTITY = /^(\+?)(\d+(?:\.\d*)?|\.\d+)(?:(Ki|Mi|Gi|Ti|Pi|Ei)|(k|M|G|T|P|E)|[eE]([+-]?\d+)|(m|u|n))?$/

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 }
const DECIMAL: Record<string, number> = { k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 }
/** the decimal suffixes run-memory (units.ts parseSize) reads as powers of 10 */
const AS_SIZE: Record<string, string> = { k: 'kB', M: 'MB', G: 'GB', T: 'TB' }

export type MemoryReading = { ok: true; value: string } | { ok: false; problem: string }

/**
 * A memory limit as a pod spec writes it, as run-memory's text meaning the same bytes: "256Mi" →
 * "256Mi", "1.5Gi" → "1.5Gi", "256M" → "256MB", "268435456" → "268435456". A milli (256m: a
 * thousandth of a byte each) or a size Kubernetes does not read (256MB) is a problem.
 */
export function memoryFromQuantity(written: string): MemoryReading {
  const m = QUANTITY.exec(written.trim())
  if (!m) return { ok: false, problem: `"${written}" is not a Kubernetes quantity (256Mi, 1Gi)` }
  const [, , number, binary, decimal, exponent, fraction] = m
  if (fraction) return { ok: false, problem: `"${written}" is ${number} ${fraction === 'm' ? 'thousandths' : fraction === 'u' ? 'millionths' : 'billionths'} of a byte (${fraction} is a fraction in Kubernetes): write ${number}Mi for mebibytes` }
  const n = Number(number)
  if (binary) return { ok: true, value: BINARY[binary] <= 30 ? `${n}${binary}` : bytes(n * 2 ** BINARY[binary]) }
  if (decimal) return { ok: true, value: AS_SIZE[decimal] ? `${n}${AS_SIZE[decimal]}` : bytes(n * 10 ** DECIMAL[decimal]) }
  if (exponent) return { ok: true, value: bytes(n * 10 ** Number(exponent)) }
  return { ok: true, value: bytes(n) }
}

/** Kubernetes rounds a fraction of a byte up. */
function bytes(n: number): string {
  return BigInt(Math.ceil(n)).toString()
}
