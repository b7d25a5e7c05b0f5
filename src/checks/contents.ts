import { describeFinding, FINDING_ROWS, toolFixes } from '../advice/findings.js'
import type { Check, Finding, PlatformRun } from '../report/report.js'
import { counted, formatSize } from '../units.js'
import { secretArgAdvice } from '../advice/build-checks.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'

// contents: what the image's layers hold that production must not ship (secrets, forbid-paths) or
// does not need (devDependencies, build tools). A finding names the file, its size and the
// instruction that added it, never what the file holds. The summary lists every finding below the
// table; the row names the first few and the fix.

/** Findings named in the row itself (the summary lists them all). */
const NAMED = 3

/** The fix for files that must not ship (or cannot run); dev dependencies and build tools get theirs in their ecosystem's words (advice/findings.ts). */
const FIX: Record<'secret' | 'forbidden' | 'foreign-binary', string> = {
  secret:
    'Keep secrets out of the build context (.dockerignore: **/.env, **/*.pem, .git) and pass build-time credentials as build secrets (RUN --mount=type=secret); deleting a file in a later layer does not take it out of the image.',
  forbidden: 'Leave out the paths forbid-paths refuses (.dockerignore, or copy only what the app needs).',
  'foreign-binary': "Fetch or build each binary for the image's platform: name the architecture in the download with ARG TARGETARCH (…-linux-${TARGETARCH}), or cross-compile in a stage FROM --platform=$BUILDPLATFORM for $TARGETOS/$TARGETARCH. Under emulation it may still run, but it fails with exec format error on a machine of the image's architecture."
}

export const contentsCheck: CheckRule = (run, inputs) => {
  const contents = run.contents
  if (!contents || !run.build.ok) return [notRun('contents', run)]
  return [judged(contentsRow(contents, run), inputs)]
}

function contentsRow(contents: NonNullable<PlatformRun['contents']>, run: PlatformRun): Check {
  const limit = 'no secrets, dev dependencies or build tools'
  if (contents.notScanned !== undefined) return { name: 'contents', status: 'skip', value: 'not scanned', limit: '', detail: `${contents.notScanned}.` }
  const allowed = contents.allowed > 0 ? ` allow-paths let ${contents.allowed} through.` : ''
  const read = `${counted(contents.files ?? 0, 'file')} in ${counted(contents.layers ?? 0, 'layer')}`
  if (contents.count === 0) {
    return { name: 'contents', status: 'pass', value: 'clean', limit, detail: `Read ${read}: no secrets, devDependencies or build tools.${allowed}` }
  }
  const { findings } = contents
  const named = findings.slice(0, NAMED).map(describeFinding).join('; ')
  const listed = Math.min(findings.length, FINDING_ROWS)
  const more =
    contents.count <= NAMED
      ? ''
      : contents.count <= listed
        ? `; and ${contents.count - NAMED} more (listed below)`
        : `; and ${(contents.count - NAMED).toLocaleString('en-US')} more (the first ${listed} listed below)`
  const files = [...new Set(findings.map(f => f.kind))].flatMap(kind => (kind === 'secret' || kind === 'forbidden' || kind === 'foreign-binary' ? [FIX[kind]] : []))
  const fixes = [...files, ...toolFixes(findings)].join(' ')
  // a secret file next to an ARG or ENV BuildKit's build checks took for a credential: both are said
  const args = findings.some(f => f.kind === 'secret') ? secretArgAdvice(run) : ''
  return { name: 'contents', status: 'fail', value: summarize(contents), limit, detail: `${named}${more}. ${fixes}${args}${allowed}` }
}

/** "1 secret, 2 dev dependencies (41.2 MB)". */
function summarize(contents: NonNullable<PlatformRun['contents']>): string {
  const { findings, count } = contents
  const parts: string[] = []
  const of = (kind: Finding['kind'], one: string, many: string, sized: boolean) => {
    const these = findings.filter(f => f.kind === kind)
    if (these.length === 0) return
    const bytes = these.reduce((sum, f) => sum + f.size, 0)
    parts.push(`${these.length} ${these.length === 1 ? one : many}${sized ? ` (${formatSize(bytes)})` : ''}`)
  }
  of('secret', 'secret', 'secrets', false)
  of('forbidden', 'forbidden path', 'forbidden paths', false)
  of('foreign-binary', 'foreign binary', 'foreign binaries', false)
  of('dev-dependency', 'dev dependency', 'dev dependencies', true)
  of('build-tool', 'build tool', 'build tools', true)
  return count > findings.length ? `${count} findings (${parts.join(', ')} among the first ${findings.length})` : parts.join(', ')
}

/** require-clean-contents: false reports what the layers hold without judging it. */
function judged(check: Check, inputs: JudgeInputs): Check {
  if (inputs.requireCleanContents || check.status !== 'fail') return check
  return { ...check, status: 'skip', detail: `${check.detail} Not judged (require-clean-contents: false).` }
}
