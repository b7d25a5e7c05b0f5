import {
  annotations,
  bool,
  emptyOr,
  imageRefs,
  list,
  oneOf,
  platforms,
  resolved,
  secretFiles,
  secrets,
  text
} from './parse.js'
import type { Row } from './row.js'

// The Build section of the input table (table.ts): named as docker/build-push-action names them,
// what the image is built from and how, and where it is pushed once it passed.

export const BUILD_INPUTS = {
  context: {
    section: 'Build: named as docker/build-push-action names them.',
    default: '.',
    parse: resolved,
    description: 'Build context, a local directory.'
  },
  // the default is context's Dockerfile, which readInputs fills in
  file: {
    default: '',
    shown: '{context}/Dockerfile',
    parse: emptyOr(resolved),
    description:
      'Path to the Dockerfile (default {context}/Dockerfile, or {context}/dockerfile where only that exists, as buildx reads it).',
    readme:
      "Path to the Dockerfile. Without it, the context's `Dockerfile`, or its lowercase `dockerfile` where only that exists, as `docker buildx build .` reads it."
  },
  target: { default: '', parse: text, description: 'Build stage to build.' },
  'build-args': {
    default: '',
    parse: list,
    description: 'Build arguments, one KEY=VALUE per line.',
    readme: 'Build arguments, one `KEY=VALUE` per line.'
  },
  labels: {
    default: '',
    parse: list,
    description: 'Image labels, one KEY=VALUE per line.',
    readme: 'Image labels, one `KEY=VALUE` per line.'
  },
  tags: {
    default: '',
    shown: 'image-gate/REPO:SHA',
    parse: imageRefs,
    description: 'Image tags, one per line (or comma-separated). Default a local name from the repository and commit, image-gate/REPO:SHA.',
    readme: 'Image tags. Without tags, a local name from the repository and commit (`-TARGET` appended with `target`).'
  },
  // as build-push-action names them; push only after every check passed, the gated image itself (stages/push.ts)
  push: {
    default: 'false',
    parse: bool,
    description:
      'Push the gated image to every entry of tags once every check passed (true/false); nothing is pushed when a check fails or the run errs. Log in to the registry first (docker/login-action).',
    readme:
      'Push the gated image to every entry of `tags` once every check passed; nothing is pushed when a check fails, or when the run errs or times out before a tag moved (after one, the step says which tags moved, to what, and which did not: "partly pushed"). The image pushed is the one every check ran, read back from the registry afterwards (see [Push only what passed](docs/recipes/push-and-release.md#push-only-what-passed)). Log in first (`docker/login-action`).'
  },
  annotations: {
    default: '',
    parse: annotations,
    description:
      "Annotations, one [LEVEL:]KEY=VALUE per line as build-push-action takes them (metadata-action's annotations output): manifest (the default), manifest-descriptor or index, e.g. index:org.opencontainers.image.description=... Written where each level says when the image is pushed.",
    readme:
      "Annotations, one `[LEVEL:]KEY=VALUE` per line, as build-push-action takes them (feed it metadata-action's `annotations` output). `manifest:` (the default) goes on each platform's image manifest (`manifest[linux/arm64]:` on one platform's), `manifest-descriptor:` on each manifest's entry in the index, `index:` on the index itself, which is what GHCR shows as a multi-platform image's description; `index-descriptor:` has no place in a registry and is refused. Written when the image is pushed (see [Push only what passed](docs/recipes/push-and-release.md#push-only-what-passed))."
  },
  provenance: {
    default: '',
    parse: text,
    description:
      "Provenance attestation, passed to docker buildx build --provenance as build-push-action does (e.g. false, mode=max). Empty: the builder's default.",
    readme:
      "Provenance attestation, passed to `docker buildx build --provenance` as build-push-action does (e.g. `false`, `mode=max`). Empty: the builder's default. The `docker` driver on the classic image store refuses attestations with `--load`: leave it empty there."
  },
  sbom: {
    default: '',
    parse: text,
    description:
      "SBOM attestation, passed to docker buildx build --sbom as build-push-action does (e.g. true). Empty: the builder's default.",
    readme:
      "SBOM attestation, passed to `docker buildx build --sbom` as build-push-action does (e.g. `true`). Empty: the builder's default. Refused like `provenance` by the `docker` driver on the classic image store."
  },
  secrets: {
    default: '',
    parse: secrets,
    description:
      'Build secrets, one id=value per line, for RUN --mount=type=secret,id=... The values are masked in the log, summary, comment and outputs, and written to files only for the build.',
    readme:
      'Build secrets, one `id=value` per line, for `RUN --mount=type=secret,id=…`. Masked (`***`) in the log and in everything the run writes: summary, comment, outputs, the `report` JSON; written to a mode-600 file for the build only.'
  },
  'secret-files': {
    default: '',
    parse: secretFiles,
    description: 'Build secrets from files, one id=path per line (their text masked like secrets).',
    readme:
      "Build secrets from files, one `id=path` per line. A file's text, and each of its lines of 8 characters or more, is masked like `secrets` (files up to 64 KiB)."
  },
  'no-cache': {
    default: 'false',
    parse: bool,
    description: 'Build without the cache (true/false).',
    readme: 'Build without the cache.'
  },
  pull: {
    default: 'false',
    parse: bool,
    description: 'Always pull newer versions of base images (true/false).',
    readme: 'Always pull newer base images.'
  },
  builder: {
    default: '',
    parse: text,
    description: 'Buildx builder instance to use. It must be able to --load into the engine (the docker driver, or docker-container).',
    readme: 'Buildx builder. It must be able to `--load` (the `docker` driver, or `docker-container`).'
  },
  platforms: {
    default: '',
    parse: platforms,
    description:
      "Target platforms, e.g. linux/amd64,linux/arm64 (default the engine's). Each is built, loaded, run (under QEMU where it is not the engine's) and judged; the step fails when any fails.",
    readme:
      "Target platforms (`linux/amd64,linux/arm64`; default the engine's). Each is built for itself, loaded into the engine as an image of its own (tagged `TAG-linux-arm64`), run (under QEMU where it is not the engine's) and judged; the table groups each platform's rows, and the step fails when any platform fails. A platform of an OS the builder does not build (`windows/amd64` on a Linux engine) fails the step before anything is built, naming `platforms` and the platforms the builder lists (`docker buildx inspect`)."
  },
  network: {
    default: '',
    parse: emptyOr(oneOf<string>(['default', 'none', 'host'])),
    description: 'Network mode for RUN instructions during the build.',
    readme: 'Network mode for `RUN` during the build.'
  },
  'cache-from': {
    default: '',
    parse: list,
    description: 'External cache sources, one per line (e.g. type=gha).',
    readme: 'Cache sources, one per line (e.g. `type=gha`).'
  },
  'cache-to': {
    default: '',
    parse: list,
    description: 'Cache export destinations, one per line (e.g. type=gha,mode=max).',
    readme: 'Cache destinations, one per line (e.g. `type=gha,mode=max`).'
  },
} as const satisfies Record<string, Row>
