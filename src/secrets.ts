// The values a run must never show (the build secrets, the secret files' text, the token), and
// how they are hidden: each whole value becomes ***, and so does what a cut leaves of one at the
// cut. The runner masks whole values in the action's log only; everything else image-gate shows
// (the report, the summary, the comment, the outputs, the command line's output) is masked here,
// as the text arrives from Docker, before anything cuts it to fit a cell, a line or a byte limit
// (a cut inside a secret would leave a piece no whole-value mask matches).

export const MASK = '***'
/** Shorter than this is no secret, and masking it would garble every word that holds it. */
const MIN_LENGTH = 4
/** The fewest characters of a secret a cut may leave at its edge that are masked as a piece of it. */
const EDGE_MIN = 4
/**
 * Only values up to this long are looked for in pieces at a cut: a longer one is a secret file's
 * whole text, whose lines are values of their own (inputs/secret-file.ts), looked for in turn.
 */
const EDGE_MAX = 4_096

export class Secrets {
  /** the values, longest first (a value holding another is masked whole), each with the forms Docker's JSON writes it in */
  private forms: string[] = []
  private values: string[] = []

  /** A value to hide from now on; one shorter than four characters is no secret and is ignored. */
  add(value: string): void {
    if (value.length < MIN_LENGTH || this.values.includes(value)) return
    this.values = [...this.values, value].sort((a, b) => b.length - a.length)
    this.forms = [...new Set(this.values.flatMap(v => [v, JSON.stringify(v).slice(1, -1), goJson(v)]))].sort((a, b) => b.length - a.length)
  }

  get any(): boolean {
    return this.values.length > 0
  }

  /** `text` with every whole value, as written or as JSON escapes it (Node's, Go's), replaced by ***. */
  mask(text: string): string {
    return this.forms.reduce((s, form) => (s.includes(form) ? s.split(form).join(MASK) : s), text)
  }

  /** `text`, cut at its start (`start`) or end (`end`): masked whole, and the piece of a secret at the cut masked too. */
  maskCut(text: string, { start = false, end = false }: { start?: boolean; end?: boolean }): string {
    let s = this.mask(text)
    if (end) {
      const k = this.longestPiece(s, (value, n) => s.endsWith(value.slice(0, n)))
      if (k) s = `${s.slice(0, -k)}${MASK}`
    }
    if (start) {
      const k = this.longestPiece(s, (value, n) => s.startsWith(value.slice(-n)))
      if (k) s = `${MASK}${s.slice(k)}`
    }
    return s
  }

  /** Every string in a JSON-like value masked (what JSON.parse gave: masked after parsing, so no mask breaks its structure). */
  maskStrings<T>(value: T): T {
    if (!this.any) return value
    const walk = (item: unknown): unknown => {
      if (typeof item === 'string') return this.mask(item)
      if (Array.isArray(item)) return item.map(walk)
      if (item !== null && typeof item === 'object') return Object.fromEntries(Object.entries(item).map(([key, inner]) => [key, walk(inner)]))
      return item
    }
    return walk(value) as T
  }

  /** The length of the longest piece (at least EDGE_MIN characters, shorter than the value) `at` finds at the cut. */
  private longestPiece(text: string, at: (value: string, n: number) => boolean): number {
    let best = 0
    for (const value of this.values) {
      if (value.length > EDGE_MAX) continue
      for (let n = Math.min(value.length - 1, text.length); n > best && n >= EDGE_MIN; n--) {
        if (at(value, n)) {
          best = n
          break
        }
      }
    }
    return best
  }
}

/**
 * The value as Go's encoding/json writes it inside a string (`docker inspect` answers): quotes,
 * backslashes and control characters escaped, and <, >, & as \u003c, \u003e, \u0026.
 */
function goJson(value: string): string {
  return JSON.stringify(value)
    .slice(1, -1)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
}
