import { readFileSync } from 'node:fs'

// Which TCP ports the processes of a container listen on, read from the kernel where the engine
// runs on this host: /proc/<pid>/net/tcp and tcp6 of its PID 1 list the sockets of its network
// namespace, whatever the image holds (no shell, no netstat needed). A queue worker listens on
// none, and is then not told to probe an HTTP endpoint it does not have.

/** LISTEN in the `st` column of /proc/net/tcp (include/net/tcp_states.h). */
const LISTEN = '0A'

/** The listening ports of one /proc/net/tcp or tcp6 table, lowest first. */
export function listeningPortsOf(table: string): number[] {
  const ports = new Set<number>()
  for (const line of table.split('\n').slice(1)) {
    // "   0: 00000000:1F90 00000000:0000 0A ...": the local address ends in the port, in hex
    const [, local, , state] = line.trim().split(/\s+/)
    if (state !== LISTEN || !local) continue
    const port = parseInt(local.split(':').pop() ?? '', 16)
    if (port > 0) ports.add(port)
  }
  return [...ports].sort((a, b) => a - b)
}

/**
 * The TCP ports the container listens on, or undefined when that cannot be told here (a remote
 * engine, Docker Desktop's VM, a PID that is not this container's: its cgroup must name it).
 */
export function containerListening(hostPid: number, containerId: string, proc = '/proc'): number[] | undefined {
  if (!hostPid || !containerId) return undefined
  try {
    if (!readFileSync(`${proc}/${hostPid}/cgroup`, 'utf8').includes(containerId)) return undefined
    const tables = ['tcp', 'tcp6'].map(name => {
      try {
        return readFileSync(`${proc}/${hostPid}/net/${name}`, 'utf8')
      } catch {
        return '' // a kernel without IPv6
      }
    })
    if (tables.every(t => t === '')) return undefined
    return [...new Set(tables.flatMap(listeningPortsOf))].sort((a, b) => a - b)
  } catch {
    return undefined // not on this host, or gone
  }
}
