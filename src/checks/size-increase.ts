import { formatDelta, formatSize } from '../units.js'
import type { Check, PlatformRun } from '../report/report.js'
import type { CheckRule, JudgeInputs } from './check.js'

// max-size-increase: the growth against compare-to, judged in the size-basis's terms.

export const sizeIncreaseCheck: CheckRule = (run, inputs) => (inputs.maxSizeIncrease ? [sizeIncreaseRow(run, inputs, inputs.maxSizeIncrease)] : [])

function sizeIncreaseRow(run: PlatformRun, inputs: JudgeInputs, increase: NonNullable<JudgeInputs['maxSizeIncrease']>): Check {
  const b = run.baseline
  const compressed = inputs.sizeBasis === 'compressed'
  const now = compressed ? run.image.compressedSize : run.image.size
  const before = compressed ? b?.compressedSize : b?.size
  const limit = 'percent' in increase.limit ? `≤ +${increase.limit.percent}%` : `≤ +${formatSize(increase.limit.bytes)}`
  if (b?.missing && !inputs.requireBaseline) {
    // a first release: the image compared with is what this release will push
    const detail = `No baseline yet: ${b.ref} does not exist (${b.missing}), as on a first release; nothing to compare with. Set require-baseline: true to fail instead.`
    return { name: 'size-increase', status: 'skip', value: 'no baseline yet', limit, detail }
  }
  if (now === undefined || before === undefined) {
    const why = b?.error ?? `the ${compressed ? 'compressed ' : ''}size of ${b?.ref ?? 'compare-to'} could not be measured`
    return { name: 'size-increase', status: 'fail', value: 'unknown', limit, detail: `No comparison: ${why}.` }
  }
  const delta = now - before
  const allowed = 'percent' in increase.limit ? (before * increase.limit.percent) / 100 : increase.limit.bytes
  const value = formatDelta(now, before)
  const detail = `${compressed ? 'Compressed size' : 'Size'} compared with ${b!.ref} (${formatSize(before)}).`
  if (delta <= allowed) return { name: 'size-increase', status: 'pass', value, limit, detail }
  const growth = b!.growth ? ` The largest growth: ${b!.growth.instruction} (+${formatSize(b!.growth.bytes)}${compressed ? ' uncompressed' : ''}).` : ''
  return { name: 'size-increase', status: 'fail', value, limit, detail: `${detail}${growth} The largest layers are listed below.` }
}
