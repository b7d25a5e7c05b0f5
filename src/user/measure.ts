import { readFileSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import { createdAccounts } from '../dockerfile/accounts.js'
import { readBase, type Base } from './base-image.js'
import { readServer } from './server-facts.js'
import type { ContainerState } from '../docker/container.js'
import { lastLine } from '../docker/docker.js'
import type { Container } from '../docker/handle.js'
import type { Userns } from '../docker/engine.js'
import type { PlatformRun } from '../report/report.js'

// Stage 5 (measurement): who the container really runs as.
// - Runtime: the real and effective UID of every process in the container, from `docker top`, which
//   runs ps where the engine runs (so a remote DOCKER_HOST works too). PID 1 is the main process.
// - Configured: USER resolved through the image's own /etc/passwd and /etc/group, copied out of the
//   container with `docker cp` (no shell, works on a stopped container too), so `USER app` where app
//   is UID 0 is seen for what it is even when the container died before it could be looked at.
// - Suggested: the non-root account to switch to when it runs as root, for the check's advice.
//
// User namespaces: with the engine's userns-remap, `docker top` shows host UIDs (root in the container
// is e.g. 165536 on the host). Root inside the container is what the image asks for, and still root
// to the app (it can write everything the container owns), so the UIDs are translated into the
// container's namespace: host UID minus the host UID of the container's root, which `docker info`
// tells a remote client too (docker/engine.ts). Exact for root, which is always the range's start; exact for
// every UID in the usual single /etc/subuid range (Docker adds 65536 IDs). A process below that start
// cannot be placed: the runtime user is then unknown, and USER as the image resolves it is judged.
// (/proc/<pid>/uid_map would give the whole map, but only on the engine's host; `docker exec` needs
// a program in the image, which distroless and scratch images do not have.)
//
// PIDs: `docker top` lists the engine host's PIDs (ps runs in the host's PID namespace). The PID a
// process has inside the container is in /proc/<pid>/status (NSpid) only on the engine's host, which
// is not this machine with a remote DOCKER_HOST (or Docker Desktop's VM); ps has no column for it,
// and `docker exec` needs a shell or ps in the image (distroless has neither). So the report keeps
// the host PIDs only to tell PID 1 (State.Pid) from the rest, and nothing shown to users names them.

export type User = PlatformRun['user']

/**
 * `accounts`: the image's account files (readAccounts, started as soon as the container exists, so
 * the copies run while the app starts); `dockerfile`: the Dockerfile and target built, whose RUN
 * lines may create the account to suggest; `userns`: the engine's user-namespace remapping, when it
 * remaps.
 */
export async function measureUser(
  container: Container,
  accounts: Promise<Accounts>,
  state: ContainerState,
  imageUser: string,
  dockerfile: { file?: string; target?: string } = {},
  userns?: Userns
): Promise<User> {
  const { passwd, group, base } = await accounts
  const suggested = suggestAccount(passwd, dockerfileUsers(dockerfile.file, dockerfile.target))
  const user: User = { ...resolveUser(imageUser, passwd, group), ...(suggested && { suggested }), base }
  if (!state.Running) return { ...user, unknownReason: 'the container was not running, so its processes could not be read' }
  if (userns && (userns.rootUid === undefined || userns.rootGid === undefined)) {
    return { ...user, unknownReason: "the engine remaps user namespaces (userns-remap) and docker info did not say to which host UIDs, so docker top's host UIDs could not be read as the container's" }
  }
  const remap = userns && { uid: userns.rootUid!, gid: userns.rootGid! }
  const top = await container.top('pid,ppid,ruid,euid,egid,comm')
  if (top.exitCode !== 0) return { ...user, unknownReason: `docker top failed: ${lastLine(top.stderr)}` }
  const rows = startedByPid1(parseTop(top.stdout), state.Pid)
  const translated = remap ? inContainer(rows, remap) : rows
  if (typeof translated === 'string') return { ...user, remap, unknownReason: translated }
  // A process is root if either its real or its effective UID is 0.
  const names = accountNames(passwd)
  const processes = translated.map(p => {
    const uid = p.ruid === 0 || p.euid === 0 ? 0 : p.euid
    return { pid: p.pid, uid, gid: p.egid, command: p.comm, ...(names.has(uid) && { user: names.get(uid) }) }
  })
  const pid1 = processes.find(p => p.pid === state.Pid)
  if (!pid1) return { ...user, ...(remap && { remap }), processes, unknownReason: "PID 1 of the container was not in docker top's list" }
  const server = pid1.uid === 0 ? await readServer(container, processes, pid1.pid) : undefined
  return { ...user, ...(remap && { remap }), processes, uid: pid1.uid, gid: pid1.gid, process: pid1.command, pid: pid1.pid, ...(server && { server }) }
}

/**
 * `docker top`'s host IDs as the container's user namespace sees them: minus the host UID (GID) of
 * the container's root. A reason instead when a process's ID lies below it (not in the first range).
 */
export function inContainer(rows: TopRow[], remap: { uid: number; gid: number }): TopRow[] | string {
  const outside = rows.find(r => Math.min(r.ruid, r.euid) < remap.uid || r.egid < remap.gid)
  if (outside) {
    return `docker top shows ${outside.comm} as host UID ${Math.min(outside.ruid, outside.euid)}, GID ${outside.egid}, outside the engine's userns-remap range from host UID ${remap.uid}, GID ${remap.gid}, so it could not be read as the container's`
  }
  return rows.map(r => ({ ...r, ruid: r.ruid - remap.uid, euid: r.euid - remap.uid, egid: r.egid - remap.gid }))
}

/** The account files, and the base the advice is written for (base-image.ts), in one temp directory. */
export interface Accounts {
  passwd?: string
  group?: string
  base: Base
}

/** The image's /etc/passwd and /etc/group and what its base is, copied out of the container into `dir` (removed after). */
export async function readAccounts(container: Container, dir: string): Promise<Accounts> {
  try {
    const copy = async (file: string): Promise<string | undefined> => {
      // -L: /etc/passwd may be a symlink in the image; copy what it points to
      const r = await container.copy(`/etc/${file}`, path.join(dir, file), true)
      return r.exitCode === 0 ? readFileSync(path.join(dir, file), 'utf8') : undefined
    }
    // at once: each docker cp is a round trip of its own
    const [passwd, group, base] = await Promise.all([copy('passwd'), copy('group'), readBase(container, dir)])
    return { passwd, group, base }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The users the Dockerfile's final stage creates; none when it cannot be read. */
function dockerfileUsers(file: string | undefined, target: string | undefined): string[] {
  if (!file) return []
  try {
    return createdAccounts(readFileSync(file, 'utf8'), target).users
  } catch {
    return []
  }
}

export type Suggested = NonNullable<User['suggested']>

/**
 * The non-root account to switch to: one the Dockerfile creates (it was made for the app), else one
 * the base image has for people or apps: a login shell, or a home under /home (`node` in node images,
 * `nonroot` in distroless), or the well-known `node`. System accounts (bin, daemon, nobody) are not.
 */
export function suggestAccount(passwd = '', created: string[] = []): Suggested | undefined {
  const users = entries(passwd).filter(e => /^\d+$/.test(e[2] ?? '') && Number(e[2]) !== 0)
  for (const name of created) {
    const entry = users.find(e => e[0] === name)
    if (entry) return { name, uid: Number(entry[2]), ...gidOf(entry), from: 'dockerfile' }
  }
  const candidates = users.filter(([name, , uid, , , home = '', shell = '']) => {
    if (Number(uid) === 65534) return false
    return name === 'node' || /sh$/.test(shell) || home.startsWith('/home/')
  })
  const best = candidates.find(e => e[0] === 'node') ?? candidates[0]
  return best && { name: best[0], uid: Number(best[2]), ...gidOf(best), from: 'image' }
}

/** The account's primary GID, for a numeric USER uid:gid. */
function gidOf(entry: string[]): { gid?: number } {
  return /^\d+$/.test(entry[3] ?? '') ? { gid: Number(entry[3]) } : {}
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

/** UID → the first account of that UID in the image's /etc/passwd. */
function accountNames(passwd = ''): Map<number, string> {
  const names = new Map<number, string>()
  for (const [name, , uid] of entries(passwd)) if (/^\d+$/.test(uid ?? '') && !names.has(Number(uid))) names.set(Number(uid), name)
  return names
}

function entries(text: string): string[][] {
  return text
    .split('\n')
    .filter(line => line && !line.startsWith('#'))
    .map(line => line.split(':'))
}

export interface TopRow {
  pid: number
  ppid: number
  ruid: number
  euid: number
  egid: number
  comm: string
}

/** Parses `docker top NAME -eo pid,ppid,ruid,euid,egid,comm` (a header line, then one row per process). */
export function parseTop(stdout: string): TopRow[] {
  const rows: TopRow[] = []
  for (const line of stdout.split('\n').slice(1)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line)
    if (m) rows.push({ pid: +m[1], ppid: +m[2], ruid: +m[3], euid: +m[4], egid: +m[5], comm: m[6].trim() })
  }
  return rows
}

/**
 * PID 1 and the processes it started (orphans are re-parented to PID 1, so they stay in its tree).
 * The rest were exec'd into the container by the engine — Docker's own HEALTHCHECK probes, which run
 * as root when the image has no USER, or someone's `docker exec` — whose parent is the runtime's shim
 * outside the container: they are not the image's processes, and a probe caught mid-run by
 * `docker top` must not fail the image as "also running as UID 0: sh".
 */
export function startedByPid1<T extends Pick<TopRow, 'pid' | 'ppid'>>(rows: T[], pid1: number): T[] {
  const tree = new Set([pid1])
  // parents can be listed after their children: repeat until nothing more joins the tree
  for (let grew = true; grew; ) {
    grew = false
    for (const r of rows) {
      if (tree.has(r.pid) || !tree.has(r.ppid)) continue
      tree.add(r.pid)
      grew = true
    }
  }
  return rows.filter(r => tree.has(r.pid))
}
