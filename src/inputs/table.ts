import {
  annotations,
  bool,
  emptyOr,
  globLines,
  imageRef,
  imageRefs,
  increase,
  list,
  lines,
  milliseconds,
  oneOf,
  optional,
  platforms,
  reportFile,
  resolved,
  seconds,
  secondsOrZero,
  secretFiles,
  secrets,
  size,
  text,
  token,
  words
} from './parse.js'
import type { Row } from './row.js'
import { RUN_INPUTS } from './table-run.js'

export type { Row }

// Every input of the action, declared once: its name as action.yml spells it, its default and
// description exactly as action.yml declares them (a unit test keeps the two equal), and the
// parser that turns its text into the value the pipeline uses. The Inputs type, the defaults, the
// command-line options, the typo check and the test fixture all come from here.


export const INPUT_TABLE = {
  // Build: named as docker/build-push-action names them.
  context: { default: '.', parse: resolved, description: 'Build context, a local directory.' },
  // the default is context's Dockerfile, which readInputs fills in
  file: { default: '', shown: '{context}/Dockerfile', parse: emptyOr(resolved), description: 'Path to the Dockerfile (default {context}/Dockerfile, or {context}/dockerfile where only that exists, as buildx reads it).' },
  target: { default: '', parse: text, description: 'Build stage to build.' },
  'build-args': { default: '', parse: list, description: 'Build arguments, one KEY=VALUE per line.' },
  labels: { default: '', parse: list, description: 'Image labels, one KEY=VALUE per line.' },
  tags: {
    default: '',
    shown: 'image-gate/REPO:SHA',
    parse: imageRefs,
    description: 'Image tags, one per line (or comma-separated). Default a local name from the repository and commit, image-gate/REPO:SHA.'
  },
  // as build-push-action names them; push only after every check passed, the gated image itself (stages/push.ts)
  push: { default: 'false', parse: bool, description: 'Push the gated image to every entry of tags once every check passed (true/false); nothing is pushed when a check fails or the run errs. Log in to the registry first (docker/login-action).' },
  annotations: {
    default: '',
    parse: annotations,
    description:
      "Annotations, one [LEVEL:]KEY=VALUE per line as build-push-action takes them (metadata-action's annotations output): manifest (the default), manifest-descriptor or index, e.g. index:org.opencontainers.image.description=... Written where each level says when the image is pushed."
  },
  provenance: { default: '', parse: text, description: "Provenance attestation, passed to docker buildx build --provenance as build-push-action does (e.g. false, mode=max). Empty: the builder's default." },
  sbom: { default: '', parse: text, description: "SBOM attestation, passed to docker buildx build --sbom as build-push-action does (e.g. true). Empty: the builder's default." },
  secrets: {
    default: '',
    parse: secrets,
    description:
      'Build secrets, one id=value per line, for RUN --mount=type=secret,id=... The values are masked in the log, summary, comment and outputs, and written to files only for the build.'
  },
  'secret-files': { default: '', parse: secretFiles, description: 'Build secrets from files, one id=path per line (their text masked like secrets).' },
  'no-cache': { default: 'false', parse: bool, description: 'Build without the cache (true/false).' },
  pull: { default: 'false', parse: bool, description: 'Always pull newer versions of base images (true/false).' },
  builder: {
    default: '',
    parse: text,
    description: 'Buildx builder instance to use. It must be able to --load into the engine (the docker driver, or docker-container).'
  },
  platforms: {
    default: '',
    parse: platforms,
    description:
      "Target platforms, e.g. linux/amd64,linux/arm64 (default the engine's). Each is built, loaded, run (under QEMU where it is not the engine's) and judged; the step fails when any fails."
  },
  network: { default: '', parse: emptyOr(oneOf<string>(['default', 'none', 'host'])), description: 'Network mode for RUN instructions during the build.' },
  'cache-from': { default: '', parse: list, description: 'External cache sources, one per line (e.g. type=gha).' },
  'cache-to': { default: '', parse: list, description: 'Cache export destinations, one per line (e.g. type=gha,mode=max).' },

  ...RUN_INPUTS,

  // Checks
  'health-timeout': { default: '120', parse: seconds, description: 'Seconds to wait for Docker to report the container healthy.' },
  'health-cmd': {
    default: '',
    parse: text,
    description: 'Health check command (run with /bin/sh -c in the container) for an image without a HEALTHCHECK, or to replace it.'
  },
  'health-start-period': {
    default: '30',
    parse: secondsOrZero,
    description:
      "Seconds after start in which health-cmd's failing probes do not count (as docker run --health-start-period); after it, 3 failed probes a second apart make it unhealthy, so a check that always fails is known in seconds. Raise it for an app that takes longer to start. The image's own HEALTHCHECK keeps its own start period."
  },
  'fast-health': {
    default: 'true',
    parse: bool,
    description:
      "Probe every 0.1 s from start (with a start period covering health-timeout; every second once healthy where the engine has a start interval), keeping the image's probe command and timeout, so the verdict comes when the app is ready and its startup is known to a fraction of a second. false keeps the image's HEALTHCHECK settings exactly."
  },
  'max-startup-time': {
    default: '',
    parse: optional(seconds),
    description: 'Budget in seconds from container start to healthy, checked as its own row. Empty: reported, not judged.'
  },
  'max-probe-time': {
    default: '',
    parse: optional(milliseconds),
    description: 'Budget in milliseconds for one passing health probe (the slowest Docker logged), checked as its own row. Empty: reported, not judged.'
  },
  'max-memory': {
    default: '',
    parse: optional(size),
    description: "Budget for the container's memory use once healthy (as docker stats counts it), e.g. 200MB or 256MiB, checked as its own row. Empty: reported in the health row, not judged."
  },
  'smoke-commands': {
    default: '',
    parse: lines(words),
    description:
      'Other process types of the same image (e.g. a worker), one command per line, each run in its own container. Each passes if it exits 0 or is still running after smoke-seconds. Split into words, never run through a shell.'
  },
  'smoke-seconds': { default: '5', parse: seconds, description: 'How long a smoke command must keep running (or exit 0 within) to pass.' },
  'stop-timeout': {
    default: '10',
    parse: seconds,
    description: "Seconds the container gets to exit after its stop signal (the image's STOPSIGNAL, default SIGTERM) before it is killed, as docker stop does (Docker's default 10)."
  },
  'require-graceful-stop': {
    default: 'true',
    parse: bool,
    description: 'Fail when the container does not exit cleanly within stop-timeout of its stop signal (true/false).'
  },
  'require-healthcheck': {
    default: 'true',
    parse: bool,
    description: 'Fail when the image has no HEALTHCHECK and no health-cmd is given (true/false).'
  },
  'max-size': {
    default: '',
    parse: optional(size),
    description:
      'Size budget for the image, e.g. 500MB, 250MiB, 1.5GB or a byte count (MB = 10^6 bytes, MiB = 2^20). Empty reports the size without judging it.'
  },
  'compressed-size': {
    default: 'true',
    parse: bool,
    description: 'Also measure the compressed size: what a push sends (each layer gzip-compressed, within about 1% of a real push), streamed from docker save while the container starts (true/false).'
  },
  'size-basis': {
    default: 'uncompressed',
    parse: oneOf(['uncompressed', 'compressed'] as const),
    description: 'Which size max-size and max-size-increase judge, uncompressed or compressed.'
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
      'Fail max-size-increase when compare-to does not exist yet (the registry says it is not there); by default that is "no baseline yet", as on a first release (true/false).'
  },
  'max-size-increase': {
    default: '',
    parse: optional(increase),
    description: 'How much bigger than compare-to the image may be, e.g. 10% or 20MB, as its own check.'
  },
  'compare-stages': {
    default: 'false',
    parse: bool,
    description: 'Also build the first stage (or build-stage) and report how much smaller the final image is (true/false).'
  },
  'build-stage': {
    default: '',
    shown: 'first stage',
    parse: text,
    description: 'The stage compare-stages compares with (default the first stage; it needs a name, FROM image AS name).'
  },
  'require-non-root': { default: 'true', parse: bool, description: 'Fail when any process in the container runs as UID 0 (true/false). Under run-profile restricted a USER that runAsNonRoot cannot verify (a name, or root) fails even with false, since Kubernetes would not start the pod.' },
  'require-clean-contents': {
    default: 'true',
    parse: bool,
    description: "Fail when the image's layers hold a secret (.env, a private key, a token, .git), a forbid-paths file, installed devDependencies or build tools (true/false)."
  },
  'allow-paths': { default: '', parse: globLines, description: 'Paths the contents check lets through, one glob per line (e.g. app/test/fixtures/*.pem).' },
  'forbid-paths': { default: '', parse: globLines, description: 'More paths the contents check refuses, one glob per line (e.g. **/*.log).' },

  // Reporting
  timeout: {
    default: '1800',
    parse: seconds,
    description:
      'Limit for the whole run, in seconds. When it runs out, whatever hangs (a build, a container) is stopped and removed, and the summary says how far the run got.'
  },
  'call-timeout': {
    default: '30',
    parse: seconds,
    description:
      'Seconds one short Docker call (inspect, run, logs, cp, rm, ...) may take before the engine is taken to be hung and the run stops with that error. Builds, pulls and `docker save` depend on the work, so timeout bounds them instead.'
  },
  fail: {
    default: 'true',
    parse: bool,
    description: 'Fail the step when a check fails (true/false). With false, the outputs still say passed=false.'
  },
  summary: { default: 'true', runnerOnly: true, parse: bool, description: 'Write the report as the job summary (true/false).' },
  comment: {
    default: 'true',
    runnerOnly: true,
    parse: bool,
    description:
      'On pull_request and pull_request_target events, keep one comment on the pull request with the report, updated on every run (true/false). Needs `pull-requests write`.'
  },
  'comment-key': {
    default: '',
    shown: 'workflow/job/context/Dockerfile/target',
    runnerOnly: true,
    parse: text,
    description:
      'Which comment this run updates. Default workflow/job/context/Dockerfile/target, so matrix legs over Dockerfiles or targets keep separate comments; set it when legs differ otherwise (e.g. image-gate- followed by matrix.node, in an expression).'
  },
  // an expression: the runner fills it in; anywhere else the token is empty (readInputs)
  'github-token': { default: '${{ github.token }}', runnerOnly: true, parse: token, description: 'Token for the pull-request comment.' },
  'comment-from': {
    default: '',
    runnerOnly: true,
    parse: emptyOr(reportFile),
    description:
      "Comment-only mode, for a workflow_run job that posts the report of a pull-request run from a fork. Path to that run's report (its `report` output saved to a file). Builds nothing; under workflow_run the pull request's head must be the commit that run tested."
  }
} as const satisfies Record<string, Row>

export type InputName = keyof typeof INPUT_TABLE

/** Every input's name, in the table's (and action.yml's) order. */
export const INPUT_NAMES = Object.keys(INPUT_TABLE) as InputName[]

export function row(name: InputName): Row {
  return INPUT_TABLE[name]
}

type Table = typeof INPUT_TABLE
type Camel<S extends string> = S extends `${infer Head}-${infer Tail}` ? `${Head}${Capitalize<Camel<Tail>>}` : S
type FieldOf<K extends InputName> = Table[K] extends { field: infer F extends string } ? F : Camel<K>
type ValueOf<K extends InputName> = ReturnType<Table[K]['parse']>
type Flat<T> = { [K in keyof T]: T[K] }

/**
 * The inputs as the pipeline uses them: one field per row, typed by what its parser returns. A
 * parser that may return undefined (not set: reported, not judged) makes an optional field.
 */
export type Inputs = Flat<
  { [K in InputName as undefined extends ValueOf<K> ? never : FieldOf<K>]: ValueOf<K> } & {
    [K in InputName as undefined extends ValueOf<K> ? FieldOf<K> : never]?: Exclude<ValueOf<K>, undefined>
  }
>

/** The Inputs field an input fills: max-size → maxSize. */
export function fieldOf(name: InputName): keyof Inputs {
  const { field } = row(name)
  return (field ?? name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())) as keyof Inputs
}

/**
 * The value an input takes when it is not given. An expression default (github-token's
 * ${{ github.token }}) is the runner's to fill in: off the runner there is nothing to fill it with.
 */
export function fallback(name: InputName): string {
  const declared = row(name).default
  return declared.startsWith('${{') ? '' : declared
}

/** Input name → the value it takes when not given (kept for the code that read the old record). */
export const DEFAULTS: Record<string, string> = Object.fromEntries(INPUT_NAMES.map(name => [name, fallback(name)]))
