import { round } from '../units.js'
import type { CheckRule } from './check.js'

// max-startup-time: container start to the first passing probe, judged only when a budget is set.

export const startupCheck: CheckRule = (report, inputs) => {
  const maxSeconds = inputs.maxStartupTime
  if (maxSeconds === undefined) return []
  const startup = report.health.startupSeconds
  const limit = `≤ ${maxSeconds} s`
  if (startup === undefined) {
    return [{ name: 'startup', status: 'skip', value: 'not healthy', limit, detail: 'No startup time: the container never became healthy (see health).' }]
  }
  const value = `${startup} s`
  if (startup <= maxSeconds) return [{ name: 'startup', status: 'pass', value, limit, detail: 'Container start to the first passing health probe.' }]
  return [
    {
      name: 'startup',
      status: 'fail',
      value,
      limit,
      detail: `Healthy ${round(startup - maxSeconds)} s later than max-startup-time. Look for slow work before the server listens (migrations, cache warm-up) or raise the budget.`
    }
  ]
}
