import { describe, expect, it } from '@jest/globals'
import type { Docker } from '../../src/docker/docker.js'
import { Secrets } from '../../src/secrets.js'
import type { Stop, PlatformRun } from '../../src/report/report.js'
import { cleanExit, signalName } from '../../src/docker/container.js'
import { initOf, stopContainer } from '../../src/stages/stop.js'
import { catches, readSignalFacts } from '../../src/docker/pid1.js'
import { lostSignal, type SignalFacts } from '../../src/rules/stop-signal.js'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { inputs, measuredRun } from './fixtures.js'
import { judged } from './judged.js'
import { Container } from '../../src/docker/handle.js'

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
  const docker = { call, ok: async (args: string[]) => (await call(args)).stdout, secrets: new Secrets() } as unknown as Docker
  const clock = { now: () => now, wait: async (ms: number) => void (now += ms) }
  return { docker, clock, calls }
}

describe('stopContainer', () => {
  it('sends the stop signal and times the exit', async () => {
    const { docker, clock, calls } = engine(300, 143)
    const stop = await stopContainer(new Container(docker, 'c1'), '', 10, clock)
    expect(stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 143 })
    expect(calls[0]).toEqual(['kill', '--signal', 'SIGTERM', 'c1'])
    expect(calls.some(c => c.includes('SIGKILL'))).toBe(false)
  })

  it("kills a container that ignores its signal after stop-timeout, as docker stop does, with the image's STOPSIGNAL", async () => {
    const { docker, clock, calls } = engine(undefined)
    const stop = await stopContainer(new Container(docker, 'c1'), 'SIGQUIT', 2, clock)
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

describe('what the kernel shows of PID 1 and its stop signal', () => {
  const ID = 'ab91e02ecf7110bdc12e62bd46e1e327a51408fc8c9cb5d1177c5895e32b90d0'
  interface Thread {
    sigBlk?: string
    sigPnd?: string
    switches?: number
    wchan?: string
  }
  /** A /proc with PID 6221: its cgroup, its PIDs in each namespace, its masks, threads and sockets. */
  function proc(nspid: string, sigCgt: string, opts: { cgroup?: string; shdPnd?: string; threads?: Thread[]; tcp6?: string } = {}): string {
    const root = mkdtempSync(path.join(tmpdir(), 'image-gate-proc-'))
    const threads = opts.threads ?? [{}]
    const status = (t: Thread) =>
      `Name:\tnode\nNSpid:\t${nspid}\nSigPnd:\t${t.sigPnd ?? '0000000000000000'}\nShdPnd:\t${opts.shdPnd ?? '0000000000000000'}\n` +
      `SigBlk:\t${t.sigBlk ?? '0000000000000000'}\nSigIgn:\t0000000000001000\nSigCgt:\t${sigCgt}\n` +
      `voluntary_ctxt_switches:\t${t.switches ?? 10}\nnonvoluntary_ctxt_switches:\t1\n`
    mkdirSync(path.join(root, '6221', 'net'), { recursive: true })
    writeFileSync(path.join(root, '6221', 'cgroup'), opts.cgroup ?? `0::/docker/${ID}\n`)
    writeFileSync(path.join(root, '6221', 'status'), status(threads[0]))
    writeFileSync(path.join(root, '6221', 'net', 'tcp'), '  sl  local_address rem_address   st\n')
    writeFileSync(path.join(root, '6221', 'net', 'tcp6'), opts.tcp6 ?? '  sl  local_address rem_address   st\n')
    threads.forEach((t, i) => {
      const dir = path.join(root, '6221', 'task', String(6221 + i))
      mkdirSync(dir, { recursive: true })
      writeFileSync(path.join(dir, 'status'), status(t))
      writeFileSync(path.join(dir, 'wchan'), t.wchan ?? 'do_epoll_wait')
    })
    return root
  }
  const LISTEN_8080 = '  sl  local_address rem_address   st\n   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A\n'

  it("reads the handler, the main thread's mask, what is pending, a signal wait and the sockets of the container's PID 1, and only of it", () => {
    // node catches SIGUSR1 (10) and SIGTERM (15, bit 14); one helper thread blocks every signal
    const node = proc('6221\t1', '0000000000004200', { threads: [{ switches: 7 }, { sigBlk: 'fffffffe7ffbfeff', switches: 3 }], tcp6: LISTEN_8080 })
    expect(readSignalFacts(6221, ID, 'SIGTERM', node)).toEqual({ program: 'node', caught: true, blocked: false, pending: false, waiting: false, switches: 12, listening: [8080] })
    expect(readSignalFacts(6221, ID, 'SIGINT', node)).toMatchObject({ caught: false })
    // tini: no handler, nothing blocked while it sleeps in sigtimedwait
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221\t1', '0', { threads: [{ wchan: 'do_sigtimedwait.isra.0' }] }))).toMatchObject({ caught: false, blocked: false, waiting: true })
    // wchan reads "0" to a user who may not ptrace it (GitHub's runner): the wait is not known
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221\t1', '0', { threads: [{ wchan: '0' }] }))).not.toHaveProperty('waiting')
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221\t1', '0', { shdPnd: '0000000000004000' }))).toMatchObject({ pending: true })
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221\t1', '0', { threads: [{ sigBlk: '0000000000004000' }] }))).toMatchObject({ blocked: true })
    // not told: --pid=host (not PID 1 of its own namespace), another container's process, no such process, SIGKILL
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221', '0'))).toBeUndefined()
    expect(readSignalFacts(6221, ID, 'SIGTERM', proc('6221\t1', '0', { cgroup: '0::/docker/0123\n' }))).toBeUndefined()
    expect(readSignalFacts(7777, ID, 'SIGTERM', proc('6221\t1', '0'))).toBeUndefined()
    expect(readSignalFacts(6221, ID, 'SIGKILL', proc('6221\t1', '0'))).toBeUndefined()
    // another process of the container: whether it has a handler
    expect([catches(6221, ID, 'SIGTERM', node), catches(6221, ID, 'SIGQUIT', node), catches(6221, 'other', 'SIGTERM', node)]).toEqual([true, false, undefined])
  })

  const facts = (f: Partial<SignalFacts> = {}): SignalFacts => ({ program: 'httpd', caught: false, blocked: false, pending: false, waiting: false, switches: 10, ...f })

  it('a signal is lost only when nothing of PID 1 could take it', () => {
    expect(lostSignal(facts(), facts(), 0)).toBe('no-handler')
    // a handler, the main thread's mask, pending, a thread in sigtimedwait (tini): it may yet arrive
    for (const f of [{ caught: true }, { blocked: true }, { pending: true }, { waiting: true }]) expect(lostSignal(facts(f), facts(f), 5000)).toBeUndefined()
    // an init that passes signals on, by name, even where its wait cannot be seen
    expect(lostSignal(facts({ program: 'tini', waiting: undefined }), facts({ program: 'tini', waiting: undefined }), 0)).toBeUndefined()
    // the wait cannot be seen (not root): lost only if no thread woke since the signal
    expect(lostSignal(facts({ waiting: undefined }), facts({ waiting: undefined }), 0)).toBe('no-handler')
    expect(lostSignal(facts({ waiting: undefined }), facts({ waiting: undefined, switches: 11 }), 0)).toBeUndefined()
  })

  it("a handler that reset itself (Node's own) is lost once PID 1 ran on a while, still listening", () => {
    const before = facts({ program: 'node', caught: true, listening: [8080] })
    const reset = facts({ program: 'node', switches: 30, listening: [8080] })
    expect(lostSignal(before, reset, 100)).toBeUndefined() // a shutdown may have begun
    expect(lostSignal(before, reset, 300)).toBe('reset')
    // a one-shot handler that began a shutdown closed its listener first (process.once, close-with-grace)
    expect(lostSignal(before, { ...reset, listening: [] }, 900)).toBeUndefined()
    // listening on nothing (a worker): it cannot be told, so it is waited out
    expect(lostSignal({ ...before, listening: [] }, { ...reset, listening: [] }, 900)).toBeUndefined()
  })

  it('kills such a container when the signal is known lost, with the verdict docker stop would reach after stop-timeout', async () => {
    const { docker, clock, calls } = engine(undefined)
    const stop = await stopContainer(new Container(docker, 'c1'), '', 30, clock, { pid: 6221, id: ID }, proc('6221\t1', '0000000008000200'))
    expect(stop).toEqual({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 30, waitedSeconds: 0, unhandled: true })
    expect(clock.now()).toBeLessThan(1_000)
    expect(calls.filter(c => c[0] === 'kill').map(c => c[2])).toEqual(['SIGTERM', 'SIGKILL'])
    // one that handles it is waited for, as before
    const waited = engine(300, 0)
    expect(await stopContainer(new Container(waited.docker, 'c1'), '', 30, waited.clock, { pid: 6221, id: ID }, proc('6221\t1', '0000000000004000'))).toMatchObject({ outcome: 'exited', exitCode: 0 })
    // a handler that stays (the fake /proc does not change): waited out, and the processes that would have caught it named
    const handles = engine(undefined)
    expect(await stopContainer(new Container(handles.docker, 'c1'), '', 2, handles.clock, { pid: 6221, id: ID, others: [] }, proc('6221\t1', '0000000000004000'))).toEqual({
      outcome: 'killed',
      signal: 'SIGTERM',
      exitCode: 137,
      seconds: 2,
      waitedSeconds: 2
    })
    // a shell as PID 1 without a handler, and puma under it with one: lost, and puma named by its PID in the container
    const root = proc('6221\t1', '0000000000010000')
    mkdirSync(path.join(root, '6300'))
    writeFileSync(path.join(root, '6300', 'cgroup'), `0::/docker/${ID}\n`)
    writeFileSync(path.join(root, '6300', 'status'), 'Name:\truby\nNSpid:\t6300\t7\nSigCgt:\t0000000000004000\n')
    const lost = engine(undefined)
    const pid1 = { pid: 6221, id: ID, others: [{ pid: 6221, command: 'sh' }, { pid: 6300, command: 'puma' }] }
    expect(await stopContainer(new Container(lost.docker, 'c1'), '', 10, lost.clock, pid1, root)).toMatchObject({ unhandled: true, waitedSeconds: 0, catchers: [{ pid: 7, program: 'puma' }] })
  })
})

describe('the stop row', () => {
  const stopRow = (stop: Stop | undefined, given = inputs()) => {
    const report = measuredRun()
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
    const advice = (entrypoint: string[], base: PlatformRun['user']['base']) => {
      const report = measuredRun()
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
    const unhandled = stopRow({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, waitedSeconds: 0.06, pid1: 'httpd', unhandled: true })
    expect(unhandled).toMatchObject({ status: 'fail', value: 'killed after 0.06 s (SIGTERM lost)' })
    expect(unhandled.detail).toMatch(
      /^PID 1 \(httpd\) has no handler for SIGTERM and does not wait for it, and in its own PID namespace PID 1 gets no signal it does not handle: the kernel dropped it, so docker stop would kill it \(SIGKILL\) after 10 s, Kubernetes after 30 s, dropping whatever it was doing\. image-gate killed it 0\.06 s after the signal instead of waiting that out\. No init runs/
    )
    const reset = stopRow({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 30, waitedSeconds: 0.52, pid1: 'node', unhandled: true, reset: true, listening: [8080] }, inputs({ stopTimeout: 30 }))
    expect(reset).toMatchObject({ status: 'fail', value: 'killed after 0.52 s (SIGTERM lost)' })
    expect(reset.detail).toMatch(
      /^PID 1 \(node\) caught SIGTERM only to reset its handler \(Node's own, which restores the terminal and re-raises the signal: the kernel drops it for PID 1\), and 0\.52 s later ran on with no handler left, still listening on 8080, so it was not shutting down: docker stop would kill it \(SIGKILL\) after 30 s, Kubernetes after 30 s, dropping whatever it was doing\. image-gate killed it then instead of waiting that out\. No init runs/
    )
    expect(stopRow({ outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, waitedSeconds: 10.01, pid1: 'node' }).value).toBe('killed after 10.01 s')
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
    const report = measuredRun()
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
