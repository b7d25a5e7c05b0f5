import { bool, emptyOr, hostEntries, keyValues, memory, networkName, oneOf, optional, words } from './parse.js'
import type { Row } from './row.js'

// The Run section of the input table (table.ts): what the container gets from the environment it
// runs in, and how strictly it is run.

export const RUN_INPUTS = {
  env: { default: '', parse: keyValues, description: 'Environment for the container, one KEY=VALUE per line.' },
  'run-network': {
    default: '',
    parse: emptyOr(networkName),
    description:
      "Network the container and the smoke-command containers join, e.g. the job's services network (job.services.postgres.network in an expression) so the app reaches a service container by its name; host shares the runner's network. Default Docker's bridge."
  },
  'run-add-hosts': {
    default: '',
    parse: hostEntries,
    description: 'Extra host entries for the container and the smoke-command containers, one NAME:IP per line (as docker run --add-host; IP may be host-gateway, e.g. host.docker.internal:host-gateway).'
  },
  command: {
    default: '',
    parse: optional(words),
    description: "Command to run instead of the image's CMD, e.g. `node dist/worker.js` or a JSON array. Split into words, never run through a shell."
  },
  // How production runs it (stages/profile.ts): Kubernetes' restricted profile, OpenShift, read-only, a memory limit
  'run-profile': {
    default: 'docker',
    parse: oneOf(['docker', 'restricted', 'openshift'] as const),
    description:
      "How the container and the smoke-command containers run: docker (Docker's defaults), restricted (Kubernetes' restricted Pod Security Standard: every capability dropped, no-new-privileges, a numeric non-root USER), or openshift (restricted, as an arbitrary UID in group 0)."
  },
  'read-only': {
    default: 'false',
    parse: bool,
    description: "Run with a read-only root filesystem and a tmpfs on /tmp, as Kubernetes' readOnlyRootFilesystem (true/false)."
  },
  'run-memory': {
    default: '',
    parse: optional(memory),
    description:
      'Memory limit for the container, e.g. 256m or 256Mi (docker run --memory, swap at the same value: a hard limit, as on Kubernetes). k, m, g are read as docker run reads them, KiB, MiB, GiB, in either case (Kubernetes reads 256M as 256,000,000 bytes: write 256Mi to mean the same in both). An app the limit kills fails as OOM-killed. Empty: no limit.'
  }
} as const satisfies Record<string, Row>
