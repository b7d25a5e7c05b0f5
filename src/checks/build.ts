import { shortId } from '../report/text.js'
import type { CheckRule } from './check.js'

export const buildCheck: CheckRule = report => {
  const b = report.build
  if (b.ok) {
    return [{ name: 'build', status: 'pass', value: `built in ${b.seconds} s`, limit: '', detail: `image ${shortId(report.image.id)}` }]
  }
  return [{ name: 'build', status: 'fail', value: 'failed', limit: '', detail: `${failure(b)}. The end of the build log is below.` }]
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
