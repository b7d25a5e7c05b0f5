import { runVariant } from '../rules/base-variants.js'
import { formatSize } from '../units.js'
import type { Finding } from '../report/report.js'

type Ecosystem = NonNullable<Finding['ecosystem']>

// How a contents finding reads wherever it is shown (the contents row, the Dockerfile annotation):
// the file, what it is, its size and the instruction that added it, never what it holds.

/** Contents findings listed in the summary and the comment (the report keeps up to 100). */
export const FINDING_ROWS = 40

/** "/app/.env (environment file, 120 B, from COPY . .)". */
export function describeFinding(f: Finding): string {
  return `${f.path} (${f.what}, ${formatSize(f.size)}, from ${f.instruction}${alsoNote(f)}${deletedNote(f)})`
}

/** The same path written again by a later layer (`RUN chown -R app /app` copies every file it touches). */
export function alsoNote(f: Finding): string {
  return f.alsoIn?.length ? ` and again from ${f.alsoIn.join(' and ')}` : ''
}

/** A whiteout only hides a file from the layers above: the layer that added it still ships. */
export function deletedNote(f: Finding): string {
  return f.deletedBy ? `; deleted in a later layer (${f.deletedBy}), but that only hides it: it still ships in the layer that added it` : ''
}

/**
 * The fix for a dev dependency or a build tool, in the words of the ecosystem it belongs to: npm's
 * `--omit=dev` and `dist/` mean nothing on a Python or Go image.
 */
const DEV_FIX: Partial<Record<Ecosystem, string>> & { other: string } = {
  node: 'Install only production dependencies in the final stage (npm ci --omit=dev), or copy only dist/ and production node_modules from the build stage.',
  python:
    'Install only what the app runs with in the final stage: keep test and lint tools in dev requirements (requirements-dev.txt, a dev extra or group) that only a build or test stage installs (poetry install --only main, uv sync --no-dev).',
  go: 'Build in a stage of its own and copy only the binary into the final stage.',
  other: 'Install only what the app runs with in the final stage.'
}

const BUILD_FIX: Record<Ecosystem | 'other', string> = {
  node: 'Keep compilers and build tools in a build stage and copy only its output (dist/) into the final stage.',
  python:
    'Keep compilers and build tools in a build stage: build wheels there (pip wheel --wheel-dir /wheels -r requirements.txt) and install them in the final stage (COPY --from=build /wheels /wheels, then pip install --no-index --find-links /wheels -r requirements.txt).',
  go: 'Build in a stage of its own (FROM golang) and copy only the binary into the final stage (COPY --from=build /out/app /app): the Go toolchain and compilers stay behind.',
  ruby: 'Keep compilers and build tools in a build stage: bundle install there and copy the gems into the final stage (COPY --from=build /usr/local/bundle /usr/local/bundle).',
  php: 'Keep compilers and build tools in a build stage: build the extension there (docker-php-ext-install, pecl) and copy what it installs into the final stage (its .so in $(php-config --extension-dir) and its ini in $PHP_INI_DIR/conf.d).',
  java: 'Build with the JDK in a stage of its own and copy only the jar into a final stage on a JRE (FROM eclipse-temurin:<version>-jre, or a JRE package such as openjdk-17-jre-headless).',
  rust: 'Build in a stage of its own (FROM rust) and copy only the binary into the final stage (COPY --from=build /app/target/release/app /app): the Rust toolchain stays behind.',
  erlang: 'Build a release in a stage of its own (rebar3 as prod release, or mix release) and copy it into the final stage: the release carries the runtime it needs, without the compiler.',
  other: 'Keep compilers and build tools in a build stage and copy only what it builds into the final stage.'
}

/** The fixes for these dev dependencies and build tools, each once, in the order first found. */
export function toolFixes(findings: Finding[]): string[] {
  const fixes = findings.flatMap(f => {
    if (f.kind === 'dev-dependency') return [DEV_FIX[f.ecosystem ?? 'other'] ?? DEV_FIX.other]
    if (f.kind !== 'build-tool') return []
    return [f.fromBase ? baseFix(f.fromBase, findings) : BUILD_FIX[f.ecosystem ?? 'other']]
  })
  return [...new Set(fixes)]
}

/**
 * Build tools that came with the final stage's base image: a build stage on the same base leaves
 * them in, so the fix is to run on an image without them (rules/base-variants.ts).
 */
function baseFix(base: string, findings: Finding[]): string {
  const names = joined([...new Set(findings.filter(f => f.kind === 'build-tool' && f.fromBase === base).map(f => f.what))])
  const many = names.includes(' and ')
  const v = runVariant(base)
  if (!v) return `${names} ${many ? 'come' : 'comes'} with the base image ${base}: run on an image without ${many ? 'them' : 'it'} (its -slim variant, if it has one) and keep the build in a stage of its own.`
  return `${names} ${many ? 'come' : 'comes'} with the base image ${base} (${v.why}), so a final stage FROM ${base} ships ${many ? 'them' : 'it'} however the build is staged: run on ${v.variant} (${v.how}).`
}

/** "a", "a and b", "a, b and c". */
function joined(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}
