import { StringDecoder } from 'node:string_decoder'
import type { Secrets } from '../secrets.js'

// The build's plain progress output, masked: every secret whole (secrets.ts), and what BuildKit's
// own cuts leave of one at their edges, where no whole value matches.
// - A step printing faster than its log limit (BUILDKIT_STEP_LOG_MAX_SPEED): the line the limit
//   stopped ends at the cut, `#9 0.192 [output clipped, log limit 200KiB/s reached]` follows, and
//   the step's next line starts wherever its output resumed.
// - The excerpt buildx repeats after a failed step (` > [2/3] RUN …:` then the lines, between
//   dashed lines) starts with the last of what the step wrote as it was written: the end of a line
//   printed in two writes, say.
// Both are lines of build output, so the stream is masked a line at a time: the last output line
// waits (briefly) for the next, which may say it was clipped.

const STEP = /^(#\d+) (\d+\.\d+ )(.*)$/s
const EXCERPT = /^ > .+:$/
const EXCERPT_END = '------'
const CLIPPED = /^\[output clipped, log limit .* reached\]$/
/** How long a held line waits for the next before it is shown anyway (a step gone quiet). */
const HOLD_MS = 250

interface Part {
  /** whose line it is: `#9`, or the excerpt */
  step: string
  prefix: string
  text: string
}

export class BuildLogMask {
  private lines: string[] = []
  /** each step's last line not yet given out, by index into `lines` */
  private lastOf = new Map<string, number>()
  /** steps whose next line starts at a cut */
  private resumes = new Set<string>()
  private excerpt = false

  constructor(private readonly secrets: Secrets) {}

  /** One complete line of output. */
  push(raw: string): void {
    const line = this.secrets.mask(raw)
    if (EXCERPT.test(line)) {
      this.excerpt = true
      this.resumes.add('excerpt')
    } else if (this.excerpt && line === EXCERPT_END) {
      this.excerpt = false
      this.resumes.delete('excerpt')
    }
    const part = this.partOf(line)
    if (!part) return void this.lines.push(line)
    if (CLIPPED.test(part.text)) {
      const last = this.lastOf.get(part.step)
      if (last !== undefined) this.lines[last] = this.cut(this.lines[last], { end: true })
      this.lastOf.delete(part.step)
      this.resumes.add(part.step)
      return void this.lines.push(line)
    }
    const start = this.resumes.delete(part.step)
    this.lastOf.set(part.step, this.lines.length)
    this.lines.push(start ? this.cut(line, { start }) : line)
  }

  /** The lines ready to show; with `hold`, the last one stays when a clip notice could still end it. */
  take(hold = false): string[] {
    const last = hold ? this.partOf(this.lines.at(-1) ?? '') : undefined
    const keep = last && !CLIPPED.test(last.text) ? 1 : 0
    const out = this.lines.splice(0, this.lines.length - keep)
    const held = [...this.lastOf].find(([, i]) => i === out.length)
    this.lastOf.clear()
    if (keep && held) this.lastOf.set(held[0], 0)
    return out
  }

  private partOf(line: string): Part | undefined {
    const step = STEP.exec(line)
    if (step) return { step: step[1], prefix: `${step[1]} ${step[2]}`, text: step[3] }
    if (!this.excerpt || EXCERPT.test(line) || line === EXCERPT_END) return undefined
    const timed = /^(\d+\.\d+ )?(.*)$/s.exec(line)!
    return { step: 'excerpt', prefix: timed[1] ?? '', text: timed[2] }
  }

  private cut(line: string, at: { start?: boolean; end?: boolean }): string {
    const part = this.partOf(line)
    return part ? `${part.prefix}${this.secrets.maskCut(part.text, at)}` : line
  }
}

/** A whole build output, masked. */
export function maskBuildOutput(output: string, secrets: Secrets): string {
  if (!secrets.any) return output
  const mask = new BuildLogMask(secrets)
  for (const line of output.split('\n')) mask.push(line)
  return mask.take().join('\n')
}

/** The build output as it streams, masked, to `show`: whole lines, the last held up to HOLD_MS for a clip notice. */
export function maskedStream(secrets: Secrets, show: (text: string) => void): { write: (chunk: Buffer) => void; end: () => void } {
  if (!secrets.any) return { write: chunk => show(chunk.toString()), end: () => undefined }
  const mask = new BuildLogMask(secrets)
  const decoder = new StringDecoder('utf8')
  let partial = ''
  let timer: NodeJS.Timeout | undefined
  const give = (hold: boolean) => {
    clearTimeout(timer)
    const lines = mask.take(hold)
    if (lines.length > 0) show(lines.map(l => `${l}\n`).join(''))
    if (hold) timer = setTimeout(() => give(false), HOLD_MS).unref()
  }
  return {
    write(chunk) {
      const lines = (partial + decoder.write(chunk)).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) mask.push(line)
      give(true)
    },
    end() {
      const rest = partial + decoder.end()
      if (rest) mask.push(rest)
      give(false)
    }
  }
}
