import {
  bool,
  emptyOr,
  globLines,
  imageRef,
  increase,
  lines,
  milliseconds,
  oneOf,
  optional,
  seconds,
  secondsOrZero,
  size,
  text,
  unlessGiven,
  words
} from './parse.js'
import type { Row } from './row.js'

// The Checks section of the input table (table.ts): the limits and switches of health, smoke,
// stop, size, user and contents.

export const CHECK_INPUTS = {
  'health-timeout': {
    section: 'Checks',
    default: '120',
    parse: seconds,
    description: 'Seconds to wait for Docker to report the container healthy.',
    readme: 'Seconds the app gets to become healthy.'
  },
  'health-cmd': {
    default: '',
    parse: text,
    description: 'Health check command (run with /bin/sh -c in the container) for an image without a HEALTHCHECK, or to replace it.',
    readme:
      'Health check for an image without `HEALTHCHECK` (or to replace it). Run by Docker with `/bin/sh -c` inside the container.'
  },
  'health-start-period': {
    default: '',
    shown: '30',
    parse: unlessGiven('30', secondsOrZero),
    description:
      "Seconds after start in which health-cmd's failing probes do not count (as docker run --health-start-period); after it, 3 failed probes a second apart make it unhealthy, so a check that always fails is known in seconds. Raise it for an app that takes longer to start. The image's own HEALTHCHECK keeps its own start period.",
    readme:
      "Seconds after start in which `health-cmd`'s failing probes do not count (as `docker run --health-start-period`); after it, 3 failed probes a second apart make it unhealthy, so a check that always fails is known in seconds. Raise it for an app that takes longer to start. The image's own `HEALTHCHECK` keeps its own start period."
  },
  'fast-health': {
    default: 'true',
    parse: bool,
    description:
      "Probe every 0.1 s from start (with a start period covering health-timeout; every second once healthy where the engine has a start interval), keeping the image's probe command and timeout, so the verdict comes when the app is ready and its startup is known to a fraction of a second. false keeps the image's HEALTHCHECK settings exactly.",
    readme:
      "Probe every 0.1 s from start (start period = `health-timeout`; every second once healthy where the engine has a start interval), keeping the image's probe command and timeout. `false` keeps the image's settings exactly."
  },
  'max-startup-time': {
    default: '',
    parse: optional(seconds),
    description: 'Budget in seconds from container start to healthy, checked as its own row. Empty: reported, not judged.',
    readme: 'Seconds from container start to healthy, as its own check. Empty: reported, not judged.'
  },
  'max-probe-time': {
    default: '',
    parse: optional(milliseconds),
    description: 'Budget in milliseconds for one passing health probe (the slowest Docker logged), checked as its own row. Empty: reported, not judged.',
    readme:
      'Milliseconds one passing health probe may take (the slowest Docker logged), as its own check. Empty: reported in the health row, not judged.'
  },
  'max-memory': {
    default: '',
    parse: optional(size),
    description: "Budget for the container's memory use once healthy (as docker stats counts it), e.g. 200MB or 256MiB, checked as its own row. Empty: reported in the health row, not judged.",
    readme:
      "Budget for the container's memory use once healthy (as `docker stats` counts it), e.g. `200MB`, as its own check. Empty: reported in the health row, not judged."
  },
  'smoke-commands': {
    default: '',
    parse: lines(words),
    description:
      'Other process types of the same image (e.g. a worker), one command per line, each run in its own container. Each passes if it exits 0 or is still running after smoke-seconds. Split into words, never run through a shell.',
    readme:
      'Other process types of the image, one command per line, each in its own container: passes if it exits 0 or is still running after `smoke-seconds`. Split into words, never run through a shell.'
  },
  'smoke-seconds': {
    default: '5',
    parse: seconds,
    description: 'How long a smoke command must keep running (or exit 0 within) to pass.',
    readme: 'How long a smoke command must keep running.'
  },
  'stop-timeout': {
    default: '',
    shown: '10',
    parse: unlessGiven('10', seconds),
    description: "Seconds the container gets to exit after its stop signal (the image's STOPSIGNAL, default SIGTERM) before it is killed, as docker stop does (Docker's default 10).",
    readme:
      "Seconds the container gets to exit after its stop signal (the image's `STOPSIGNAL`, default `SIGTERM`) before it is killed, as `docker stop` does (Docker's default; Kubernetes waits 30)."
  },
  'require-graceful-stop': {
    default: 'true',
    parse: bool,
    description: 'Fail when the container does not exit cleanly within stop-timeout of its stop signal (true/false).',
    readme: 'Fail when the container does not exit cleanly (0, or 128 + the signal) within `stop-timeout` of its stop signal.'
  },
  'require-healthcheck': {
    default: 'true',
    parse: bool,
    description: 'Fail when the image has no HEALTHCHECK and no health-cmd is given (true/false).',
    readme: 'Fail when there is no `HEALTHCHECK` and no `health-cmd`.'
  },
  'max-size': {
    default: '',
    parse: optional(size),
    description:
      'Size budget for the image, e.g. 500MB, 250MiB, 1.5GB or a byte count (MB = 10^6 bytes, MiB = 2^20). Empty reports the size without judging it.',
    readme:
      'Size budget: `500MB`, `250MiB`, `1.5GB` or a byte count. `kB`/`MB`/`GB` are powers of 10 (what `docker images` prints), `KiB`/`MiB`/`GiB` powers of 2. Empty: measured, not judged.'
  },
  'compressed-size': {
    default: 'true',
    parse: bool,
    description: 'Also measure the compressed size: what a push sends (each layer gzip-compressed, within about 1% of a real push), streamed from docker save while the container starts (true/false).',
    readme:
      'Also measure the compressed size: what a push sends (each layer gzip-compressed, within about 1% of a real push), streamed from `docker save` while the container starts.'
  },
  'size-basis': {
    default: 'uncompressed',
    parse: oneOf(['uncompressed', 'compressed'] as const),
    description: 'Which size max-size and max-size-increase judge, uncompressed or compressed.',
    readme: 'Which size `max-size` and `max-size-increase` judge: `uncompressed` or `compressed`.'
  },
  'compare-to': {
    default: '',
    parse: emptyOr(imageRef),
    description:
      'An image to compare the size with (local, else pulled, and removed after measuring), e.g. the image of the base branch or the last release tag.'
  },
  'require-baseline': {
    default: 'false',
    parse: bool,
    description:
      'Fail max-size-increase when compare-to does not exist yet (the registry says it is not there); by default that is "no baseline yet", as on a first release (true/false).',
    readme:
      'Fail `max-size-increase` when `compare-to` does not exist yet (the registry says it is not there); by default that is "no baseline yet", as on a first release.'
  },
  'max-size-increase': {
    default: '',
    parse: optional(increase),
    description: 'How much bigger than compare-to the image may be, e.g. 10% or 20MB, as its own check.',
    readme: 'How much bigger than `compare-to` the image may be: `10%` or `20MB`. Needs `compare-to`.'
  },
  'compare-stages': {
    default: 'false',
    parse: bool,
    description: 'Also build the first stage (or build-stage) and report how much smaller the final image is (true/false).',
    readme: 'Also build the first stage (or `build-stage`) and report how much smaller the final image is.'
  },
  'build-stage': {
    default: '',
    shown: 'first stage',
    parse: text,
    description: 'The stage compare-stages compares with (default the first stage; it needs a name, FROM image AS name).',
    readme: 'The stage `compare-stages` compares with; it needs a name (`FROM image AS name`).'
  },
  'require-non-root': {
    default: 'true',
    parse: bool,
    description:
      'Fail when any process in the container runs as UID 0 (true/false). Under run-profile restricted a USER that runAsNonRoot cannot verify (a name, or root) fails even with false, since Kubernetes would not start the pod.',
    readme:
      "Fail when any process in the container runs as UID 0. Under `run-profile: restricted` or `openshift` a `USER` Kubernetes' `runAsNonRoot` cannot verify (a name, or root) fails too; `false` waives that under `openshift` only, since under `restricted` Kubernetes would not start the pod (see [Run it as production does](docs/recipes/production-profiles.md#run-it-as-production-does))."
  },
  'require-clean-contents': {
    default: 'true',
    parse: bool,
    description: "Fail when the image's layers hold a secret (.env, a private key, a token, .git), a forbid-paths file, installed devDependencies or build tools (true/false).",
    readme:
      "Fail when the image's layers hold a secret (`.env`, a private key, an `.npmrc` token, `.git`...), a `forbid-paths` file, installed devDependencies or build tools (see [contents](docs/checks/contents.md)). `false` reports them without judging."
  },
  'allow-paths': {
    default: '',
    parse: globLines,
    description: 'Paths the contents check lets through, one glob per line (e.g. app/test/fixtures/*.pem).',
    readme:
      "Paths the contents check lets through, one glob per line (e.g. `app/test/fixtures/*.pem`). Globs match the path from the image's root (a leading `/` is optional); one without a `/` matches a file name anywhere (`*.pem`)."
  },
  'forbid-paths': {
    default: '',
    parse: globLines,
    description: 'More paths the contents check refuses, one glob per line (e.g. **/*.log).',
    readme: 'More paths the contents check refuses, one glob per line, as `allow-paths` (e.g. `**/*.log`, `app/coverage/**`).'
  },

} as const satisfies Record<string, Row>
