import { round } from '../units.js'
import type { CheckRule } from './check.js'

// max-startup-time: container start to the first passing probe, judged only when a budget is set.
// The app was ready somewhere between the start of the last failing probe and the end of the first
// passing one, so startup is known only to the probes' resolution: a budget is failed only when a
// probe still failed after it, and a budget inside that window is not judged either way. With
// fast-health the probes run every 0.1 s while the app starts, so the window is a fraction of a
// second and the row says so ("0.4 s, probed every 0.1 s"). With fast-health: false they run on
// the image's interval (often 30 s) and the figure is only an upper bound.

export const startupCheck: CheckRule = (run, inputs) => {
  const maxSeconds = inputs.maxStartupTime
  if (maxSeconds === undefined) return []
  const h = run.health
  const startup = h.startupSeconds
  const limit = `≤ ${maxSeconds} s`
  if (startup === undefined && h.verdict === 'missing') {
    return [{ name: 'startup', status: 'skip', value: 'no health check', limit, detail: 'No startup time: without a health check there is no moment the app is ready (see health).' }]
  }
  if (startup === undefined) {
    return [{ name: 'startup', status: 'skip', value: 'not healthy', limit, detail: 'No startup time: the container never became healthy (see health).' }]
  }
  const notReady = h.notReadyAtSeconds ?? 0
  const interval = h.intervalSeconds ?? 1
  if (h.startIntervalSeconds === undefined && interval > 1) {
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
        detail: `Not judged: ${window}, and the budget falls inside that window. Leave fast-health on to measure startup to a fraction of a second.`
      }
    ]
  }
  const probed = `probed every ${h.startIntervalSeconds ?? interval} s`
  const value = `${startup} s, ${probed}`
  if (startup <= maxSeconds) return [{ name: 'startup', status: 'pass', value, limit, detail: `Container start to the first passing health probe (${probed} while starting).` }]
  // the last failing probe began at or after the budget: surely late, by at least the difference
  if (notReady >= maxSeconds) {
    return [
      {
        name: 'startup',
        status: 'fail',
        value,
        limit,
        detail: `Healthy ${round(startup - maxSeconds)} s later than max-startup-time: a probe still failed ${notReady} s after start. Look for slow work before the server listens (migrations, cache warm-up) or raise the budget.`
      }
    ]
  }
  return [
    {
      name: 'startup',
      status: 'skip',
      value: `${notReady}–${startup} s`,
      limit,
      detail: `Not judged: the app was ready between ${notReady} s and ${startup} s after start (${probed}), and the budget falls inside that window, finer than the probes can tell.`
    }
  ]
}
