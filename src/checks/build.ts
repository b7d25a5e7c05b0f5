import { describeWarning } from '../advice/build-checks.js'
import type { BuildWarning } from '../report/report.js'
import { shortId } from '../render/text.js'
import type { CheckRule } from './check.js'

/** Build checks named in the row itself (the annotations show every one). */
const NAMED = 3

export const buildCheck: CheckRule = run => {
  const b = run.build
  // BuildKit's build checks are warnings: counted and named, never a failure of the build
  const warned = warnings(b.warnings ?? [])
  if (b.ok) {
    return [{ name: 'build', status: 'pass', value: `built in ${b.seconds} s${warned.value}`, limit: '', detail: `image ${shortId(run.image.id)}${warned.detail && `. ${warned.detail}`}` }]
  }
  return [{ name: 'build', status: 'fail', value: 'failed', limit: '', detail: `${failure(b)}. The end of the build log is below.${warned.detail && ` ${warned.count} ${warned.detail}`}` }]
}

/**
 * " · 2 build check warnings (JSONArgsRecommended line 5, SecretsUsedInArgOrEnv line 3)" for the
 * value, and what each rule says for the detail; nothing where the builder reported none (buildx
 * before 0.15 reports none at all).
 */
function warnings(list: BuildWarning[]): { value: string; count: string; detail: string } {
  if (list.length === 0) return { value: '', count: '', detail: '' }
  const named = list.slice(0, NAMED).map(describeWarning).join(', ')
  const more = list.length > NAMED ? `, and ${list.length - NAMED} more` : ''
  // each rule once, with its first message
  const rules = list.filter((w, i) => list.findIndex(o => o.rule === w.rule) === i).slice(0, NAMED)
  const said = rules.map(w => `${w.rule}: ${w.message.replace(/\.$/, '')}`).join('; ')
  const count = `${list.length} build check warning${list.length === 1 ? '' : 's'} (${named}${more})`
  return {
    value: ` · ${count}`,
    // a failed build's value stays "failed" (the headline quotes it): the count goes to the detail
    count: `${count[0].toUpperCase()}${count.slice(1)}.`,
    detail: `BuildKit's build checks warn (they do not fail the build): ${said}.`
  }
}

/**
 * With the step's own telling line (stages/build.ts picks it), that line is the news, and buildx's
 * generic "did not complete successfully: exit code: 1" shrinks to its exit code:
 * "failed at [build 4/6] RUN npm ci: npm error 404 Not Found - GET … (exit code 1)".
 */
function failure(b: { failedStep?: string; error?: string; cause?: string }): string {
  if (b.failedStep && b.cause) {
    const code = /exit code: (\d+)/.exec(b.error ?? '')?.[1]
    return `failed at ${b.failedStep}: ${b.cause.replace(/\.$/, '')}${code ? ` (exit code ${code})` : b.error ? ` (${b.error})` : ''}`
  }
  const where = b.failedStep ? `failed at ${b.failedStep}` : 'failed'
  return `${where}${b.error ? `: ${b.error}` : ''}`
}
