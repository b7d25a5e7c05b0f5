import { expect } from '@jest/globals'
import { row, type InputName } from '../../../src/inputs/table.js'
import type { DeploySettings } from '../../../src/deploy/deploy.js'

// Every input value a deployment file yields, through the real parser of that input (src/inputs),
// as readInputs would parse it: what the pipeline would get.

export function parsedInputs(settings: DeploySettings): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(settings.inputs).map(([name, from]) => [name, row(name as InputName).parse(from!.value, { name, cwd: '/', mask: () => {} })])
  )
}

/** value and line of each input, extra and note, by name: what a test compares whole. */
export function valuesByLine(settings: DeploySettings) {
  const pick = (r: Record<string, { value: string; line: number } | undefined>) =>
    Object.fromEntries(Object.entries(r).map(([k, v]) => [k, [v!.value, v!.line]]))
  return { inputs: pick(settings.inputs), extra: pick(settings.extra), notes: settings.notes.map(n => [n.value, n.line]) }
}

/** The text with the line that matches `from` (exactly one) replaced. */
export function changed(text: string, from: string | RegExp, to: string): string {
  const lines = text.split('\n')
  const hits = lines.flatMap((l, i) => ((typeof from === 'string' ? l.includes(from) : from.test(l)) ? [i] : []))
  expect([from, hits.length]).toEqual([from, 1])
  lines[hits[0]] = lines[hits[0]].replace(from, () => to)
  return lines.join('\n')
}

/** The 1-based line of the only line holding `text`. */
export function lineOf(text: string, needle: string): number {
  const hits = text.split('\n').flatMap((l, i) => (l.includes(needle) ? [i + 1] : []))
  expect([needle, hits.length]).toEqual([needle, 1])
  return hits[0]
}

/** [value, line] of an input, an extra, every note: what the tests compare. */
export const inputAt = (s: DeploySettings, name: keyof DeploySettings['inputs']) => s.inputs[name] && [s.inputs[name]!.value, s.inputs[name]!.line]
export const extraAt = (s: DeploySettings, name: keyof DeploySettings['extra']) => s.extra[name] && [s.extra[name]!.value, s.extra[name]!.line]
export const notesOf = (s: DeploySettings) => s.notes.map(n => [n.value, n.line])

/** The one-line message reading the file threw. */
export function errorOf(read: () => unknown): string {
  try {
    read()
  } catch (err) {
    return (err as Error).message
  }
  throw new Error('no error')
}
