import type { Inputs } from '../inputs/inputs.js'
import type { PlatformRun } from '../report/report.js'

// How production runs the image, as docker run flags (run-profile, read-only, run-memory). The main
// container and every smoke-command container run under the same settings: a worker meets the same
// cluster policy as the web process.
//
// - restricted: Kubernetes' restricted Pod Security Standard as Docker expresses it. The standard
//   requires capabilities to drop ALL (NET_BIND_SERVICE alone may be added back: non-root users
//   bind low ports in Docker's containers without it, as net.ipv4.ip_unprivileged_port_start is 0
//   there), allowPrivilegeEscalation: false (no-new-privileges), seccomp RuntimeDefault (Docker's
//   default profile, which every container gets unless the engine says otherwise) and
//   runAsNonRoot, which the user check judges: the kubelet verifies a numeric USER only.
// - openshift: restricted, run as OpenShift's restricted-v2 SCC runs it: a UID from the project's
//   range, whatever the image's USER says, in group 0. The UID is the first of a typical range.
// - run-user: runAsUser, in the image USER's place (openshift gives its own UID instead).
// - read-only: readOnlyRootFilesystem, with a tmpfs on /tmp as a pod's emptyDir would give: one an
//   app may execute from (a JIT's or a native module's unpacked library, a runner's script), as an
//   emptyDir is mounted without noexec, and as Docker's own `--tmpfs /tmp` is not (rw,noexec,nosuid,nodev).
// - run-memory: a memory limit with swap at the same value, so it is a hard limit as a cgroup
//   limit on Kubernetes is (there is no swap there).

export type ProfileInputs = Pick<Inputs, 'runProfile' | 'readOnly'> & Partial<Pick<Inputs, 'runMemory' | 'runUser'>>

export type Profile = NonNullable<PlatformRun['settings']>

/** OpenShift's first UID of a project range (1000680000 is the range of a typical first project). */
export const OPENSHIFT_UID = 1000680000

/** /tmp under read-only: an emptyDir's, writable by all with the sticky bit, and exec (Docker's default tmpfs is noexec). */
export const TMP_OPTIONS = 'rw,exec,nosuid,nodev,mode=1777'

export function profileFlags(inputs: ProfileInputs): string[] {
  const flags: string[] = []
  if (inputs.runProfile !== 'docker') flags.push('--cap-drop', 'ALL', '--security-opt', 'no-new-privileges')
  if (inputs.runProfile === 'openshift') flags.push('--user', `${OPENSHIFT_UID}:0`)
  else if (inputs.runUser) flags.push('--user', inputs.runUser)
  if (inputs.readOnly) flags.push('--read-only', '--tmpfs', `/tmp:${TMP_OPTIONS}`)
  if (inputs.runMemory) flags.push('--memory', `${inputs.runMemory.bytes}b`, '--memory-swap', `${inputs.runMemory.bytes}b`)
  return flags
}

/** The settings the report says the container ran under. */
export function profileOf(inputs: ProfileInputs): Profile {
  return {
    profile: inputs.runProfile,
    readOnly: inputs.readOnly,
    ...(inputs.runProfile === 'openshift' && { uid: OPENSHIFT_UID, gid: 0 }),
    ...(inputs.runProfile !== 'openshift' && inputs.runUser && { user: inputs.runUser }),
    ...(inputs.runMemory && { memory: inputs.runMemory })
  }
}
