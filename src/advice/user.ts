import type { PlatformRun } from '../report/report.js'

// Who the image says it runs as, in the words the kubelet and the fix use: read alike by the user
// check (checks/user.ts, which says why a refusal fails the row) and the Dockerfile annotation
// (publish/annotations.ts), so publishing needs nothing from checks/.

/** The user the container was told to run as: run-user where given (as runAsUser replaces USER), else the image's USER. */
export function configuredUser(run: PlatformRun): string {
  return run.settings?.user || run.image.user || ''
}

/** The kubelet's refusal of the image's USER under runAsNonRoot without runAsUser; undefined when it accepts it. */
export function runAsNonRootRefusal(user: string | undefined): { kind: 'root' | 'name'; words: string } | undefined {
  const name = (user ?? '').split(':')[0]
  if (name === '' || /^0+$/.test(name)) return { kind: 'root', words: 'container has runAsNonRoot and image will run as root' }
  if (/^\d+$/.test(name)) return undefined
  return { kind: 'name', words: `container has runAsNonRoot and image has non-numeric user (${name}), cannot verify user is non-root` }
}

/** A USER given by a name that is a non-root account in the image: the fix is its number. */
export function namedUser(run: PlatformRun): { name: string; uid?: number; gid?: number } | undefined {
  // run-user replaced USER: its number (or name) is what the kubelet sees, and the image's own files do not resolve it
  if (run.settings?.user) return undefined
  const user = run.image.user ?? ''
  const u = run.user
  if (runAsNonRootRefusal(user)?.kind !== 'name' || u.resolvedUid === 0) return undefined
  // by the image's files; where they were not read (a report from before), the runtime's own UID
  // under Docker's defaults is the same account (never under openshift: that UID is the platform's)
  const runtime = run.settings?.profile !== 'openshift' && u.resolvedUid === undefined && !u.unresolved
  const uid = u.resolvedUid ?? (runtime ? u.uid : undefined)
  const gid = u.resolvedUid !== undefined ? u.resolvedGid : runtime ? u.gid : undefined
  return { name: user.split(':')[0], uid, gid }
}
