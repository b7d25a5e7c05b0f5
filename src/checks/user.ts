import type { Check, PlatformRun } from '../report/report.js'
import { serverAdvice } from '../advice/server.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'
import { configuredUser, namedUser, runAsNonRootRefusal } from '../advice/user.js'

// The UID the container's processes really run as (not the USER string), and the fix for root.
//
// Under run-profile restricted and openshift the image's USER is also judged as the kubelet judges
// it for a pod with runAsNonRoot: true and no runAsUser (kuberuntime's verifyRunAsNonRoot): a USER
// whose user part is a number is verified by that number; a name (nodejs, nodejs:nodejs, even
// root) cannot be verified, and the pod is refused; no USER at all counts as root (the kubelet's
// "if none of them is set, treat it as root"; Docker 29 leaves an empty Config.User out, which the
// report keeps as undefined and which is read here as "").
// - restricted stands for that pod, so the refusal fails the row even when the process runs as a
//   non-root UID, and require-non-root: false does not waive it: the pod would not start at all.
// - openshift: restricted-v2 (MustRunAsRange) sets runAsUser to the project's UID, so the kubelet
//   never looks at USER there and the image runs as that UID in group 0 whatever USER says (the
//   container ran so: --user, stages/profile.ts). USER still decides where the UID is left to the image:
//   the nonroot-v2 SCC (MustRunAsNonRoot) and the same image on plain Kubernetes. So the row says
//   the UID the platform gave, and the refusal (a name, or root) fails it, so the image runs under
//   every SCC and on Kubernetes too, saying restricted-v2 would accept it; require-non-root: false
//   waives it there, since the default SCC does run the image. (Passing root while failing a
//   non-root name would make dropping USER look like the fix.)
// - docker: a user name is advice in a passing row's detail, not a failure.

export const userCheck: CheckRule = (run, inputs) => [userRow(run, inputs)]

type Profile = JudgeInputs['runProfile']

type Named = NonNullable<ReturnType<typeof namedUser>>

/** "USER 1001:1001 — the UID of nodejs in this image —", or a numeric USER in general where its UID is not known. */
function byNumber(named: Named): string | undefined {
  if (named.uid === undefined) return undefined
  return `USER ${named.gid !== undefined ? `${named.uid}:${named.gid}` : named.uid} — the UID of ${named.name} in this image —`
}

/** "Use USER 1001:1001 — the UID of nodejs in this image — so Kubernetes can verify it is not root." */
function numericFix(named: Named): string {
  return `Use ${byNumber(named) ?? 'a numeric USER of a non-root account (e.g. USER 10001:10001)'} so Kubernetes can verify it is not root.`
}

/** What the runtime shows: a verdict on the UIDs alone, what was seen, and the fix when it fails. */
interface Runtime {
  status: Check['status']
  value: string
  seen: string
  fix: string
}

function userRow(run: PlatformRun, inputs: JudgeInputs): Check {
  const u = run.user
  if (run.health.verdict === 'skipped' && u.uid === undefined && u.resolvedUid === undefined) return notRun('user', run)
  const profile = inputs.runProfile
  const user = configuredUser(run)
  const runtime = runtimeOf(run, profile)
  const refusal = profile === 'docker' ? undefined : runAsNonRootRefusal(user)
  const named = namedUser(run)
  const detail = (...parts: string[]) => parts.filter(Boolean).join(' ')

  if (!refusal) {
    // Docker's defaults, or a numeric non-root USER: the runtime UIDs decide, as require-non-root says
    const advice = profile === 'docker' && named && runtime.status === 'pass' ? advise(named) : ''
    const text = detail(runtime.seen, runtime.fix, advice)
    if (runtime.status === 'skip') return { name: 'user', status: 'skip', value: runtime.value, limit: '', detail: text }
    if (!inputs.requireNonRoot) return { name: 'user', status: 'skip', value: runtime.value, limit: '', detail: `${text} Not judged (require-non-root: false).` }
    return { name: 'user', status: runtime.status, value: runtime.value, limit: limitOf(profile), detail: text }
  }

  // the kubelet would refuse the pod: the refusal in its own words, and the fix by number
  const refused =
    profile === 'restricted'
      ? `Kubernetes refuses it under runAsNonRoot, which the restricted profile requires: "${refusal.words}".`
      : `OpenShift's restricted-v2 SCC runs it anyway, as its own UID; where the UID is left to the image (the nonroot-v2 SCC, or Kubernetes with runAsNonRoot) it is refused: "${refusal.words}".`
  const fixes = named ? [numericFix(named), runtime.fix] : [runtime.fix || fixRoot(user, u, true)]
  const text = detail(runtime.seen, refused, ...fixes)
  if (inputs.requireNonRoot) return { name: 'user', status: 'fail', value: runtime.value, limit: limitOf(profile), detail: text }
  if (profile === 'restricted') {
    return { name: 'user', status: 'fail', value: runtime.value, limit: limitOf(profile), detail: `${text} require-non-root: false does not waive this: Kubernetes would not start the pod.` }
  }
  return { name: 'user', status: 'skip', value: runtime.value, limit: '', detail: `${text} Not judged (require-non-root: false).` }
}

function limitOf(profile: Profile): string {
  return profile === 'docker' ? 'non-root' : 'non-root, numeric USER'
}

/** Under Docker's defaults, one sentence for the day the image meets Kubernetes. */
function advise(named: Named): string {
  return `For Kubernetes, use ${byNumber(named) ?? 'a numeric USER'} so runAsNonRoot can verify it is not root: a user name is refused there (run-profile: restricted fails it).`
}

function runtimeOf(run: PlatformRun, profile: Profile): Runtime {
  const u = run.user
  const user = configuredUser(run)
  const numeric = profile !== 'docker'
  const configured = describeConfigured(user, u, run.settings?.user)
  // openshift: the platform's UID runs, not USER's; say so before any UID is named
  const platform = profile === 'openshift' ? openshiftNote(run) : ''
  if (u.uid === undefined) {
    if (platform) {
      const value = `UID ${run.settings?.uid ?? 'unknown'}, GID ${run.settings?.gid ?? 0} (OpenShift's)`
      return { status: 'pass', value, seen: `${configured}${platform}. Runtime user not read (${u.unknownReason}), so this is the UID OpenShift gives.`, fix: '' }
    }
    // The container died before it could be looked at: judge USER as the image resolves it.
    if (u.resolvedUid === undefined) {
      return { status: 'skip', value: 'unknown', seen: `${configured}; runtime user not read: ${u.unknownReason}.`, fix: '' }
    }
    const value = `UID ${u.resolvedUid} (${user ? 'from USER' : 'no USER: root by default'})`
    const why = `${configured}. Runtime user not read (${u.unknownReason}), so this is ${user ? 'USER as the image resolves it' : "Docker's default user"}.`
    return u.resolvedUid === 0 ? { status: 'fail', value, seen: why, fix: fixRoot(user, u, numeric) } : { status: 'pass', value, seen: why, fix: '' }
  }

  const value = `UID ${u.uid}${u.gid !== undefined ? `, GID ${u.gid}` : ''}`
  // by name only: the PIDs docker top gives are the engine host's, not the container's (user/measure.ts);
  // under a root PID 1 its root children say nothing new, and the fix (USER) covers them too
  const others = (u.processes ?? []).filter(p => p.uid === 0 && p.pid !== u.pid)
  const rootOthers = others.length && u.uid !== 0 ? ` Also running as UID 0: ${countedNames(others.map(p => p.command))}.` : ''
  // a root server master that starts its workers as another account: what runs as whom, and its own way
  const server = u.uid === 0 ? serverAdvice(run, numeric) : undefined
  const seen = `${configured}${platform}; PID 1 (${u.process}) runs as UID ${u.uid}${remapped(u.uid, u.remap)}.${rootOthers}${server?.seen ?? ''}`
  if (u.uid !== 0 && others.length === 0) return { status: 'pass', value, seen, fix: '' }
  const fix = u.uid !== 0 ? 'Start every process as the unprivileged user, or drop the root helper.' : (server?.fix ?? fixRoot(user, u, numeric))
  // a remapped root is still root to the image: say so before someone counts on the remap
  const stillRoot = u.uid === 0 && u.remap ? " The remap limits it on the engine's host only: inside, it is still root to the app and can write everything the container owns." : ''
  return { status: 'fail', value, seen: `${seen}${stillRoot}`, fix }
}

/** ", which OpenShift does not use: restricted-v2 runs the image as the project's UID (here 1000680000) in group 0" */
function openshiftNote(run: PlatformRun): string {
  const settings = run.settings
  return `, which OpenShift does not use: its restricted-v2 SCC runs every image as the project's UID, here ${settings?.uid ?? 'unknown'}, in group ${settings?.gid ?? 0}`
}

/** Under the engine's userns-remap: which host UID the container's `uid` is (docker top shows that one). */
function remapped(uid: number, remap: PlatformRun['user']['remap']): string {
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
function describeConfigured(user: string, u: PlatformRun['user'], runUser?: string): string {
  if (runUser) return `run-user ${runUser}`
  if (!user) return 'no USER: root by default'
  if (u.unresolved) return `USER ${user} (${u.unresolved})`
  if (u.resolvedUid !== undefined && !/^\d+(:\d+)?$/.test(user) && !isRoot(user)) return `USER ${user} (UID ${u.resolvedUid} in the image)`
  return `USER ${user}`
}

/** USER root or USER 0 (with any group): root by its very name, not an account that happens to be UID 0. */
function isRoot(user: string): boolean {
  return /^(root|0)$/.test(user.split(':')[0])
}

/**
 * The fix for a root PID 1: switch to the account the image already has for it, else create one.
 * `numeric`: the profile needs a USER the kubelet can verify, so the fix names the account by number.
 */
function fixRoot(user: string, u: PlatformRun['user'], numeric: boolean): string {
  const s = u.suggested
  // no shell: no RUN can run there, and a numeric USER is what works (and what runAsNonRoot can verify)
  const shellLess = u.base?.shell === false
  const whose = s && `the non-root account ${s.from === 'dockerfile' ? 'the Dockerfile creates' : 'the base image has'}`
  const byNumber = s && `USER ${s.uid}:${s.gid ?? s.uid} (${s.name}, ${whose}): numeric, so ${shellLess ? 'it needs nothing run in the image and ' : ''}Kubernetes' runAsNonRoot can verify it`
  const switchTo = s && (shellLess || numeric ? byNumber : `USER ${s.name} (UID ${s.uid}), ${whose}`)
  const account = user.split(':')[0]
  if (user && !isRoot(user) && u.resolvedUid === 0) {
    const own = numeric ? 'give that account its own UID (e.g. 10001) and set USER by that number.' : 'give that account its own UID (e.g. 10001), or use a numeric USER.'
    const alias = `USER ${account} is UID 0 in the image's /etc/passwd: ${own}`
    return s && s.name !== account ? `${alias} Or switch to ${switchTo}.` : alias
  }
  if (user && u.resolvedUid !== undefined && u.resolvedUid !== 0) return `USER ${user} is not root: PID 1 became root after it started (a setuid program, su or sudo): start it as USER ${user}.`
  return switchTo ? `Switch to ${switchTo}.` : createAccount(u.base, numeric)
}

/** How to make a non-root account, written for the image's base (user/base-image.ts) where it is known. */
function createAccount(base: PlatformRun['user']['base'], numeric: boolean): string {
  if (base?.shell === false) {
    return 'The image has no shell (/bin/sh), so no RUN can create an account in it: set a numeric USER 10001:10001 in the final stage (it needs no /etc/passwd entry).'
  }
  const busybox = 'RUN adduser -D -u 10001 app'
  const shadow = 'RUN useradd --system --uid 10001 app'
  const command = base?.os === 'alpine' || base?.os === 'busybox' ? busybox : base?.os === 'debian' || base?.os === 'rhel' ? shadow : `${busybox} on Alpine and busybox, ${shadow} on Debian and Red Hat;`
  const noShell = base?.shell ? '' : ', or use a numeric USER 10001 where the image has no shell'
  // by number where the kubelet must verify it (useradd and adduser give the account that UID)
  const then = numeric ? 'then USER 10001, by number for runAsNonRoot' : 'then USER app'
  return `Create a non-root account in the final stage and switch to it (${command}${command.endsWith(';') ? '' : ','} ${then})${noShell}.`
}
