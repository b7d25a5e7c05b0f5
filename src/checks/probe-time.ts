import type { CheckRule } from './check.js'

// max-probe-time: how long the health endpoint takes to answer, from Docker's own probe log. A
// probe is what an orchestrator's liveness check does every few seconds for the image's whole life,
// so a slow one is a cost paid forever (and, past the probe timeout, a restart).

export const probeTimeCheck: CheckRule = (run, inputs) => {
  const max = inputs.maxProbeTime
  if (max === undefined) return []
  const times = run.health.probeTimes
  const limit = `≤ ${max} ms`
  if (!times) return [{ name: 'probe-time', status: 'skip', value: 'no passing probe', limit, detail: 'No passing health probe to time (see health).' }]
  const of = times.passing === 1 ? 'the one passing probe' : `the slowest of ${times.passing} passing probes, median ${times.medianMs} ms`
  const value = `${times.slowestMs} ms`
  if (times.slowestMs <= max) return [{ name: 'probe-time', status: 'pass', value, limit, detail: `Docker's own timing of ${of}.` }]
  return [
    {
      name: 'probe-time',
      status: 'fail',
      value,
      limit,
      detail: `${times.slowestMs - max} ms over max-probe-time (${of}). Keep the health endpoint cheap: answer from memory rather than doing slow work on every probe, or raise the budget.`
    }
  ]
}
