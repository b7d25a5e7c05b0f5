import { isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml'
import type { At, Collected } from './settings.js'

// A YAML node with the line it starts on and its key, so every value read from a manifest says
// where it came from. `key` is the whole path (spec.template.spec.containers[api].ports); `short`
// the path from the container or the pod spec, as a one-line error names it.

export interface Here extends At {
  node: unknown
  short: string
  /** the file's lines, to find a child's */
  lines: LineCounter
}

export interface YamlDoc {
  root: Here
  /** the line of the document's first node */
  line: number
}

/** Every document of a multi-document file; a syntax error is one line naming the file and its line. */
export function readDocuments(out: Collected, text: string): YamlDoc[] {
  const lines = new LineCounter()
  const docs = parseAllDocuments(text, { lineCounter: lines })
  const all = Array.isArray(docs) ? docs : [docs]
  const docsOut: YamlDoc[] = []
  for (const doc of all) {
    const error = doc.errors[0]
    if (error) {
      const line = error.linePos?.[0].line ?? lines.linePos(error.pos[0]).line
      throw out.error({ line, key: '' }, `is not valid YAML: ${error.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`)
    }
    const contents = doc.contents
    if (!contents) continue
    const line = lines.linePos(contents.range?.[0] ?? 0).line
    docsOut.push({ root: { node: contents, line, key: '', short: '', lines }, line })
  }
  return docsOut
}

const lineOf = (h: Here, node: unknown) => h.lines.linePos((node as Node).range?.[0] ?? 0).line

const join = (a: string, b: string) => (a ? `${a}.${b}` : b)

/** The value under `name` in a mapping, undefined when absent (or null, as `key:` alone writes it). */
export function child(h: Here | undefined, name: string): Here | undefined {
  if (!h || !isMap(h.node)) return undefined
  const pair = h.node.items.find(p => isPair(p) && isScalar(p.key) && p.key.value === name)
  if (!pair || pair.value === null || (isScalar(pair.value) && pair.value.value === null)) return undefined
  return { node: pair.value, line: lineOf(h, pair.key), key: join(h.key, name), short: join(h.short, name), lines: h.lines }
}

/** The items of a sequence, each named by `label` (a container's name) or its index. */
export function items(h: Here | undefined, label: (item: Here) => string = () => ''): Here[] {
  if (!h || !isSeq(h.node)) return []
  return h.node.items.map((node, i) => {
    const base = { node, line: lineOf(h, node), key: '', short: '', lines: h.lines }
    const name = label(base) || String(i)
    return { ...base, key: `${h.key}[${name}]`, short: `${h.short}[${name}]` }
  })
}

/** A scalar's value (string, number, boolean), undefined for anything else. */
export function scalar(h: Here | undefined): string | number | boolean | undefined {
  if (!h || !isScalar(h.node)) return undefined
  const v = h.node.value
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined
}

/** The scalar under `name` as text ("" when absent). */
export function textOf(h: Here | undefined, name: string): string {
  const v = scalar(h && child(h, name))
  return v === undefined ? '' : String(v)
}

export function isMapping(h: Here | undefined): boolean {
  return h !== undefined && isMap(h.node)
}

/** The keys of a mapping, in the file's order. */
export function keysOf(h: Here | undefined): string[] {
  if (!h || !isMap(h.node)) return []
  return h.node.items.flatMap(p => (isScalar(p.key) ? [String(p.key.value)] : []))
}

// Typed reads: Kubernetes refuses a manifest whose value has the wrong type, so a wrong type here
// is the same one-line error, not a value guessed from it.

export function wholeNumber(out: Collected, h: Here, least = 0): number {
  const v = scalar(h)
  if (typeof v !== 'number' || !Number.isInteger(v) || v < least) {
    throw out.error(h, `${h.short} must be a whole number${least ? `, ${least} or more` : ''}; got ${shown(h)}`)
  }
  return v
}

export function boolean(out: Collected, h: Here): boolean {
  const v = scalar(h)
  if (typeof v !== 'boolean') throw out.error(h, `${h.short} must be true or false; got ${shown(h)}`)
  return v
}

export function strings(out: Collected, h: Here): string[] {
  const list = items(h)
  if (!isSeq(h.node) || list.some(i => typeof scalar(i) !== 'string')) throw out.error(h, `${h.short} must be a list of strings, like ["node", "dist/server.js"]`)
  return list.map(i => scalar(i) as string)
}

export function str(out: Collected, h: Here): string {
  const v = scalar(h)
  if (typeof v !== 'string') throw out.error(h, `${h.short} must be a string (quote it: "${String(v ?? '')}")`)
  return v
}

/** A value as an error quotes it: a scalar as written, else what it is. */
function shown(h: Here): string {
  const v = scalar(h)
  if (v !== undefined) return typeof v === 'string' ? `"${v}"` : String(v)
  return isMap(h.node) ? 'a mapping' : isSeq(h.node) ? 'a list' : 'nothing'
}
