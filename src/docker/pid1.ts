import { readFileSync } from 'node:fs'
import { constants } from 'node:os'

// Whether a container's PID 1 handles a signal, read from the kernel where the engine runs on this
// host. In its own PID namespace, PID 1 gets a signal from outside (docker stop, the kubelet) only
// if it has a handler for it (pid_namespaces(7)): without one, SIGTERM does nothing, and the stop
// can only end in SIGKILL once the grace period is over. Known at once, instead of waited out.

/**
 * true or false when /proc/<hostPid> is this container's PID 1 (its cgroup names the container, and
 * it is PID 1 of its own namespace); undefined when that cannot be told (a remote engine, Docker
 * Desktop's VM, --pid=host, a kernel without the fields): then the caller waits as docker stop does.
 */
export function pid1Handles(hostPid: number, containerId: string, signal: string, proc = '/proc'): boolean | undefined {
  const number = (constants.signals as Record<string, number>)[signal]
  if (!hostPid || !containerId || number === undefined || number === constants.signals.SIGKILL) return undefined
  let status: string
  try {
    if (!readFileSync(`${proc}/${hostPid}/cgroup`, 'utf8').includes(containerId)) return undefined
    status = readFileSync(`${proc}/${hostPid}/status`, 'utf8')
  } catch {
    return undefined // not on this host, or gone
  }
  // "NSpid: 6221 1": PID 1 in the innermost namespace, which is not the host's
  const nspid = /^NSpid:\s+(.+)$/m.exec(status)?.[1].trim().split(/\s+/)
  if (!nspid || nspid.length < 2 || nspid[nspid.length - 1] !== '1') return undefined
  const caught = /^SigCgt:\s+([0-9a-f]+)$/im.exec(status)?.[1]
  if (caught === undefined) return undefined
  return ((BigInt(`0x${caught}`) >> BigInt(number - 1)) & 1n) === 1n
}
