import { readdirSync, readFileSync } from 'node:fs'
import { constants } from 'node:os'
import type { SignalFacts } from '../rules/stop-signal.js'
import { containerListening } from './sockets.js'

// What the kernel shows of a container's PID 1 and one signal, where the engine runs on this host:
// whether a handler of its catches the signal, whether its main thread blocks it, whether it is
// pending, whether a thread sleeps in a signal wait (sigtimedwait: how tini takes signals), and how
// often its threads have woken. rules/stop-signal.ts reads them to tell a signal the kernel
// dropped (pid_namespaces(7): PID 1 gets a signal from outside only when it has a way to take it)
// from one that is on its way. Every field is world-readable but wchan, which reads "0" to a user
// who may not ptrace the process (GitHub's runner user, for a root container): then `waiting` is
// unknown.

/** The bit of `signal` in a /proc mask ("SigCgt:\t0000000000004000"), or undefined without the field. */
function bit(status: string, field: string, number: number): boolean | undefined {
  const mask = new RegExp(`^${field}:\\s+([0-9a-f]+)$`, 'im').exec(status)?.[1]
  return mask === undefined ? undefined : ((BigInt(`0x${mask}`) >> BigInt(number - 1)) & 1n) === 1n
}

function numberOf(signal: string): number | undefined {
  const number = (constants.signals as Record<string, number>)[signal]
  return number === undefined || number === constants.signals.SIGKILL ? undefined : number
}

/** The status file of a host PID, when that process is in the container (its cgroup names it). */
function statusOf(hostPid: number, containerId: string, proc: string): string | undefined {
  if (!hostPid || !containerId) return undefined
  try {
    if (!readFileSync(`${proc}/${hostPid}/cgroup`, 'utf8').includes(containerId)) return undefined
    return readFileSync(`${proc}/${hostPid}/status`, 'utf8')
  } catch {
    return undefined // not on this host, or gone
  }
}

/**
 * PID 1's facts for `signal`, or undefined when they cannot be told here (a remote engine, Docker
 * Desktop's VM, --pid=host, a kernel without the fields, SIGKILL): the caller then waits as docker
 * stop does.
 */
export function readSignalFacts(hostPid: number, containerId: string, signal: string, proc = '/proc'): SignalFacts | undefined {
  const number = numberOf(signal)
  const status = number === undefined ? undefined : statusOf(hostPid, containerId, proc)
  if (number === undefined || status === undefined) return undefined
  // "NSpid: 6221 1": PID 1 in the innermost namespace, which is not the host's
  const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/)
  if (!nspid || nspid.length < 2 || nspid[nspid.length - 1] !== '1') return undefined
  // handlers belong to the process (every thread shows the same SigCgt); the kernel decides whether
  // a signal sent to the process is dropped on its main thread's mask (prepare_signal), which
  // /proc/<pid>/status shows; pending on the process is ShdPnd, on the main thread SigPnd
  const caught = bit(status, 'SigCgt', number)
  const blocked = bit(status, 'SigBlk', number)
  const pending = bit(status, 'ShdPnd', number) || bit(status, 'SigPnd', number)
  if (caught === undefined || blocked === undefined || pending === undefined) return undefined
  const threads = threadsOf(hostPid, proc)
  return {
    program: /^Name:\s+(.*)$/m.exec(status)?.[1].trim() ?? '',
    caught,
    blocked,
    pending,
    ...(threads.waiting !== undefined && { waiting: threads.waiting }),
    switches: threads.switches,
    listening: containerListening(hostPid, containerId, proc)
  }
}

/** Whether any thread sleeps in a signal wait (undefined: wchan not readable here), and the threads' wake-ups. */
function threadsOf(hostPid: number, proc: string): { waiting?: boolean; switches: number } {
  let tids: string[]
  try {
    tids = readdirSync(`${proc}/${hostPid}/task`)
  } catch {
    return { switches: -1 }
  }
  let switches = 0
  let seen = true
  let waiting = false
  for (const tid of tids) {
    const read = (file: string) => {
      try {
        return readFileSync(`${proc}/${hostPid}/task/${tid}/${file}`, 'utf8')
      } catch {
        return undefined // a thread that ended meanwhile, or wchan not allowed
      }
    }
    for (const m of (read('status') ?? '').matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)) switches += Number(m[1])
    // "0": not allowed to see it (or running right now)
    const wchan = read('wchan')?.trim()
    if (wchan === undefined || wchan === '0' || wchan === '') seen = false
    else if (/sigtimedwait/.test(wchan)) waiting = true
  }
  return { switches, ...((waiting || seen) && { waiting }) }
}

/**
 * The PID another process of the container has in the container's own namespace (NSpid's last,
 * the one its own log and `ps` inside show, never the host's), when it has a handler for `signal`.
 */
export function catcherPid(hostPid: number, containerId: string, signal: string, proc = '/proc'): number | undefined {
  if (catches(hostPid, containerId, signal, proc) !== true) return undefined
  const nspid = /^NSpid:\s+(.+)$/m.exec(statusOf(hostPid, containerId, proc) ?? '')?.[1].trim().split(/\s+/)
  const inner = nspid && nspid.length > 1 ? Number(nspid[nspid.length - 1]) : undefined
  return inner !== undefined && Number.isInteger(inner) ? inner : undefined
}

/**
 * Whether a process of the container (not PID 1) has a handler for `signal`: one the app would
 * shut down on, had PID 1 passed the signal on. Undefined when it cannot be read here.
 */
export function catches(hostPid: number, containerId: string, signal: string, proc = '/proc'): boolean | undefined {
  const number = numberOf(signal)
  const status = number === undefined ? undefined : statusOf(hostPid, containerId, proc)
  return status === undefined || number === undefined ? undefined : bit(status, 'SigCgt', number)
}
