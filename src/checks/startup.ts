import { round } from '../units.js'
import type { CheckRule } from './check.js'

// max-startup-time: container start to the first passing probe, judged only when a budget is set.
// Probes run every second with fast-health, so the figure is the startup to a second. With
// fast-health: false they run on the image's interval (often 30 s): the app was ready somewhere
// between the last failing probe and the first passing one, so the figure is only an upper bound,
// and a budget inside that window cannot be judged either way.

export const startupCheck: CheckRule = (report, inputs) => {
  const maxSeconds = inputs.maxStartupTime
  if (maxSeconds === undefined) return []
  const h = report.health
  const startup = h.startupSeconds
  const limit = `≤ ${maxSeconds} s`
  if (startup === undefined && h.verdict === 'missing') {
    return [{ name: 'startup', status: 'skip', value: 'no health check', limit, detail: 'No startup time: without a health check there is no moment the app is ready (see health).' }]
  }
  if (startup === undefined) {
    return [{ name: 'startup', status: 'skip', value: 'not healthy', limit, detail: 'No startup time: the container never became healthy (see health).' }]
  }
  const interval = h.intervalSeconds ?? 1
  if (interval > 1) {
    const notReady = h.notReadyAtSeconds ?? 0
    const window = `Docker probed every ${interval} s (fast-health: false), so the app was ready between ${notReady} s and ${startup} s after start`
    if (startup <= maxSeconds) return [{ name: 'startup', status: 'pass', value: `≤ ${startup} s`, limit, detail: `${window}: within the budget either way.` }]
    if (notReady > maxSeconds) {
      return [{ name: 'startup', status: 'fail', value: `> ${notReady} s`, limit, detail: `A probe still failed ${notReady} s after start: ${window}. Look for slow work before the server listens, or raise the budget.` }]
    }
    return [
      {
        name: 'startup',
        status: 'skip',
        value: `${notReady}–${startup} s`,
        limit,
        detail: `Not judged: ${window}, and the budget falls inside that window. Leave fast-health on to measure startup to a second.`
      }
    ]
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
