import type { Check, Report } from '../report/report.js'
import { notRun, type CheckRule, type JudgeInputs } from './check.js'

// The UID the container's processes really run as (not the USER string), and the fix for root.

export const userCheck: CheckRule = (report, inputs) => [userRow(report, inputs)]

function userRow(report: Report, inputs: JudgeInputs): Check {
  const u = report.user
  if (report.health.verdict === 'skipped' && u.uid === undefined && u.resolvedUid === undefined) return notRun('user', report)
  const limit = inputs.requireNonRoot ? 'non-root' : ''
  const judged = (status: Check['status'], value: string, detail: string): Check =>
    inputs.requireNonRoot
      ? { name: 'user', status, value, limit, detail }
      : { name: 'user', status: 'skip', value, limit, detail: `${detail} Not judged (require-non-root: false).` }

  const user = report.image.user ?? ''
  const configured = describeConfigured(user, u)
  if (u.uid === undefined) {
    // The container died before it could be looked at: judge USER as the image resolves it.
    if (u.resolvedUid === undefined) {
      return { name: 'user', status: 'skip', value: 'unknown', limit: '', detail: `${configured}; runtime user not read: ${u.unknownReason}.` }
    }
    const value = `UID ${u.resolvedUid} (from USER)`
    const why = `${configured}. Runtime user not read (${u.unknownReason}), so this is USER as the image resolves it.`
    return u.resolvedUid === 0 ? judged('fail', value, `${why} ${fixRoot(user, u)}`) : judged('pass', value, why)
  }

  const value = `UID ${u.uid}${u.gid !== undefined ? `, GID ${u.gid}` : ''}`
  const others = (u.processes ?? []).filter(p => p.uid === 0 && p.pid !== u.pid)
  const rootOthers = others.length ? ` Also running as UID 0: ${others.map(p => `${p.command} (PID ${p.pid})`).join(', ')}.` : ''
  const seen = `${configured}; PID 1 (${u.process}) runs as UID ${u.uid}.${rootOthers}`
  if (u.uid !== 0 && others.length === 0) return judged('pass', value, seen)
  const fix = u.uid !== 0 ? 'Start every process as the unprivileged user, or drop the root helper.' : fixRoot(user, u)
  return judged('fail', value, `${seen} ${fix}`)
}

/** `user`: the image's USER ("" when unset). */
function describeConfigured(user: string, u: Report['user']): string {
  if (!user) return 'no USER (root)'
  if (u.unresolved) return `USER ${user} (${u.unresolved})`
  if (u.resolvedUid !== undefined && !/^\d+(:\d+)?$/.test(user)) return `USER ${user} (UID ${u.resolvedUid} in the image)`
  return `USER ${user}`
}

function fixRoot(user: string, u: Report['user']): string {
  if (user && u.resolvedUid === 0) return `USER ${user} is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001), or use a numeric USER.`
  return 'Create an unprivileged user in the final stage and switch to it, e.g. USER 1001.'
}
