import { formatDelta, formatSize } from '../units.js'
import type { Check, PlatformRun, UnreadLayer } from '../report/report.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'

// The image size against max-size (uncompressed or compressed, by size-basis), with what the
// figures mean and what they compare with (compare-to, compare-stages).

export const sizeCheck: CheckRule = (run, inputs) => [sizeRow(run, inputs)]

function sizeRow(run: PlatformRun, inputs: JudgeInputs): Check {
  const { size, compressedSize } = run.image
  if (size === undefined) return notRun('size', run)
  const compressed = compressedSize !== undefined ? `, compressed ${formatSize(compressedSize)}` : ''
  const value = `${formatSize(size)} (${size.toLocaleString('en-US')} bytes)${compressed}`
  const notes = [...sizeNotes(run)]
  if (!inputs.maxSize) return { name: 'size', status: 'skip', value, limit: '', detail: ['No max-size set: measured, not judged.', ...notes].join(' ') }
  const basis = inputs.sizeBasis === 'compressed' ? compressedSize : size
  const limit = `≤ ${inputs.maxSize.text}${inputs.sizeBasis === 'compressed' ? ' compressed' : ''}`
  if (basis === undefined) {
    return { name: 'size', status: 'fail', value, limit, detail: ['The compressed size could not be measured (see the warning in the log).', ...notes].join(' ') }
  }
  if (basis <= inputs.maxSize.bytes) {
    return { name: 'size', status: 'pass', value, limit, detail: [`${formatSize(inputs.maxSize.bytes - basis)} under the budget.`, ...notes].join(' ') }
  }
  return {
    name: 'size',
    status: 'fail',
    value,
    limit,
    detail: [`${formatSize(basis - inputs.maxSize.bytes)} over the budget. The largest layers are listed below; keep build tools in an earlier stage.`, ...notes].join(' ')
  }
}

/** What the size figures mean, and what they compare with. */
function* sizeNotes(run: PlatformRun): Generator<string> {
  const { size = 0, compressedSize, compressedBy } = run.image
  // the size means the same on both image stores (stages/size.ts); only the compressed one is had differently
  yield 'Sizes in decimal units (1 MB = 1,000,000 bytes, as docker images prints them).'
  if (compressedBy === 'store') yield 'Compressed: the layer blobs the containerd image store keeps, which a push sends as they are.'
  else if (compressedSize !== undefined) yield 'Compressed: each layer gzip-compressed, within about 1% of what a push sends.'
  const unread = unreadNote(run.image.unreadLayers)
  if (unread) yield unread
  const b = run.baseline
  const baselineUnread = unreadNote(b?.unreadLayers, b?.ref)
  if (baselineUnread) yield baselineUnread
  if (b?.missing) yield `No baseline yet: ${b.ref} does not exist (${b.missing}).`
  else if (b?.error) yield `No comparison with ${b.ref}: ${b.error}.`
  else if (b?.size !== undefined) {
    const zipped = compressedSize !== undefined && b.compressedSize !== undefined ? `; compressed ${formatDelta(compressedSize, b.compressedSize)}` : ''
    yield `${formatDelta(size, b.size)} compared with ${b.ref}${growthNote(size - b.size, b.growth)}${zipped}.`
  }
  const st = run.firstStage
  if (st?.error) yield `No stage comparison: ${st.error}.`
  else if (st?.size !== undefined) {
    const saved = st.size - size
    yield saved >= 0
      ? `Multi-stage payoff: ${formatSize(saved)} (${((saved / st.size) * 100).toFixed(0)}%) smaller than stage ${st.stage} (${formatSize(st.size)}).`
      : `The final image is ${formatSize(-saved)} larger than stage ${st.stage}: the multi-stage build saves nothing.`
  }
}

/** Which instruction the growth came from: "most of it from" only when that is true. */
function growthNote(delta: number, growth: NonNullable<PlatformRun['baseline']>['growth']): string {
  if (!growth || delta <= 0) return ''
  const layer = `${growth.instruction} (+${formatSize(growth.bytes)})`
  return growth.bytes * 2 >= delta ? `, most of it from ${layer}` : `; the largest growth: ${layer}`
}

/** "1 layer could not be read file by file (RUN x: why): it counts at its size in the archive, 12.3 kB." */
function unreadNote(layers: UnreadLayer[] | undefined, ref?: string): string | undefined {
  if (!layers?.length) return undefined
  const named = layers.map(l => `${l.instruction}: ${l.why}, ${formatSize(l.bytes)}`).join('; ')
  const many = layers.length === 1 ? '1 layer' : `${layers.length} layers`
  return `${ref ? `In ${ref}, ${many}` : many[0].toUpperCase() + many.slice(1)} could not be read file by file (${named}): counted at ${layers.length === 1 ? 'its size' : 'their sizes'} in the image archive instead.`
}
