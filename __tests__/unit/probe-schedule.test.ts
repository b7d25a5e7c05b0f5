import { describe, expect, it } from '@jest/globals'
import { dockerSchedule, NO_COSTS, probeCosts, provenUnhealthy, ScheduleReplay, startIntervalRule, type TimedProbe } from '../../src/health/probe-schedule.js'

// Docker's schedule of a check that never passes (moby daemon/health.go), replayed with the costs
// the wait's own probes measured, and the probe that proves Docker's last counted probe failed.

/** Every probe runs `seconds`. */
const each = (seconds: number) => () => seconds

/** A schedule's figures to the millisecond, as Docker's stamps have them. */
const ms = (s: { lastProbeSeconds: number; unhealthySeconds: number; probes: number }) => ({
  last: Math.round(s.lastProbeSeconds * 1000),
  unhealthy: Math.round(s.unhealthySeconds * 1000),
  probes: s.probes
})

describe('startIntervalRule: how the daemon spaces probes in the start period, by its version', () => {
  it.each([
    ['20.10.24+dfsg1', 'none'], // no start interval: one interval throughout
    ['24.0.7', 'none'],
    ['25.0.3', 'interval'], // a start interval, the interval when the image sets none
    ['26.1.4', 'interval'],
    ['27.0.1', 'five-seconds'], // the image's, or 5 s
    ['28.5.2+dfsg4', 'five-seconds'],
    ['29.1.0', 'five-seconds'],
    ['', 'five-seconds'] // unreadable: the newest
  ])('%s: %s', (version, rule) => {
    expect(startIntervalRule(version)).toBe(rule)
  })
})

describe('dockerSchedule: each probe one interval after the last one ended', () => {
  it.each([
    [1, 0, 2, 2000], // interval 1 s, retries 2: the second failed probe
    [30, 5, 3, 90_000], // start period 5 s: the 30 s probe is the first that counts, then two more
    [30, 0, 3, 90_000], // Docker's defaults
    [10, 45, 3, 70_000], // probes at 10..40 s fall in the start period; 50, 60, 70 count
    [5, 10, 1, 10_000] // a probe starting exactly at the end of the start period counts
  ])('probes that cost nothing: interval %d s, start period %d s, retries %d: unhealthy at %d ms', (interval, startPeriod, retries, unhealthy) => {
    const s = dockerSchedule({ interval, startPeriod, retries }, 'none', NO_COSTS)
    expect(ms(s)).toMatchObject({ last: unhealthy, unhealthy })
  })

  // Docker's own logs, and the schedule given the runs Docker measured: the model is Docker's
  it.each([
    // Docker 28.5, --interval=1s --retries=3, never ready: monitor 0.156 s after start, gaps of 1-2 ms
    ['28.5, a probe that fails at once', [1.156, 2.225, 3.316], [0.068, 0.089, 0.047], 0.156, 0.0015, 3363],
    // Docker 20.10, --interval=1s --timeout=1s --retries=3, a probe that hangs: each ends at its timeout, 4-5 ms to kill it
    ['20.10, a probe that times out', [1.001, 3.007, 5.012], [1.001, 1.001, 1.001], 0.001, 0.0045, 6013]
  ])("Docker %s: its own log, replayed with its own runs", (_what, starts, runs, monitorDelay, gap, unhealthy) => {
    const s = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'none', { monitorDelay, probe: (_start, nth) => runs[nth - 1], gap })
    expect(Math.abs(s.lastProbeSeconds - starts[2])).toBeLessThan(0.002)
    expect(Math.abs(s.unhealthySeconds * 1000 - unhealthy)).toBeLessThan(2)
  })

  it("issue 29's app: --interval=1s --retries=3 on Docker 28.5's costs puts the third probe after 3.2 s, so an app ready at 2.8 s is healthy", () => {
    // monitor 0.14 s after start, probes of 55 ms, 1 ms to handle each result (Docker 28.5, measured)
    const s = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'five-seconds', { monitorDelay: 0.14, probe: each(0.055), gap: 0.001 })
    // 0.14 + 1 = 1.14; + 0.056 + 1 = 2.196; + 0.056 + 1 = 3.252; its end 3.307
    expect(ms(s)).toEqual({ last: 3252, unhealthy: 3307, probes: 3 })
    expect(s.lastProbeSeconds).toBeGreaterThan(2.8)
  })

  it('slow probes: 0.4 s each move every later probe by 0.4 s', () => {
    const s = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'none', { monitorDelay: 0, probe: each(0.4), gap: 0.001 })
    expect(ms(s)).toEqual({ last: 3802, unhealthy: 4202, probes: 3 })
  })

  it('a probe that times out takes the timeout (and its exec) before the next interval starts', () => {
    // --timeout=1s --interval=1s --retries=3, each probe 1.05 s: Docker 28.5 said unhealthy at 6.24 s
    const s = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'five-seconds', { monitorDelay: 0.1, probe: each(1.05), gap: 0.001 })
    expect(ms(s)).toEqual({ last: 5202, unhealthy: 6252, probes: 3 })
  })

  it('retries 1: the first probe that starts after the start period', () => {
    const s = dockerSchedule({ interval: 2, startPeriod: 3, retries: 1 }, 'none', { monitorDelay: 0.1, probe: each(0.1), gap: 0 })
    // 2.1 (in the start period), then 2.2 + 2 = 4.2
    expect(ms(s)).toEqual({ last: 4200, unhealthy: 4300, probes: 2 })
  })

  describe('the start period', () => {
    const timing = { interval: 1, startPeriod: 3, retries: 3 }
    const costs = { monitorDelay: 0.1, probe: each(0.05), gap: 0.001 }

    it('Docker 27 and later probe every 5 s in it when the image sets no start interval: the first probe at 5.1 s counts', () => {
      // measured on Docker 28.5 (--start-period=3s --interval=1s): probes at 5.10, 6.15, 7.19, 8.23 s, unhealthy after the third
      const s = dockerSchedule(timing, 'five-seconds', costs)
      expect(ms(s)).toEqual({ last: 7202, unhealthy: 7252, probes: 3 })
      expect(s.startPeriodInterval).toBe(5)
    })

    it('Docker 25 and 26 probe at the interval in it: probes at 1.1 and 2.15 s do not count, from 3.2 s they do', () => {
      const s = dockerSchedule(timing, 'interval', costs)
      expect(ms(s)).toEqual({ last: 5304, unhealthy: 5354, probes: 5 })
      expect(s.startPeriodInterval).toBe(1)
    })

    it("the image's own start interval, until the start period ends (asked after each probe)", () => {
      const s = dockerSchedule({ ...timing, startInterval: 0.5 }, 'five-seconds', costs)
      // 0.6, 1.151, 1.702, 2.253, 2.804 (ends 2.854 < 3: another 0.5 s) 3.355 counts, then 4.406, 5.457
      expect(ms(s)).toEqual({ last: 5457, unhealthy: 5507, probes: 8 })
    })

    it('before Docker 25 there is no start interval: the image\'s is ignored', () => {
      expect(dockerSchedule({ ...timing, startInterval: 0.5 }, 'none', costs)).toEqual(dockerSchedule(timing, 'interval', costs))
    })

    it('a probe that starts in the start period does not count even when it ends after it', () => {
      const s = dockerSchedule({ interval: 1, startPeriod: 1.5, retries: 1 }, 'none', { monitorDelay: 0, probe: each(0.8), gap: 0 })
      // 1.0 (ends 1.8, after the start period: not counted), 2.8 counts
      expect(ms(s)).toEqual({ last: 2800, unhealthy: 3600, probes: 2 })
    })
  })
})

const probe = (start: number, end: number, exitCode = 1): TimedProbe => ({ start, end, exitCode })

describe("probeCosts: from what the wait's probes measured", () => {
  // Docker 28.5, probing every 0.1 s: the first probe 0.24 s after start, one slow probe at 0.538 s
  const probes = [probe(0.24, 0.285), probe(0.386, 0.437), probe(0.538, 0.662), probe(0.764, 0.832), probe(0.933, 0.98)]
  const pairs: [TimedProbe, TimedProbe][] = [
    [probes[0], probes[1]],
    [probes[2], probes[3]]
  ]
  const costs = probeCosts(probes, pairs, 0.1)

  it('the monitor: the first probe less its interval; the gap: the longest between two consecutive probes less the interval', () => {
    expect(costs.monitorDelay).toBeCloseTo(0.14, 6)
    expect(costs.gap).toBeCloseTo(0.002, 6)
  })

  it("a probe at t runs as long as the slower of the wait's probes around t: the one running (or the last before) and the next", () => {
    expect(costs.probe(0.5, 2)).toBeCloseTo(0.124, 6) // 0.386 (51 ms) and 0.538 (124 ms)
    expect(costs.probe(0.6, 2)).toBeCloseTo(0.124, 6) // during the slow one, and 0.764 (68 ms)
    expect(costs.probe(0.8, 2)).toBeCloseTo(0.068, 6) // 0.764 and 0.933 (47 ms)
    expect(costs.probe(0.5, 1)).toBeCloseTo(0.124, 6)
    // Docker's first probe is its first exec into the container: at least as long as the wait's first
    expect(costs.probe(0.9, 1)).toBeCloseTo(0.068, 6) // 0.764 and 0.933, no shorter than the first's 45 ms
    expect(probeCosts([probe(0.2, 0.5), probe(0.6, 0.65), probe(0.75, 0.8)], [], 0.1).probe(0.7, 1)).toBeCloseTo(0.3, 6)
    // not seen that far yet: the slowest seen
    expect(costs.probe(1.5, 3)).toBeCloseTo(0.124, 6)
  })

  it('nothing seen: nothing counted; no pair: no gap; a gap shorter than the interval is none', () => {
    expect(probeCosts([], [], 0.1)).toBe(NO_COSTS)
    const one = probeCosts([probe(0.05, 0.1)], [], 0.1)
    expect(one).toMatchObject({ monitorDelay: 0, gap: 0 })
    expect(one.probe(1, 1)).toBeCloseTo(0.05, 6)
  })
})

describe('dockerSchedule on measured costs', () => {
  it('a slow probe moves only the probes around it, and the schedule says the slowest it counted', () => {
    // the wait's probes every ~0.15 s from 0.2 s, 50 ms each, but 0.5 s around 2.1 s
    const seen = Array.from({ length: 30 }, (_, i) => 0.2 + 0.15 * i).map(start => probe(start, start + (start > 2 && start < 2.2 ? 0.5 : 0.05)))
    const costs = probeCosts(seen, [], 0.1)
    const s = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'none', costs)
    // Docker's probes at 1.1 (50 ms), 2.15 (the slow one: 0.5 s) and 3.65 s
    expect(ms(s)).toEqual({ last: 3650, unhealthy: 3700, probes: 3 })
    expect(s.slowestRun).toBeCloseTo(0.5, 6)
  })
})

describe('provenUnhealthy: a failed probe that started no earlier than Docker\'s last counted probe would', () => {
  const schedule = dockerSchedule({ interval: 1, startPeriod: 0, retries: 3 }, 'none', NO_COSTS) // last probe at 3 s

  it('none before it: Docker could still see the app ready at 3 s', () => {
    expect(provenUnhealthy([probe(2.9, 2.95), probe(2.99, 3.05)], schedule)).toBeUndefined()
  })

  it('the first failed probe from 3 s on', () => {
    expect(provenUnhealthy([probe(2.9, 2.95), probe(3.05, 3.1), probe(3.2, 3.25)], schedule)).toEqual(probe(3.05, 3.1))
  })

  it('never once a probe passed (Docker would have said healthy)', () => {
    expect(provenUnhealthy([probe(2.9, 2.95, 0), probe(3.05, 3.1)], schedule)).toBeUndefined()
  })
})

describe('ScheduleReplay: the schedule afresh at each look, from every probe seen', () => {
  it('slow probes seen later push the schedule later; the gap is timed only within one log, while probing at 0.1 s', () => {
    const replay = new ScheduleReplay({ interval: 1, startPeriod: 0, retries: 3 }, 'none', 0.1, 10)
    const early = [probe(0.1, 0.15), probe(0.25, 0.3)]
    const first = replay.update(early, early)
    // the first probe 0.1 s after start (no monitor delay), 50 ms probes, no gap: 1, 2.05, 3.1 s
    expect(ms(first)).toEqual({ last: 3100, unhealthy: 3150, probes: 3 })
    // a slow probe (0.4 s), then one Docker logged after probes the wait missed: the 1.1 s
    // between the two is no gap of Docker's
    const later = [...early, probe(0.4, 0.8), probe(2, 2.05)]
    const second = replay.update(later, [probe(2, 2.05)])
    expect(second.costs).toMatchObject({ monitorDelay: 0, gap: 0 })
    // Docker's first probe at 1 s runs as the slow one before it did (0.4 s); nothing seen after
    // 2 s yet, so its next probes run as the slowest seen: 2.4 and 3.8 s
    expect(ms(second)).toEqual({ last: 3800, unhealthy: 4200, probes: 3 })
    expect(second.proof).toBeUndefined()
    // a probe at 3.5 s: Docker's second, at 2.4 s, runs as those around it did (50 ms), its third starts at 3.45 s
    const proven = replay.update([...later, probe(3.5, 3.55)], [probe(2, 2.05)])
    expect(ms(proven)).toEqual({ last: 3450, unhealthy: 3500, probes: 3 })
    expect(proven.proof).toEqual(probe(3.5, 3.55))
  })

  it('pairs after the wait\'s own start period (health-timeout) are not timed: the wait probed at another interval then', () => {
    const replay = new ScheduleReplay({ interval: 1, startPeriod: 0, retries: 3 }, 'none', 0.1, 1)
    const log = [probe(1.1, 1.15), probe(2.2, 2.25)] // a second apart after the wait's start period of 1 s
    expect(replay.update(log, log).costs.gap).toBe(0)
  })
})
