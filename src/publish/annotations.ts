import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { namedUser, runAsNonRootRefusal } from '../advice/user.js'
import { describeFinding, toolFixes } from '../advice/findings.js'
import { instructionPlace, userPlace, type Place } from '../dockerfile/places.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Finding, PlatformRun, Report } from '../report/report.js'
import type { Sink } from '../sink.js'

// A failed user check becomes an error annotation on the Dockerfile line that decides the user, and
// a failed contents check one on each line that added what it found, so the pull request's diff
// shows them where they can be fixed. A user name that passes (Docker's defaults) is a warning
// there: Kubernetes' runAsNonRoot would refuse it.

export function annotateUser(report: Report, inputs: Pick<Inputs, 'file' | 'target'>, sink: Sink, workspace = process.env.GITHUB_WORKSPACE || process.cwd()): void {
  // one Dockerfile line decides the user of every platform's image: the first platform's row says it
  const run = report.runs[0]
  const check = run?.checks.find(c => c.name === 'user')
  const named = check !== undefined && namedUser(run) !== undefined
  const content = check?.status === 'fail' || (check?.status === 'pass' && named) ? dockerfile(inputs.file) : undefined
  if (!check || content === undefined) return
  const where = userPlace(content, inputs.target)
  if (!where) return
  // a docker-profile failure is root's (a helper beside a named user), not the name's
  const byName = named && (check.status === 'pass' || (run.settings?.profile ?? 'docker') !== 'docker')
  const place = { title: userTitle(run, where.instruction === 'USER', byName), file: path.relative(workspace, inputs.file), line: where.line }
  if (check.status === 'fail') sink.error(check.detail, place)
  else sink.warning(check.detail, place)
}

/** What is wrong with the USER (or its absence) the annotation points at. */
function userTitle(run: PlatformRun, onUser: boolean, named: boolean): string {
  if (named) return onUser ? 'image-gate: Kubernetes cannot verify this USER is not root' : 'image-gate: the USER this stage inherits is a name Kubernetes cannot verify'
  // under openshift the platform's UID ran: root is what the image asks for where USER decides
  const openshift = run.settings?.profile === 'openshift' && runAsNonRootRefusal(run.image.user) !== undefined
  if (openshift) return onUser ? 'image-gate: this USER is root wherever the image decides the UID' : 'image-gate: no USER in the final stage, so it is root wherever the image decides the UID'
  return onUser ? 'image-gate: this USER runs as root' : 'image-gate: no USER in the final stage, so it runs as root'
}

/**
 * A failed contents check becomes one error annotation per Dockerfile line that added something
 * (COPY . ., RUN npm ci, or the FROM line its base image came through), naming the files and the
 * fix. Names and sizes only: nothing of a file's content is in the report to show.
 */
export function annotateContents(report: Report, inputs: Pick<Inputs, 'file' | 'target'>, sink: Sink, workspace = process.env.GITHUB_WORKSPACE || process.cwd()): void {
  // with several platforms, each one's findings, its platform named in the title
  const several = report.runs.length > 1
  for (const run of report.runs) {
    const check = run.checks.find(c => c.name === 'contents')
    if (check?.status === 'fail' && run.contents) annotateFindings(run.contents, several ? run.platform : '', inputs, sink, workspace)
  }
}

function annotateFindings(contents: NonNullable<PlatformRun['contents']>, platform: string, inputs: Pick<Inputs, 'file' | 'target'>, sink: Sink, workspace: string): void {
  const content = dockerfile(inputs.file)
  if (content === undefined) return
  const byLine = new Map<number, { where: Place; findings: Finding[] }>()
  for (const finding of contents.findings) {
    const where = instructionPlace(content, finding.instruction, inputs.target)
    if (!where) continue
    const line = byLine.get(where.line) ?? { where, findings: [] }
    line.findings.push(finding)
    byLine.set(where.line, line)
  }
  for (const { where, findings } of byLine.values()) {
    const keyword = where.instruction === 'FROM' ? 'base image' : where.text.split(/\s/)[0].toUpperCase()
    const kinds = new Set(findings.map(f => f.kind))
    const what = kinds.has('secret') ? 'a secret' : kinds.has('forbidden') ? 'a forbidden path' : kinds.has('foreign-binary') ? 'a binary of another architecture' : kinds.has('dev-dependency') ? 'dev dependencies' : 'build tools'
    sink.error(`${findings.map(describeFinding).join('; ')}. ${fixFor(keyword, /--from[= ]/.test(where.text), findings)}`, {
      title: `image-gate: this ${keyword} puts ${what} into the image${platform ? ` (${platform})` : ''}`,
      file: path.relative(workspace, inputs.file),
      line: where.line
    })
  }
}

/**
 * BuildKit's build checks (JSONArgsRecommended, SecretsUsedInArgOrEnv, …) as warning annotations on
 * their Dockerfile lines, as docker/build-push-action shows them. DOCKER_BUILD_CHECKS_ANNOTATIONS=false
 * turns them off, as it does there (the build row still counts them). A warning about another file
 * than the Dockerfile built (BuildKit names it by its base name), or without a line, is not annotated.
 */
export function annotateBuildWarnings(report: Report, inputs: Pick<Inputs, 'file'>, sink: Sink, workspace = process.env.GITHUB_WORKSPACE || process.cwd(), env = process.env): void {
  if (isFalse(env.DOCKER_BUILD_CHECKS_ANNOTATIONS)) return
  const file = path.relative(workspace, inputs.file)
  // every platform builds the same Dockerfile: its warnings are the first build's
  for (const warning of report.runs[0]?.build.warnings ?? []) {
    if (!warning.line || (warning.file && warning.file !== path.basename(inputs.file))) continue
    const more = warning.url ? ` More info: ${warning.url}` : ''
    sink.warning(`${warning.rule}: ${warning.message.replace(/\.$/, '')}.${more}`, { title: `BuildKit build check: ${warning.rule}`, file, line: warning.line })
  }
}

/** A false boolean as Go (and the Docker actions) spell it: false, 0, f, FALSE, False. */
function isFalse(value: string | undefined): boolean {
  return value !== undefined && ['false', '0', 'f', 'FALSE', 'False', 'F'].includes(value.trim())
}

/** The Dockerfile's text, or undefined when it cannot be read (then there is no line to annotate). */
function dockerfile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

/** The fix where the finding was made: a .dockerignore entry for a COPY, a build secret for a RUN... */
function fixFor(keyword: string, fromStage: boolean, findings: Finding[]): string {
  const fixes: string[] = []
  const files = findings.filter(f => f.kind === 'secret' || f.kind === 'forbidden')
  if (files.length > 0) {
    const entries = [...new Set(files.map(f => ignoreEntry(f.path)))].join(', ')
    if (fromStage) fixes.push('Copy only what the app needs from the build stage (e.g. dist/), or delete it there.')
    else if (keyword === 'COPY' || keyword === 'ADD') fixes.push(`Add ${entries} to .dockerignore.`)
    else if (keyword === 'RUN') fixes.push('Delete it in the same RUN that makes it, or pass the credential as a build secret (RUN --mount=type=secret).')
    else fixes.push('It comes with the base image: build on one without it.')
    if (files.some(f => f.deletedBy)) fixes.push('Deleting it in a later layer does not take it out of the image.')
    if (files.some(f => f.alsoIn?.length)) fixes.push('A later layer wrote it again (a chown -R or chmod -R copies every file it touches): COPY --chown sets the owner without a second copy.')
  }
  if (findings.some(f => f.kind === 'foreign-binary')) fixes.push("Fetch or build it for the image's platform (ARG TARGETARCH in the download URL, or cross-compile for $TARGETARCH).")
  // in the words of the ecosystem each belongs to (npm's --omit=dev, Python's wheels, Go's binary)
  fixes.push(...toolFixes(findings))
  return fixes.join(' ')
}

/** "/app/.env" → "**\/.env"; "/app/.git" → ".git" (a .dockerignore entry that keeps it out of the context). */
function ignoreEntry(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1)
  return base === '.git' ? '.git' : `**/${base}`
}
