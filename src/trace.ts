import { writeFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'

// A timeline of one run for the benches (bench/gate.ts), written only when IMAGE_GATE_TRACE names
// a file: each process the run started (from its spawn to its close), each stage the run entered
// and a few marks inside them (healthy, stopped, the save pass read). Times are milliseconds since
// this process started (performance.now), so Node's own start is before the first event. Nothing
// is recorded without the variable, and the file is written once, as the process exits.

export interface TraceEvent {
  kind: 'process' | 'stage' | 'mark'
  /** the process's program and first arguments, or the stage's or mark's name */
  name: string
  start: number
  /** a process's close */
  end?: number
}

export class Timeline {
  readonly events: TraceEvent[] = []

  constructor(private readonly now: () => number = () => performance.now()) {}

  mark(name: string, kind: 'stage' | 'mark' = 'mark'): void {
    this.events.push({ kind, name, start: this.now() })
  }

  /** A process from now; the function returned ends its span (once). */
  process(args: readonly string[]): () => void {
    const event: TraceEvent = { kind: 'process', name: args.slice(0, 4).join(' '), start: this.now() }
    this.events.push(event)
    return () => void (event.end ??= this.now())
  }

  toJSON(): { exitAt: number; events: TraceEvent[] } {
    return { exitAt: this.now(), events: this.events }
  }
}

const file = process.env.IMAGE_GATE_TRACE
const timeline = file ? new Timeline() : undefined
if (file && timeline) process.once('exit', () => writeFileSync(file, JSON.stringify(timeline)))

/** A moment of the run worth seeing on the timeline (with IMAGE_GATE_TRACE). */
export function mark(name: string, kind: 'stage' | 'mark' = 'mark'): void {
  timeline?.mark(name, kind)
}

/** A process from now until the function returned is called (with IMAGE_GATE_TRACE). */
export function traceProcess(args: readonly string[]): () => void {
  return timeline?.process(args) ?? (() => undefined)
}
