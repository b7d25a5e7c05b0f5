import { describe, expect, it } from '@jest/globals'
import type { Docker } from '../../src/docker/docker.js'
import type { Report, Stop } from '../../src/report/report.js'
import { cleanExit, signalName } from '../../src/docker/container.js'
import { initOf, stopContainer } from '../../src/stages/stop.js'
import { pid1Handles } from '../../src/docker/pid1.js'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { inputs, measuredReport } from './fixtures.js'
import { judged } from './judged.js'

// Stopping the container as an orchestrator does, on a scripted engine and a fake clock; and the
// rows that judge it.

/** An engine whose container exits `exitsAfterMs` after the stop signal (never: ignores it). */
function engine(exitsAfterMs: number | undefined, exitCode = 0) {
  const calls: string[][] = []
  let signalledAt: number | undefined
  let killed = false
  let now = 0
  const state = () => {
    const stopped = killed || (signalledAt !== undefined && exitsAfterMs !== undefined && now - signalledAt >= exitsAfterMs)
    return { Running: !stopped, ExitCode: killed ? 137 : exitCode, FinishedAt: '', StartedAt: '', Status: stopped ? 'exited' : 'running', OOMKilled: false, Pid: 1 }
  }
  const call = async (args: string[]) => {
    calls.push(args)
    if (args[0] === 'kill' && args[2] === 'SIGKILL') killed = true
    else if (args[0] === 'kill') signalledAt = now
    return { exitCode: 0, stdout: args[0] === 'inspect' ? JSON.stringify(state()) : '', stderr: '' }
  }
  const docker = { call, ok: async (args: string[]) => (await call(args)).stdout } as unknown as Docker
  const clock = { now: () => now, wait: async (ms: number) => void (now += ms) }
  return { docker, clock, calls }
}

describe('stopContainer', () => {
  it('sends the stop signal and times the exit', async () => {
    const { docker, clock, calls } = engine(300, 143)
    const stop = await stopContainer(docker, 'c1', '', 10, clock)
    expect(stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 143 })
    expect(calls[0]).toEqual(['kill', '--signal', 'SIGTERM', 'c1'])
    expect(calls.some(c => c.includes('SIGKILL'))).toBe(false)
  })

  it("kills a container that ignores its signal after stop-timeout, as docker stop does, with the image's STOPSIGNAL", async () => {
    const { docker, clock, calls } = engine(undefined)
    const stop = await stopContainer(docker, 'c1', 'SIGQUIT', 2, clock)
    expect(stop).toEqual({ outcome: 'killed', signal: 'SIGQUIT', exitCode: 137, seconds: 2, waitedSeconds: 2 })
    expect(calls.filter(c => c[0] === 'kill').map(c => c[2])).toEqual(['SIGQUIT', 'SIGKILL'])
    expect(clock.now()).toBe(2000)
  })
})

describe('signals', () => {
  it.each([
    ['', 'SIGTERM'],
    ['SIGINT', 'SIGINT'],
    ['quit', 'SIGQUIT'],
    ['15', 'SIGTERM'],
    ['9', 'SIGKILL']
  ])('STOPSIGNAL %j is %s', (given, name) => expect(signalName(given)).toBe(name))

  it('a clean stop exits 0 or 128 + the signal', () => {
    expect([cleanExit(0, 'SIGTERM'), cleanExit(143, 'SIGTERM'), cleanExit(130, 'SIGINT'), cleanExit(1, 'SIGTERM'), cleanExit(137, 'SIGTERM')]).toEqual([true, true, true, false, false])
  })

  it('knows the inits that pass signals on', () => {
    expect([initOf('dumb-init'), initOf('/sbin/tini'), initOf('docker-init'), initOf('node'), initOf(undefined)]).toEqual(['dumb-init', 'tini', 'docker-init', undefined, undefined])
  })
})

describe("a PID 1 that does not handle its stop signal (pid_namespaces(7): it cannot reach it)", () => {
  const ID = 'ab91e02ecf7110bdc12e62bd46e1e327a51408fc8c9cb5d1177c5895e32b90d0'
  /** A /proc with one process: its cgroup, its PIDs in each namespace and the signals it catches. */
  function proc(nspid: string, sigCgt: string, cgroup = `0::/docker/${ID}\n`): string {
    const root = mkdtempSync(path.join(tmpdir(), 'image-gate-proc-'))
    mkdirSync(path.join(root, '6221'))
    writeFileSync(path.join(root, '6221', 'cgroup'), cgroup)
    writeFileSync(path.join(root, '6221', 'status'), `Name:\tnode\nNSpid:\t${nspid}\nSigIgn:\t0000000000001000\nSigCgt:\t${sigCgt}\n`)
    return root
  }

  it('reads the caught-signals mask of the container\'s PID 1, and only of it', () => {
    // node without a handler catches SIGUSR1 (10) and SIGPIPE... but not SIGTERM (15, bit 14)
    expect(pid1Handles(6221, ID, 'SIGTERM', proc('6221\t1', '0000000008000200'))).toBe(false)
    expect(pid1Handles(6221, ID, 'SIGTERM', proc('6221\t1', '0000000000004000'))).toBe(true)
    expect(pid1Handles(6221, ID, 'SIGINT', proc('6221\t1', '0000000000000002'))).toBe(true)
    // not told: --pid=host (not PID 1 of its own namespace), another container's process, no such process
    expect(pid1Handles(6221, ID, 'SIGTERM', proc('6221', '0000000000000000'))).toBeUndefined()
    expect(pid1Handles(6221, ID, 'SIGTERM', proc('6221\t1', '0000000000000000', '0::/docker/0123\n'))).toBeUndefined()
    expect(pid1Handles(7777, ID, 'SIGTERM', proc('6221\t1', '0000000000000000'))).toBeUndefined()
    expect(pid1Handles(6221, ID, 'SIGKILL', proc('6221\t1', '0000000000000000'))).toBeUndefined()
  })

  it('kills such a container at once, with the verdict docker stop would reach after stop-timeout', async () => {
    const { docker, clock, calls } = engine(undefined)
    const stop = await stopContainer(docker, 'c1', '', 30, clock, { pid: 6221, id: ID }, proc('6221\t1', '0000000008000200'))
    expect(stop).toEqual({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 30, waitedSeconds: 0, unhandled: true })
    expect(clock.now()).toBeLessThan(1_000)
    expect(calls.filter(c => c[0] === 'kill').map(c => c[2])).toEqual(['SIGTERM', 'SIGKILL'])
    // one that handles it is waited for, as before
    const waited = engine(300, 0)
    expect(await stopContainer(waited.docker, 'c1', '', 30, waited.clock, { pid: 6221, id: ID }, proc('6221\t1', '0000000000004000'))).toMatchObject({ outcome: 'exited', exitCode: 0 })
  })
})

describe('the stop row', () => {
  const stopRow = (stop: Stop | undefined, given = inputs()) => {
    const report = measuredReport()
    report.stop = stop
    return judged(report, given).checks.find(c => c.name === 'stop')!
  }

  it('passes a clean exit within stop-timeout', () => {
    expect(stopRow({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, seconds: 0.04, pid1: 'dumb-init', init: 'dumb-init' })).toEqual({
      name: 'stop',
      status: 'pass',
      value: 'exited 0, 0.04 s after SIGTERM',
      limit: 'exits within 10 s of SIGTERM',
      detail: 'PID 1 (dumb-init) exited on SIGTERM, as docker stop and Kubernetes expect.'
    })
  })

  it('fails a container killed after stop-timeout, naming PID 1, that no init runs, and the fix', () => {
    const row = stopRow({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 2, pid1: 'node' }, inputs({ stopTimeout: 2 }))
    expect(row).toMatchObject({ status: 'fail', value: 'killed after 2 s', limit: 'exits within 2 s of SIGTERM' })
    expect(row.detail).toBe(
      'PID 1 (node) did not exit within 2 s of SIGTERM and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing. ' +
        'No init runs in the container, and PID 1 ignores SIGTERM unless the app handles it: handle SIGTERM in the app, or run it under an init that passes it on: ' +
        'install dumb-init (apk add dumb-init on Alpine, apt-get install dumb-init on Debian), then ENTRYPOINT ["dumb-init","--"] (CMD stays). ' +
        'Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
  })

  it("puts the init in front of the image's own ENTRYPOINT, and installs it the base's way", () => {
    const advice = (entrypoint: string[], base: Report['user']['base']) => {
      const report = measuredReport()
      report.image.entrypoint = entrypoint
      report.user = { ...report.user, base }
      report.stop = { outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, pid1: 'node' }
      return judged(report, inputs()).checks.find(c => c.name === 'stop')!.detail.replace(/^.*passes it on: /, '')
    }
    const script = ['sh', 'docker-entrypoint.sh']
    const anywhere = ' Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    expect(advice(script, { shell: true, os: 'alpine' })).toBe(
      `RUN apk add --no-cache dumb-init, then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (its own ENTRYPOINT stays, after --).${anywhere}`
    )
    expect(advice(script, { shell: true, os: 'debian' })).toBe(
      `RUN apt-get update && apt-get install -y dumb-init, then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (its own ENTRYPOINT stays, after --).${anywhere}`
    )
    // nothing to install with: a static tini, copied in
    expect(advice(['/server'], { shell: false })).toBe(
      "nothing can be installed here, so COPY a static tini in from a build stage (Debian's tini package has /usr/bin/tini-static), " +
        `then ENTRYPOINT ["/tini","--","/server"] (its own ENTRYPOINT stays, after --).${anywhere}`
    )
  })

  it("a Go program's exit 2 on SIGTERM: says it is Go's runtime, not the app, and how to handle the signal", () => {
    const row = stopRow({ outcome: 'exited', signal: 'SIGTERM', exitCode: 2, seconds: 0.01, pid1: 'server', go: true })
    expect(row).toMatchObject({ status: 'fail', value: 'exited 2, 0.01 s after SIGTERM' })
    expect(row.detail).toBe(
      "PID 1 (server) exited with code 2 on SIGTERM. It is a Go program, and exit 2 is Go's runtime, not the app's code: with no handler for SIGTERM, " +
        "the runtime ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 2 instead. " +
        'Handle it: ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM); when ctx is done, shut the server down (srv.Shutdown, which finishes in-flight requests) and return from main, which exits 0.'
    )
    // exit 2 from a program not known to be Go is not blamed on Go
    expect(stopRow({ outcome: 'exited', signal: 'SIGTERM', exitCode: 2, seconds: 0.01, pid1: 'server' }).detail).not.toContain('Go')
  })

  it('with an init as PID 1, says the app itself ignores the signal', () => {
    const row = stopRow({ outcome: 'killed', signal: 'SIGTERM', seconds: 10, pid1: 'tini', init: 'tini' })
    expect(row.detail).toContain('PID 1 is tini, which passed SIGTERM on: the app itself ignores it. Handle SIGTERM in the app')
  })

  it('fails an unclean exit code, skips an exited container, and reports without judging when not required', () => {
    expect(stopRow({ outcome: 'exited', signal: 'SIGTERM', exitCode: 1, seconds: 0.2, pid1: 'node' })).toMatchObject({ status: 'fail', value: 'exited 1, 0.2 s after SIGTERM' })
    expect(stopRow({ outcome: 'not-run', signal: 'SIGTERM' })).toMatchObject({ status: 'skip', value: 'not run' })
    const unhandled = stopRow({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, pid1: 'node', unhandled: true })
    expect(unhandled).toMatchObject({ status: 'fail', value: 'killed after 10 s' })
    expect(unhandled.detail).toMatch(/^PID 1 \(node\) did not exit within 10 s of SIGTERM and was killed .* Known at once: PID 1 has no handler for SIGTERM \(its SigCgt mask\)/)
    const relaxed = stopRow({ outcome: 'killed', signal: 'SIGTERM', seconds: 10, pid1: 'node' }, inputs({ requireGracefulStop: false }))
    expect(relaxed.status).toBe('skip')
    expect(relaxed.detail).toMatch(/Not judged \(require-graceful-stop: false\)\.$/)
  })

  it('fails STOPSIGNAL SIGKILL, whose exit 137 is a kill, not a shutdown', () => {
    const row = stopRow({ outcome: 'exited', signal: 'SIGKILL', exitCode: 137, seconds: 0.01, pid1: 'node' })
    expect(row).toMatchObject({ status: 'fail', value: 'exited 137, 0.01 s after SIGKILL' })
    expect(row.detail).toBe(
      "The image's STOPSIGNAL is SIGKILL: docker stop and Kubernetes kill it outright, so it never shuts down gracefully (in-flight requests dropped, nothing flushed). Remove STOPSIGNAL SIGKILL (SIGTERM is the default) and handle SIGTERM in the app."
    )
  })

  it('fails a container that exited on its own after the health wait, saying when and with what code', () => {
    const row = stopRow({ outcome: 'gone', signal: 'SIGTERM', exitCode: 1, ranSeconds: 1.6, pid1: 'node' })
    expect(row).toMatchObject({ status: 'fail', value: 'exited on its own (code 1)' })
    expect(row.detail).toBe(
      'PID 1 (node) exited on its own with code 1, 1.6 s after it started: after the health wait, before image-gate went to stop it. A service that crashes or quits right after it is ready is restarted in a loop in production; its log says why.'
    )
  })

  it('a smoke command still running is stopped the same way, with its own stop time in its row', () => {
    const report = measuredReport()
    report.smoke = [
      { command: 'node worker.js', outcome: 'running', seconds: 5, stop: { outcome: 'exited', signal: 'SIGTERM', exitCode: 0, seconds: 0.08 } },
      { command: 'node cron.js', outcome: 'running', seconds: 5, stop: { outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10 } }
    ]
    const rows = judged(report, inputs()).checks.filter(c => c.name === 'smoke')
    expect(rows.map(r => [r.status, r.value])).toEqual([
      ['pass', 'running after 5 s; exited 0, 0.08 s after SIGTERM'],
      ['fail', 'running after 5 s; killed after 10 s']
    ])
    expect(rows[0].detail).toBe('command: node worker.js')
    expect(rows[1].detail).toContain('command: node cron.js. The container did not exit within 10 s of SIGTERM and was killed (SIGKILL)')
  })
})
