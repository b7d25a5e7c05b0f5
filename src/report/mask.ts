import type { Inputs } from '../inputs/inputs.js'
import { secretFileValues } from '../inputs/secret-file.js'

// The runner masks the values it was told are secret, but only in the action's log: the job summary
// it takes as written, and the PR comment, the outputs and a saved report never pass through it. A
// failed RUN under `set -x` echoes a build secret into the build log the report keeps, so the
// report itself is masked, once, before anything renders it (pipeline.ts, publish).

export const MASK = '***'
/** Shorter than this is no secret, and masking it would garble every word that holds it. */
const MIN_LENGTH = 4

/** The values this run knows are secret: the build secrets, the secret files' text and the token. */
export function secretValues(inputs: Pick<Inputs, 'secrets' | 'secretFiles' | 'githubToken'> | undefined): string[] {
  if (!inputs) return []
  return [...inputs.secrets.map(s => s.value), ...inputs.secretFiles.flatMap(f => secretFileValues(f.path)), inputs.githubToken]
}

/** Every string in a JSON-like value with each secret replaced by ***, the longest secret first. */
export function maskSecrets<T>(value: T, secrets: string[]): T {
  const known = [...new Set(secrets.filter(s => s.length >= MIN_LENGTH))].sort((a, b) => b.length - a.length)
  if (known.length === 0) return value
  const mask = (text: string) => known.reduce((s, secret) => s.split(secret).join(MASK), text)
  const walk = (item: unknown): unknown => {
    if (typeof item === 'string') return mask(item)
    if (Array.isArray(item)) return item.map(walk)
    if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]))
    return item
  }
  return walk(value) as T
}
