// The one wait loop: look at Docker's state, and if it has not decided, sleep until the next event
// (docker events) or a safety poll, then look again. The health wait and the smoke commands use it;
// the clock is injected, so tests run it on fake time.

/** Without events, look anyway this often: a lost event stream costs at most this. */
export const SAFETY_POLL_MS = 2000

export interface Waiter {
  now: () => number
  /** resolves on the next event for the container, or after `ms` */
  wait: (ms: number) => Promise<void>
}

/**
 * Calls `look` at once and after each wake-up until it returns a value. `look` is told when
 * `limitMs` has passed since the start, and must then decide. Between looks it sleeps until an
 * event, the limit, or `pollMs()` (the safety poll unless the caller expects news sooner).
 */
export async function waitUntil<T>(
  clock: Waiter,
  limitMs: number,
  look: (overdue: boolean) => Promise<T | undefined>,
  pollMs: () => number = () => SAFETY_POLL_MS
): Promise<T> {
  const started = clock.now()
  for (;;) {
    const overdue = clock.now() - started >= limitMs
    const result = await look(overdue)
    if (result !== undefined) return result
    if (overdue) throw new Error('the wait ran past its limit without a decision')
    await clock.wait(Math.max(0, Math.min(pollMs(), SAFETY_POLL_MS, limitMs - (clock.now() - started))))
  }
}
