import { formatSize } from '../units.js'
import type { Finding } from './report.js'

// How a contents finding reads wherever it is shown (the contents row, the Dockerfile annotation):
// the file, what it is, its size and the instruction that added it, never what it holds.

/** Contents findings listed in the summary and the comment (the report keeps up to 100). */
export const FINDING_ROWS = 40

/** "/app/.env (environment file, 120 B, from COPY . .)". */
export function describeFinding(f: Finding): string {
  return `${f.path} (${f.what}, ${formatSize(f.size)}, from ${f.instruction}${deletedNote(f)})`
}

/** A whiteout only hides a file from the layers above: the layer that added it still ships. */
export function deletedNote(f: Finding): string {
  return f.deletedBy ? `; deleted in a later layer (${f.deletedBy}), but that only hides it: it still ships in the layer that added it` : ''
}
