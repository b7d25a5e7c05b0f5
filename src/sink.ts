// Where a run's messages go. The stages and checks never print or call @actions/core: the action
// gives them a GitHub sink (workflow commands, annotations, outputs, job summary, step failure) and
// the command line a terminal sink (plain text). Tests give them one that records.

/** An annotation's place: a line of a file in the repository. */
export interface Place {
  title: string
  /** relative to the workspace */
  file: string
  line: number
}

export interface Sink {
  info(message: string): void
  /** with a place: an annotation on that line (a BuildKit build check on its Dockerfile line) */
  warning(message: string, place?: Place): void
  error(message: string, place?: Place): void
  /** for whoever debugs the action itself (the runner shows it with step debug logging on) */
  debug(message: string): void
  /** output between these two calls belongs together (a collapsible group on the runner) */
  group<T>(title: string, run: () => Promise<T>): Promise<T>
  /** Lines from the image, its logs or the user: shown as they are, never read as commands. */
  untrusted(lines: string[]): void
  /** Untrusted output streamed as it arrives (the build log); end() when it is over. */
  stream(): { write: (chunk: Buffer) => void; end: () => void }
  /** a value that must never be shown (a secret input) */
  secret(value: string): void
  output(name: string, value: string): void
  summary(markdown: string): Promise<void>
  /** the step (or the command) failed with this one line */
  fail(message: string): void
}

/** A sink that drops everything: for code run where nobody reads its messages (tests). */
export const silent: Sink = {
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  group: (_title, run) => run(),
  untrusted: () => undefined,
  stream: () => ({ write: () => undefined, end: () => undefined }),
  secret: () => undefined,
  output: () => undefined,
  summary: async () => undefined,
  fail: () => undefined
}
