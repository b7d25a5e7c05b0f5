import type { Check, Report } from '../report/report.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'

// The UID the container's processes really run as (not the USER string), and the fix for root.

export const userCheck: CheckRule = (report, inputs) => [userRow(report, inputs)]

function userRow(report: Report, inputs: JudgeInputs): Check {
  const u = report.user
  if (report.health.verdict === 'skipped' && u.uid === undefined && u.resolvedUid === undefined) return notRun('user', report)
  const limit = inputs.requireNonRoot ? 'non-root' : ''
  const judged = (status: Check['status'], value: string, detail: string): Check =>
    inputs.requireNonRoot
      ? { name: 'user', status, value, limit, detail }
      : { name: 'user', status: 'skip', value, limit, detail: `${detail} Not judged (require-non-root: false).` }

  const user = report.image.user ?? ''
  const configured = describeConfigured(user, u)
  if (u.uid === undefined) {
    // The container died before it could be looked at: judge USER as the image resolves it.
    if (u.resolvedUid === undefined) {
      return { name: 'user', status: 'skip', value: 'unknown', limit: '', detail: `${configured}; runtime user not read: ${u.unknownReason}.` }
    }
    const value = `UID ${u.resolvedUid} (${user ? 'from USER' : 'no USER: root by default'})`
    const why = `${configured}. Runtime user not read (${u.unknownReason}), so this is ${user ? 'USER as the image resolves it' : "Docker's default user"}.`
    return u.resolvedUid === 0 ? judged('fail', value, `${why} ${fixRoot(user, u)}`) : judged('pass', value, why)
  }

  const value = `UID ${u.uid}${u.gid !== undefined ? `, GID ${u.gid}` : ''}`
  // by name only: the PIDs docker top gives are the engine host's, not the container's (stages/user.ts);
  // under a root PID 1 its root children say nothing new, and the fix (USER) covers them too
  const others = (u.processes ?? []).filter(p => p.uid === 0 && p.pid !== u.pid)
  const rootOthers = others.length && u.uid !== 0 ? ` Also running as UID 0: ${countedNames(others.map(p => p.command))}.` : ''
  const seen = `${configured}; PID 1 (${u.process}) runs as UID ${u.uid}${remapped(u.uid, u.remap)}.${rootOthers}`
  if (u.uid !== 0 && others.length === 0) return judged('pass', value, seen)
  const fix = u.uid !== 0 ? 'Start every process as the unprivileged user, or drop the root helper.' : fixRoot(user, u)
  // a remapped root is still root to the image: say so before someone counts on the remap
  const stillRoot = u.uid === 0 && u.remap ? " The remap limits it on the engine's host only: inside, it is still root to the app and can write everything the container owns." : ''
  return judged('fail', value, `${seen}${stillRoot} ${fix}`)
}

/** Under the engine's userns-remap: which host UID the container's `uid` is (docker top shows that one). */
function remapped(uid: number, remap: Report['user']['remap']): string {
  if (!remap) return ''
  const host = `host UID ${remap.uid + uid}`
  return uid === 0 ? ` (root inside the container, mapped to ${host} by the engine's userns-remap)` : ` inside the container (${host} under the engine's userns-remap)`
}

/** "sleep, sh (2 processes)": each command once, with how many run it when more than one. */
function countedNames(commands: string[]): string {
  const counts = new Map<string, number>()
  for (const command of commands) counts.set(command, (counts.get(command) ?? 0) + 1)
  return [...counts].map(([command, n]) => (n > 1 ? `${command} (${n} processes)` : command)).join(', ')
}

/** `user`: the image's USER ("" when unset). */
function describeConfigured(user: string, u: Report['user']): string {
  if (!user) return 'no USER: root by default'
  if (u.unresolved) return `USER ${user} (${u.unresolved})`
  if (u.resolvedUid !== undefined && !/^\d+(:\d+)?$/.test(user) && !isRoot(user)) return `USER ${user} (UID ${u.resolvedUid} in the image)`
  return `USER ${user}`
}

/** USER root or USER 0 (with any group): root by its very name, not an account that happens to be UID 0. */
function isRoot(user: string): boolean {
  return /^(root|0)$/.test(user.split(':')[0])
}

/** The fix for a root PID 1: switch to the account the image already has for it, else create one. */
function fixRoot(user: string, u: Report['user']): string {
  const s = u.suggested
  // no shell: no RUN can run there, and a numeric USER is what works (and what runAsNonRoot can verify)
  const shellLess = u.base?.shell === false
  const whose = s && `the non-root account ${s.from === 'dockerfile' ? 'the Dockerfile creates' : 'the base image has'}`
  const switchTo = s && (shellLess ? `USER ${s.uid}:${s.gid ?? s.uid} (${s.name}, ${whose}): numeric, so it needs nothing run in the image and Kubernetes' runAsNonRoot can verify it` : `USER ${s.name} (UID ${s.uid}), ${whose}`)
  const account = user.split(':')[0]
  if (user && !isRoot(user) && u.resolvedUid === 0) {
    const alias = `USER ${account} is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001), or use a numeric USER.`
    return s && s.name !== account ? `${alias} Or switch to ${switchTo}.` : alias
  }
  if (user && u.resolvedUid !== undefined && u.resolvedUid !== 0) return `USER ${user} is not root: PID 1 became root after it started (a setuid program, su or sudo): start it as USER ${user}.`
  return switchTo ? `Switch to ${switchTo}.` : createAccount(u.base)
}

/** How to make a non-root account, written for the image's base (base.ts) where it is known. */
function createAccount(base: Report['user']['base']): string {
  if (base?.shell === false) {
    return 'The image has no shell (/bin/sh), so no RUN can create an account in it: set a numeric USER 10001:10001 in the final stage (it needs no /etc/passwd entry).'
  }
  const busybox = 'RUN adduser -D -u 10001 app'
  const shadow = 'RUN useradd --system --uid 10001 app'
  const command = base?.os === 'alpine' || base?.os === 'busybox' ? busybox : base?.os === 'debian' || base?.os === 'rhel' ? shadow : `${busybox} on Alpine and busybox, ${shadow} on Debian and Red Hat;`
  const noShell = base?.shell ? '' : ', or use a numeric USER 10001 where the image has no shell'
  return `Create a non-root account in the final stage and switch to it (${command}${command.endsWith(';') ? '' : ','} then USER app)${noShell}.`
}
