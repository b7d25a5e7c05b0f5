// When a stop signal is known lost, so the stop can only end in SIGKILL after the grace period and
// need not be waited out. Pure: the facts come from the kernel (docker/pid1.ts), read just before
// the signal is sent and again after.
//
// In its own PID namespace PID 1 gets a signal from outside (docker stop, the kubelet) only when it
// has a way to take it (pid_namespaces(7)): the kernel drops it at once when PID 1's handler is the
// default and its main thread does not block it, unless a thread sleeps in sigtimedwait for it
// (tini, catatonit, s6 take signals that way, with no handler and nothing blocked while they wait).
// Dropped leaves no trace, so the rule asks what could have taken it, and says "lost" only when
// nothing could.

/** What the kernel shows of PID 1 and one signal at one moment. */
export interface SignalFacts {
  /** /proc/<pid>/status Name: the program */
  program: string
  /** a handler of the process catches it (SigCgt) */
  caught: boolean
  /** its main thread blocks it (SigBlk), so it would wait, pending */
  blocked: boolean
  /** it is pending (ShdPnd, SigPnd) */
  pending: boolean
  /** a thread sleeps in sigtimedwait (wchan); undefined when wchan cannot be read here (not root) */
  waiting?: boolean
  /** its threads' context switches, summed: a thread that took a signal woke for it */
  switches: number
  /** the TCP ports listened on in its network namespace, when readable */
  listening?: number[]
}

/** Programs that run as PID 1 to pass signals on to the app and reap zombies. */
const INITS = ['dumb-init', 'tini', 'tini-static', 'docker-init', 'catatonit', 's6-svscan']

/** Whether PID 1's program is an init that passes signals on. */
export function initOf(pid1: string | undefined): string | undefined {
  const name = pid1?.split('/').pop()
  return name && INITS.includes(name) ? name : undefined
}

/**
 * After a one-shot handler ran (Node's own, which restores the terminal and re-raises the signal:
 * a no-op for PID 1), a shutdown of the app's own would have begun by now: it closes its listening
 * socket first. One that still listens this long after the signal, with no handler left, is not
 * shutting down.
 */
export const RESET_SETTLE_MS = 300

export type Lost = 'no-handler' | 'reset'

/**
 * Whether the signal sent between `before` and `after` is known lost: 'no-handler' when nothing of
 * PID 1 could take it when it came (no handler, not blocked, no signal wait, and, where the wait
 * cannot be seen, no thread woke since); 'reset' when PID 1 caught it once and, `sinceSignalMs`
 * later, has no handler left and still listens on every port it did. Undefined: not known, wait as
 * docker stop does.
 */
export function lostSignal(before: SignalFacts, after: SignalFacts, sinceSignalMs: number): Lost | undefined {
  if (initOf(before.program) || initOf(after.program)) return undefined
  if (after.caught || after.blocked || after.pending || after.waiting) return undefined
  if (!before.caught && !before.blocked && !before.pending && !before.waiting) {
    if (after.waiting === false && before.waiting === false) return 'no-handler'
    // a signal wait cannot be seen here: it took the signal only if a thread woke
    return before.switches >= 0 && after.switches === before.switches ? 'no-handler' : undefined
  }
  const ports = before.listening ?? []
  if (before.caught && sinceSignalMs >= RESET_SETTLE_MS && ports.length > 0 && ports.every(p => after.listening?.includes(p))) return 'reset'
  return undefined
}
