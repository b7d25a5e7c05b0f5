import { bool, emptyOr, runUser, unlessGiven, hostEntries, keyValues, memory, networkName, oneOf, optional, words } from './parse.js'
import type { Row } from './row.js'

// The Run section of the input table (table.ts): what the container gets from the environment it
// runs in, and how strictly it is run.

export const RUN_INPUTS = {
  env: {
    section: 'Run',
    default: '',
    parse: keyValues,
    description: 'Environment for the container, one KEY=VALUE per line.',
    readme: 'Environment for the container, one `KEY=VALUE` per line.'
  },
  'run-network': {
    default: '',
    parse: emptyOr(networkName),
    description:
      "Network the container and the smoke-command containers join, e.g. the job's services network (job.services.postgres.network in an expression) so the app reaches a service container by its name; host shares the runner's network. Default Docker's bridge.",
    readme:
      "Network the container and the smoke-command containers join, e.g. `${{ job.services.postgres.network }}` so the app reaches a service container by its name (see [A backend and its database](docs/recipes/database.md#a-backend-and-its-database)); `host` shares the runner's network. Default Docker's bridge."
  },
  'run-add-hosts': {
    default: '',
    parse: hostEntries,
    description: 'Extra host entries for the container and the smoke-command containers, one NAME:IP per line (as docker run --add-host; IP may be host-gateway, e.g. host.docker.internal:host-gateway).',
    readme:
      'Extra host entries for the container and the smoke-command containers, one `NAME:IP` per line (as `docker run --add-host`; IP may be `host-gateway`, e.g. `host.docker.internal:host-gateway`).'
  },
  command: {
    default: '',
    parse: optional(words),
    description: "Command to run instead of the image's CMD, e.g. `node dist/worker.js` or a JSON array. Split into words, never run through a shell.",
    readme:
      "Replaces the image's `CMD`, e.g. `node dist/worker.js`, or a JSON array. Split into words like a shell would (quotes group), but **never run through a shell**: `&&`, `|`, `;` are refused and `$VARS` stay literal; write `sh -c '…'` if you need a shell."
  },
  'run-user': {
    default: '',
    parse: emptyOr(runUser),
    description:
      "User the container and the smoke-command containers run as, instead of the image's USER (docker run --user: a name, UID or UID:GID), as Kubernetes' runAsUser runs it. The user check still measures the UID the process runs as; under run-profile restricted this user, not USER, must be numeric.",
    readme:
      "User the container and the smoke-command containers run as, instead of the image's `USER` (`docker run --user`: a name, UID or `UID:GID`), as Kubernetes' `runAsUser` runs it. The user check still measures the UID the process runs as; under `run-profile: restricted` this user, not `USER`, must be numeric."
  },
  // How production runs it (stages/profile.ts): Kubernetes' restricted profile, OpenShift, read-only, a memory limit
  'run-profile': {
    default: '',
    shown: 'docker',
    parse: unlessGiven('docker', oneOf(['docker', 'restricted', 'openshift'] as const)),
    description:
      "How the container and the smoke-command containers run: docker (Docker's defaults), restricted (Kubernetes' restricted Pod Security Standard: every capability dropped, no-new-privileges, a numeric non-root USER), or openshift (restricted, as an arbitrary UID in group 0).",
    readme:
      "How the container and the smoke-command containers run: `docker` (Docker's defaults), `restricted` (Kubernetes' restricted Pod Security Standard) or `openshift` (restricted, as an arbitrary UID in group 0). See [Run it as production does](docs/recipes/production-profiles.md#run-it-as-production-does)."
  },
  'read-only': {
    default: '',
    shown: 'false',
    parse: unlessGiven('false', bool),
    description: "Run with a read-only root filesystem and a tmpfs on /tmp, as Kubernetes' readOnlyRootFilesystem (true/false).",
    readme:
      "Read-only root filesystem with a tmpfs on `/tmp` (`docker run --read-only`), as Kubernetes' `readOnlyRootFilesystem`."
  },
  'run-memory': {
    default: '',
    parse: optional(memory),
    description:
      'Memory limit for the container, e.g. 256m or 256Mi (docker run --memory, swap at the same value: a hard limit, as on Kubernetes). k, m, g are read as docker run reads them, KiB, MiB, GiB, in either case (Kubernetes reads 256M as 256,000,000 bytes: write 256Mi to mean the same in both). An app the limit kills fails as OOM-killed. Empty: no limit.',
    readme:
      'Memory limit, e.g. `256m` or `256Mi` (`docker run --memory`, swap at the same value: a hard limit, as on Kubernetes; `256MiB` and `300MB` too). `k`, `m`, `g` in either case are KiB, MiB, GiB, as `docker run` reads them; Kubernetes reads `256M` as 256,000,000 bytes, so write `256Mi` to mean the same in both. An app the limit kills fails the health row as OOM-killed.'
  }
} as const satisfies Record<string, Row>
