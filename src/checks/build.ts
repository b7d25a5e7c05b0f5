import { shortId } from '../report/text.js'
import type { CheckRule } from './check.js'

export const buildCheck: CheckRule = report => {
  const b = report.build
  if (b.ok) {
    return [{ name: 'build', status: 'pass', value: `built in ${b.seconds} s`, limit: '', detail: `image ${shortId(report.image.id)}` }]
  }
  const where = b.failedStep ? `failed at ${b.failedStep}` : 'failed'
  return [{ name: 'build', status: 'fail', value: 'failed', limit: '', detail: `${where}${b.error ? `: ${b.error}` : ''}. The end of the build log is below.` }]
}
