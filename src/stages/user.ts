import { readFileSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import type { ContainerState } from '../docker/container.js'
import { lastLine, type Docker } from '../docker/docker.js'
import type { Report } from '../report/report.js'

// Stage 5 (measurement): who the container really runs as.
// - Runtime: the real and effective UID of every process in the container, from `docker top`, which
//   runs ps where the engine runs (so a remote DOCKER_HOST works too). PID 1 is the main process.
// - Configured: USER resolved through the image's own /etc/passwd and /etc/group, copied out of the
//   container with `docker cp` (no shell, works on a stopped container too), so `USER app` where app
//   is UID 0 is seen for what it is even when the container died before it could be looked at.

export type User = Report['user']

/** `tempDir`: where the image's account files are copied to (the run's own temp directory). */
export async function measureUser(docker: Docker, tempDir: () => string, name: string, state: ContainerState, imageUser: string): Promise<User> {
  const accounts = await readAccounts(docker, tempDir(), name)
  const user: User = resolveUser(imageUser, accounts.passwd, accounts.group)
  if (!state.Running) return { ...user, unknownReason: 'the container was not running, so its processes could not be read' }
  const top = await docker.call(['top', name, '-eo', 'pid,ruid,euid,egid,comm'])
  if (top.exitCode !== 0) return { ...user, unknownReason: `docker top failed: ${lastLine(top.stderr)}` }
  // A process is root if either its real or its effective UID is 0.
  const processes = parseTop(top.stdout).map(p => ({ pid: p.pid, uid: p.ruid === 0 || p.euid === 0 ? 0 : p.euid, gid: p.egid, command: p.comm }))
  const pid1 = processes.find(p => p.pid === state.Pid)
  if (!pid1) return { ...user, processes, unknownReason: `PID 1 of the container (host PID ${state.Pid}) was not in docker top's list` }
  return { ...user, processes, uid: pid1.uid, gid: pid1.gid, process: pid1.command, pid: pid1.pid }
}

async function readAccounts(docker: Docker, dir: string, name: string): Promise<{ passwd?: string; group?: string }> {
  try {
    const copy = async (file: string): Promise<string | undefined> => {
      // -L: /etc/passwd may be a symlink in the image; copy what it points to
      const r = await docker.call(['cp', '-L', `${name}:/etc/${file}`, path.join(dir, file)])
      return r.exitCode === 0 ? readFileSync(path.join(dir, file), 'utf8') : undefined
    }
    return { passwd: await copy('passwd'), group: await copy('group') }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface Resolved {
  resolvedUid?: number
  resolvedGid?: number
  /** why USER could not be resolved (Docker would refuse to start such a container) */
  unresolved?: string
}

/**
 * USER as Docker resolves it: "" is root; "name" and "name:group" are looked up in the image's
 * files; numbers need no entry (a numeric UID without one gets GID 0, as Docker gives it).
 */
export function resolveUser(configured: string, passwd = '', group = ''): Resolved {
  if (configured === '') return { resolvedUid: 0, resolvedGid: 0 }
  const [userPart, groupPart] = configured.split(':', 2)
  const users = entries(passwd)
  const groups = entries(group)
  const byName = users.find(e => e[0] === userPart)
  let uid: number
  let gid: number
  if (/^\d+$/.test(userPart)) {
    uid = Number(userPart)
    const entry = users.find(e => e[2] === userPart)
    gid = entry ? Number(entry[3]) : 0
  } else if (byName) {
    uid = Number(byName[2])
    gid = Number(byName[3])
  } else {
    return { unresolved: `user "${userPart}" is not in the image's /etc/passwd` }
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (/^\d+$/.test(groupPart)) gid = Number(groupPart)
    else {
      const g = groups.find(e => e[0] === groupPart)
      if (!g) return { resolvedUid: uid, unresolved: `group "${groupPart}" is not in the image's /etc/group` }
      gid = Number(g[2])
    }
  }
  return { resolvedUid: uid, resolvedGid: gid }
}

function entries(text: string): string[][] {
  return text
    .split('\n')
    .filter(line => line && !line.startsWith('#'))
    .map(line => line.split(':'))
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
