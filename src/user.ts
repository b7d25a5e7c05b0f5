import { docker, lastLine } from './docker.js'
import type { ContainerState } from './health.js'
import type { Report } from './report.js'

// Stage 5 (measurement): the user the container's main process really runs as. The USER string can
// lie (a name that maps to UID 0, an entrypoint that switches user), so read the process itself.
// `docker top` runs ps where the engine runs, so this works with a remote DOCKER_HOST too.

export async function measureUser(name: string, state: ContainerState, report: Report): Promise<void> {
  if (!state.Running) {
    report.user.unknownReason = 'the container was not running, so its processes could not be read'
    return
  }
  const top = await docker(['top', name, '-eo', 'pid,ruid,euid,egid,comm'])
  if (top.exitCode !== 0) {
    report.user.unknownReason = `docker top failed: ${lastLine(top.stderr)}`
    return
  }
  const pid1 = parseTop(top.stdout).find(p => p.pid === state.Pid)
  if (!pid1) {
    report.user.unknownReason = `PID 1 of the container (host PID ${state.Pid}) was not in docker top's list`
    return
  }
  // A process is root if either its real or its effective UID is 0.
  report.user.uid = pid1.ruid === 0 || pid1.euid === 0 ? 0 : pid1.euid
  report.user.gid = pid1.egid
  report.user.process = pid1.comm
}

export interface TopRow {
  pid: number
  ruid: number
  euid: number
  egid: number
  comm: string
}

/** Parses `docker top NAME -eo pid,ruid,euid,egid,comm` (a header line, then one row per process). */
export function parseTop(stdout: string): TopRow[] {
  const rows: TopRow[] = []
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line)
    if (m) rows.push({ pid: +m[1], ruid: +m[2], euid: +m[3], egid: +m[4], comm: m[5].trim() })
  }
  return rows
}
