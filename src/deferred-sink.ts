import type { Sink } from './sink.js'

// Messages of work that runs beside other work (the builds of several platforms at once), held
// back until it is their turn, so each build's log stays in one piece: the first platform's build
// is shown as it happens, the next one's is replayed when the first's ends, then shown as it
// happens, and so on. Secrets pass at once: masking must never wait.

type Action = (sink: Sink) => unknown

export class DeferredSink implements Sink {
  /** what waits for its turn; undefined once everything is passed straight through */
  private queue: Action[] | undefined = []
  private replaying = false

  constructor(private readonly target: Sink) {}

  /** Its turn: what was held back is shown, in order, then everything passes straight through. */
  async live(): Promise<void> {
    if (!this.queue || this.replaying) return
    this.replaying = true
    // what arrives meanwhile joins the queue, and is shown in its place
    for (let action = this.queue.shift(); action; action = this.queue.shift()) await action(this.target)
    this.queue = undefined
  }

  private later(action: Action): void {
    if (this.queue) this.queue.push(action)
    else void action(this.target)
  }

  info = (message: string) => this.later(s => s.info(message))
  warning: Sink['warning'] = (message, place) => this.later(s => s.warning(message, place))
  error: Sink['error'] = (message, place) => this.later(s => s.error(message, place))
  debug = (message: string) => this.later(s => s.debug(message))
  untrusted = (lines: string[]) => this.later(s => s.untrusted(lines))
  secret = (value: string) => this.target.secret(value)
  output = (name: string, value: string) => this.later(s => s.output(name, value))
  summary = (markdown: string) => this.target.summary(markdown)
  fail = (message: string) => this.later(s => s.fail(message))

  stream(): ReturnType<Sink['stream']> {
    let shown: ReturnType<Sink['stream']> | undefined
    this.later(s => (shown = s.stream()))
    return { write: chunk => this.later(() => shown?.write(chunk)), end: () => this.later(() => shown?.end()) }
  }

  async group<T>(title: string, run: () => Promise<T>): Promise<T> {
    if (!this.queue) return this.target.group(title, run)
    // replayed, the group opens where it opened and closes where it closed: the replay waits for
    // the target's group to end before it shows what came after it
    let close = () => undefined as void
    const closed = new Promise<void>(resolve => (close = resolve))
    let shown: Promise<unknown> = Promise.resolve()
    this.later(s => {
      shown = s.group(title, () => closed)
    })
    try {
      return await run()
    } finally {
      this.later(() => {
        close()
        return shown
      })
    }
  }
}
