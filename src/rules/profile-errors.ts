import { plain } from '../strip-escapes.js'

// The errors a run-profile setting causes, as real programs print them in a container's log:
// EROFS under read-only, EPERM from what the dropped capabilities forbid (chown, switching user),
// EACCES on a path or a low port. Each is read from one line, in any of its forms:
//   busybox/coreutils  touch: /app/data/x: Read-only file system
//                      mkdir: can't create directory '/app/data': Read-only file system
//                      chown: /app/data: Operation not permitted
//   shells             sh: can't create /app/data/x: Read-only file system
//   Node               Error: EROFS: read-only file system, open '/app/logs/app.log'
//   Python             OSError: [Errno 30] Read-only file system: '/app/data'
//   Go                 open /app/data/x: read-only file system
//   nginx              mkdir() "/var/cache/nginx" failed (30: Read-only file system)
//   su, su-exec, gosu, setpriv refusing to switch user: su: cannot set groups: Operation not permitted
// and the setting it points at is only claimed when that setting was on (setting(), below).

/** EROFS, EPERM, EACCES; `no-new-privileges`: sudo refusing to become root under it. */
export type ProfileErrno = 'read-only' | 'not-permitted' | 'permission-denied' | 'no-new-privileges'

export interface ProfileError {
  errno: ProfileErrno
  /** the path the program named, when it named one */
  path?: string
  /** what failed: chown, setgroups, su-exec, bind… (lower case, as the program wrote it) */
  operation?: string
  /** a bind or listen: the port, when the line gives it */
  port?: number
  /** the line as the container printed it (trimmed) */
  line: string
}

const ERRNOS: [ProfileErrno, RegExp][] = [
  ['no-new-privileges', /"no new privileges" flag is set|effective uid is not 0, is \S*sudo/i],
  ['read-only', /read-only file system|\bEROFS\b|\[Errno 30\]/i],
  ['not-permitted', /operation not permitted|\bEPERM\b|\[Errno 1\]/i],
  ['permission-denied', /permission denied|\bEACCES\b|\[Errno 13\]/i]
]

// What a program was doing, named in its message: the switch-user tools first (su-exec's own
// message names setgroups too, but "su-exec" says more), then the system calls.
const SWITCHERS = /\b(su-exec|gosu|setpriv|runuser|chroot|sudo|su)\b(?=:|\s)|failed switching to\b/i
const CALLS = /\b(l?chown|fchownat|fchown|chmod|fchmod|utimes?|setgroups|initgroups|setresuid|setresgid|setuid|setgid|mknod|bind|listen|can(?:no|')t set (?:groups|uid|gid))\b/i

/** Paths a read-only root does not explain: /proc and /sys are read-only under any profile (sysctl writes there). */
const KERNEL_PATHS = /^\/(?:proc|sys)(?:\/|$)/
const SYSCTL = /\bsysctl\b/

/** Every profile error in the lines, in log order. */
export function profileErrors(lines: string[]): ProfileError[] {
  const found: ProfileError[] = []
  for (const [i, raw] of lines.entries()) {
    const line = plain(raw.slice(0, 4000)).trim()
    const errno = ERRNOS.find(([, re]) => re.test(line))?.[0]
    if (!errno || (errno === 'read-only' && SYSCTL.test(line))) continue
    // Python names the call in its traceback, a line or two above the exception
    const operation = operationIn(line) ?? (/^\w*(?:Error|Exception)\b/.test(line) ? lines.slice(Math.max(0, i - 3), i).map(operationIn).filter(Boolean).at(-1) : undefined)
    const error: ProfileError = { errno, line, ...(operation && { operation }) }
    const path = pathIn(line)
    if (path && !(errno === 'read-only' && KERNEL_PATHS.test(path))) error.path = path
    else if (path) continue
    const port = portIn(line, operation)
    if (port !== undefined) error.port = port
    found.push(error)
  }
  return found
}

function operationIn(line: string): string | undefined {
  const switcher = SWITCHERS.exec(line)
  if (switcher) return switcher[1]?.toLowerCase() ?? 'switch user'
  const call = CALLS.exec(line)?.[1].toLowerCase()
  if (!call) return undefined
  // "can't set groups", "cannot set uid": busybox su and su's own words
  const set = /set (groups|uid|gid)$/.exec(call)
  return set ? `set${set[1]}` : call
}

/** The path the line names: quoted ('…', "…", ‘…’), or bare before a colon (touch: /x: …; open /x: …). */
function pathIn(line: string): string | undefined {
  const quoted = /['"‘`](\/[^'"’`\n]*)['"’`]/.exec(line)
  if (quoted) return quoted[1]
  const bare = /(?:^|[\s(])(\/[^\s:'",()]+)/.exec(line)
  return bare?.[1]
}

/** A bind's or listen's port: `0.0.0.0:80`, `:80`, `('0.0.0.0', 80)`, `bind() to [::]:80`. */
function portIn(line: string, operation?: string): number | undefined {
  if (operation !== 'bind' && operation !== 'listen' && !/\b(?:bind|listen)\b/i.test(line)) return undefined
  // the last: a timestamp's minutes and seconds come before the address
  const m = [...line.matchAll(/:(\d{1,5})\b(?![.\d])|', (\d{1,5})\)/g)].at(-1)
  const port = m && Number(m[1] ?? m[2])
  return port && port <= 65535 ? port : undefined
}

// Which setting a profile error points at, and whether the line alone proves it. A line proves it
// when the error cannot happen without the setting: EROFS on a path only comes from read-only
// (/proc and /sys are left out above); a chown or a user switch refused to root only from the
// capabilities restricted and openshift drop (root has them under Docker's defaults; a non-root
// USER is refused under them too); sudo's "no new privileges" only from no-new-privileges. EACCES
// is the image's own as often (a path its USER cannot write either, a low port on an engine that
// does not open them to every user), so it points at a setting but only a run without it proves it.

export type Setting = 'read-only' | 'restricted' | 'openshift'

export interface ProfileCause extends ProfileError {
  setting: Setting
  /** the capability the profile dropped that the call needs, e.g. CAP_CHOWN */
  capability?: string
  /** the line alone proves it (see above) */
  sure: boolean
}

/** How the container ran (a run's settings) and whether the image's USER is root. */
export interface RunAs {
  profile: Setting | 'docker'
  readOnly: boolean
  imageRoot: boolean
}

const CAPABILITIES: [RegExp, string][] = [
  [/chown/, 'CAP_CHOWN'],
  [/^(?:f?chmod|utimes?)$/, 'CAP_FOWNER'],
  [/^(?:setgroups|initgroups|setgid|setresgid)$/, 'CAP_SETGID'],
  [/^(?:setuid|setresuid)$/, 'CAP_SETUID'],
  [/^(?:su|su-exec|gosu|setpriv|runuser|switch user)$/, 'CAP_SETUID and CAP_SETGID'],
  [/^mknod$/, 'CAP_MKNOD'],
  [/^chroot$/, 'CAP_SYS_CHROOT'],
  [/^(?:bind|listen)$/, 'CAP_NET_BIND_SERVICE']
]

export function capabilityOf(operation = ''): string | undefined {
  return CAPABILITIES.find(([re]) => re.test(operation))?.[1]
}

/** The profile errors in the lines that a setting that was on explains, in log order. */
export function profileCauses(lines: string[], run: RunAs): ProfileCause[] {
  // a line said twice (busybox chown -R, a restart loop) is one cause
  const errors = profileErrors(lines).filter((e, i, all) => all.findIndex(o => o.line === e.line) === i)
  return errors.flatMap(e => {
    const cause = causeOf(e, run)
    return cause ? [cause] : []
  })
}

function causeOf(e: ProfileError, run: RunAs): ProfileCause | undefined {
  const profile = run.profile === 'docker' ? undefined : run.profile
  if (e.errno === 'read-only') return run.readOnly ? { ...e, setting: 'read-only', sure: true } : undefined
  if (!profile) return undefined
  if (e.errno === 'no-new-privileges') return { ...e, setting: profile, sure: true }
  const low = e.operation === 'bind' || e.operation === 'listen'
  if (low) return e.errno === 'permission-denied' && (e.port === undefined || e.port < 1024) ? { ...e, setting: profile, capability: 'CAP_NET_BIND_SERVICE', sure: false } : undefined
  if (e.errno === 'not-permitted') {
    const capability = capabilityOf(e.operation)
    return { ...e, setting: profile, ...(capability && { capability }), sure: run.imageRoot && capability !== undefined }
  }
  // EACCES on a path: openshift's UID cannot write what the image's user owns; under restricted
  // only root is refused more than before (without CAP_DAC_OVERRIDE)
  if (profile === 'openshift') return { ...e, setting: profile, sure: false }
  return run.imageRoot ? { ...e, setting: profile, capability: 'CAP_DAC_OVERRIDE', sure: false } : undefined
}

/** The one setting the sure causes all point at, if they do: then no run without it is needed. */
export function pinned(causes: ProfileCause[]): Setting | undefined {
  const settings = new Set(causes.filter(c => c.sure).map(c => c.setting))
  return settings.size === 1 ? [...settings][0] : undefined
}
