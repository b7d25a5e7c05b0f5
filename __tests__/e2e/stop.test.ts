import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, docker, fixture, removeImages, row, runAction, SERVE, standin, takeLeftovers } from './action.js'
import { dockerStop } from './oracle.js'

// The stop check on real containers: stopped as docker stop and Kubernetes stop them, timed from
// the signal to the exit, and killed when they ignore it.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/stop'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
/** A build context holding `files` (name → content). */
const context = (files: Record<string, string>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content)
  return dir
}
/** The markdown table's escaping of what the plain-text log shows as it is. */
const asShown = (text: string) => text.replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;').replace(/\*/g, '&#42;')
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

describe('stop', () => {
  it('a server as PID 1 without a SIGTERM handler fails at once, not after stop-timeout, and the row says SIGTERM, PID 1 and the fix', async () => {
    // busybox httpd as PID 1 handles no SIGTERM: in its own PID namespace the kernel drops the
    // signal, so docker stop could only kill it after the grace period; that is known at once
    const context = fixture([...NON_ROOT, SERVE[0], 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'])
    const run = await runAction({ context, tags: `${TAG}:ignores`, 'stop-timeout': '30' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-seconds': '30', 'stop-exit-code': '137' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'httpd', unhandled: true })
    const waited = run.report.runs[0].stop.waitedSeconds
    expect(waited).toBeLessThan(0.5)
    expect(row(run.summary, 'stop')).toBe(
      `| ❌ | stop | killed after ${waited} s (SIGTERM lost) | exits within 30 s of SIGTERM | PID 1 (httpd) has no handler for SIGTERM and does not wait for it, and in its own PID namespace PID 1 gets no signal it does not handle: ` +
        `the kernel dropped it, so docker stop would kill it (SIGKILL) after 30 s, Kubernetes after 30 s, dropping whatever it was doing. image-gate killed it ${waited} s after the signal instead of waiting that out. ` +
        'No init runs in the container, and PID 1 ignores SIGTERM unless the app handles it: handle SIGTERM in the app, or run it under an init that passes it on: ' +
        // busybox alone (its sh links to it, no os-release): nothing to install with
        'nothing can be installed here, so COPY a static tini in from a build stage (Debian&#39;s tini package has /usr/bin/tini-static), ' +
        'then ENTRYPOINT &#91;&quot;/tini&quot;,&quot;--&quot;&#93; (CMD stays). Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither). |'
    )
    expect(run.stdout).toContain(`::error::image-gate: 1 of 6 checks failed: stop (killed after ${waited} s (SIGTERM lost))`)
    // the whole gate, build included, in far less than the grace period it did not wait out
    expect(run.seconds).toBeLessThan(20)
  })

  // tini (and docker run --init's docker-init, which is tini) takes signals with sigtimedwait: no
  // handler, nothing blocked while it waits, yet the signal reaches it and it passes it on
  it.each([
    ['tini', '/usr/bin/tini-static'],
    ['docker-init', '/usr/bin/docker-init']
  ])('%s as ENTRYPOINT, with an app that exits on SIGTERM, passes the stop in under a second, as docker stop does', async (init, binary) => {
    const context = fixture([...NON_ROOT, SERVE[0], `COPY ${init} /${init}`, `ENTRYPOINT ["/${init}", "--"]`, SERVE[1]])
    copyFileSync(binary, path.join(context, init))
    const run = await runAction({ context, tags: `${TAG}:${init}`, 'stop-timeout': '30' })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true', 'stop-exit-code': '0' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: init, init })
    expect(run.report.runs[0].stop.seconds).toBeLessThan(1)
    expect(row(run.summary, 'stop')).toMatch(new RegExp(`^\\| ✅ \\| stop \\| exited 0, [\\d.]+ s after SIGTERM \\| exits within 30 s of SIGTERM \\| PID 1 \\(${init}\\) exited on SIGTERM, as docker stop and Kubernetes expect\\. \\|$`))
    // Docker itself, on a second container of the image: the same exit, as fast
    const oracle = dockerStop(`${TAG}:${init}`, 30)
    expect(oracle).toMatchObject({ exitCode: 0 })
    expect(Math.abs(oracle.seconds - run.report.runs[0].stop.seconds)).toBeLessThan(0.5)
  })

  describe("as GitHub's runner runs it (a user in the docker group, not root: a root process's wchan reads 0)", () => {
    it('tini, whose signal wait cannot be seen, is known by name: its app exits on SIGTERM and the stop passes', async () => {
      const context = fixture([...NON_ROOT, SERVE[0], 'COPY tini /tini', 'ENTRYPOINT ["/tini", "--"]', SERVE[1]])
      copyFileSync('/usr/bin/tini-static', path.join(context, 'tini'))
      const run = await runAction({ context, tags: `${TAG}:runner-tini`, 'stop-timeout': '30' }, { asRunner: true })
      expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true', 'stop-exit-code': '0' })
      expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 0, pid1: 'tini', init: 'tini' })
      expect(run.report.runs[0].stop.seconds).toBeLessThan(1)
    })

    it('a PID 1 without a handler that nothing woke since the signal is known lost at once', async () => {
      // the probe does not touch httpd (an exec of its own), so nothing wakes PID 1 but the signal could
      const context = fixture([...NON_ROOT, 'HEALTHCHECK --interval=30s CMD test -e /www/health', 'CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]'])
      const run = await runAction({ context, tags: `${TAG}:runner-httpd`, 'stop-timeout': '30' }, { asRunner: true })
      expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', exitCode: 137, pid1: 'httpd', unhandled: true })
      expect(run.report.runs[0].stop.waitedSeconds).toBeLessThan(0.5)
      expect(checkRow(run, 'user')).toMatchObject({ status: 'pass', value: 'UID 10001, GID 10001' })
    })
  })

  it('a process that handles SIGTERM but does not exit is waited for, then killed after stop-timeout', async () => {
    const context = fixture([...NON_ROOT, SERVE[0], `CMD ["sh", "-c", "trap 'echo ignoring TERM' TERM; httpd -f -p 8080 -h /www & while true; do sleep 1; done"]`])
    const run = await runAction({ context, tags: `${TAG}:handles-ignores`, 'stop-timeout': '2' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'sh' })
    expect(run.report.runs[0].stop.unhandled).toBeUndefined()
    expect(run.report.runs[0].stop.waitedSeconds).toBeGreaterThanOrEqual(2)
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| killed after 2(?:\.\d+)? s \| exits within 2 s of SIGTERM \| PID 1 \(sh\) did not exit within 2 s of SIGTERM/)
  })

  it('STOPSIGNAL SIGKILL fails: exit 137 is a kill, not a graceful stop', async () => {
    const context = fixture([...NON_ROOT, ...SERVE.slice(0, 1), 'STOPSIGNAL SIGKILL', SERVE[1]])
    const run = await runAction({ context, tags: `${TAG}:sigkill` })
    expect(run.report.runs[0].stop).toMatchObject({ signal: 'SIGKILL', exitCode: 137 })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| exited 137, [\d.]+ s after SIGKILL \| exits within 10 s of SIGKILL \| The image&#39;s STOPSIGNAL is SIGKILL: docker stop and Kubernetes kill it outright/)
  })

  it('a container that exits on its own right after it was healthy fails the stop, with its exit code and when', async () => {
    // the app quits (code 3) as soon as its first health probe has passed
    const probed = 'HEALTHCHECK --interval=30s --timeout=5s CMD touch /tmp/probed'
    const app = `CMD ["sh", "-c", "httpd -f -p 8080 -h /www & while [ ! -f /tmp/probed ]; do sleep 0.05; done; echo 'fatal: lost the database'; exit 3"]`
    const since = (Date.now() / 1000 - 1).toFixed(3)
    const run = await runAction({ context: fixture(['RUN mkdir -m 1777 /tmp', ...NON_ROOT, probed, app]), tags: `${TAG}:crashes` })
    // The oracle: Docker's own events. A probe result that comes in after the container stopped is
    // dropped (the app exits within 50 ms of the probe's touch): then Docker never said healthy, and
    // neither may image-gate. Seen once in a CI run on a loaded engine.
    const events = docker(['events', '--since', since, '--until', (Date.now() / 1000 + 1).toFixed(3), '--filter', 'label=io.github.image-gate', '--format', '{{.Action}}'])
    if (!events.split('\n').includes('health_status: healthy')) {
      expect(events.split('\n')).toContain('die')
      expect(run.outputs).toMatchObject({ health: 'exited', passed: 'false' })
      expect(run.report.runs[0].health.logTail).toContain('fatal: lost the database')
      return
    }
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'gone', exitCode: 3 })
    expect(run.report.runs[0].stop.ranSeconds).toBeGreaterThan(0)
    expect(row(run.summary, 'stop')).toMatch(/^\| ❌ \| stop \| exited on its own \(code 3\) \| exits within 10 s of SIGTERM \| (PID 1 \(sh\)|The container) exited on its own with code 3, [\d.]+ s after it started: after the health wait/)
    expect(run.report.runs[0].health.logTail).toContain('fatal: lost the database')
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: stop (exited on its own (code 3))')
  })

  it('the same server under a shell that traps TERM stops in well under a second', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:traps` })
    expect(run.outputs).toMatchObject({ passed: 'true', 'stop-exit-code': '0' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: 'sh' })
    expect(Number(run.outputs['stop-seconds'])).toBeLessThan(1)
    expect(row(run.summary, 'stop')).toMatch(/^\| ✅ \| stop \| exited 0, [\d.]+ s after SIGTERM \| exits within 10 s of SIGTERM \| PID 1 \(sh\) exited on SIGTERM/)
  })

  it("sends the image's own STOPSIGNAL", async () => {
    const context = fixture([...NON_ROOT, SERVE[0], 'STOPSIGNAL SIGINT', `CMD ["sh", "-c", "trap 'exit 0' INT; httpd -f -p 8080 -h /www & wait"]`])
    const run = await runAction({ context, tags: `${TAG}:sigint`, 'stop-timeout': '5' })
    expect(run.outputs.passed).toBe('true')
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGINT', exitCode: 0 })
    expect(row(run.summary, 'stop')).toContain('| exits within 5 s of SIGINT |')
  })

  it('a container that already exited is not stopped again', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, SERVE[0], 'CMD ["sh", "-c", "exit 3"]']), tags: `${TAG}:gone` })
    expect(run.outputs).toMatchObject({ health: 'exited', 'stop-seconds': '', 'stop-exit-code': '' })
    expect(row(run.summary, 'stop')).toBe('| ⚪ | stop | not run |  | not run: the container had already exited (see health). |')
  })

  it("an entrypoint-script image is told to put dumb-init in front of its own ENTRYPOINT, installed the base's way", async () => {
    // node as PID 1 (the script execs it) without a SIGTERM handler, on the Alpine-like node stand-in
    const dir = context({
      Dockerfile: [
        'FROM node:18-alpine',
        'WORKDIR /app',
        'COPY docker-entrypoint.sh server.js ./',
        'HEALTHCHECK --interval=1s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1',
        'USER node',
        'ENTRYPOINT ["sh", "docker-entrypoint.sh"]',
        'CMD ["node", "server.js"]',
        ''
      ].join('\n'),
      'docker-entrypoint.sh': '#!/bin/sh\nset -e\nexec "$@"\n',
      'server.js': "require('http').createServer((req, res) => res.end('ok')).listen(8080)\n"
    })
    const run = await runAction({ context: dir, tags: `${TAG}:entrypoint-script` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', pid1: 'node' })
    expect(run.report.runs[0].user.base).toEqual({ shell: true, os: 'alpine' })
    const advice =
      'No init runs in the container, and PID 1 ignores SIGTERM unless the app handles it: handle SIGTERM in the app, or run it under an init that passes it on: ' +
      'RUN apk add --no-cache dumb-init, then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (its own ENTRYPOINT stays, after --). ' +
      'Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    // node handles SIGTERM only to restore the terminal, then re-raises it: as PID 1 that does
    // nothing, and half a second later it still runs, with no handler, listening: known lost then
    const waited = run.report.runs[0].stop.waitedSeconds
    expect(run.report.runs[0].stop).toMatchObject({ unhandled: true, reset: true, listening: [8080] })
    expect(waited).toBeGreaterThanOrEqual(0.3)
    expect(waited).toBeLessThan(1.5)
    const detail =
      `PID 1 (node) caught SIGTERM only to reset its handler (Node's own, which restores the terminal and re-raises the signal: the kernel drops it for PID 1), and ${waited} s later ran on with no handler left, still listening on 8080, so it was not shutting down: ` +
      `docker stop would kill it (SIGKILL) after 10 s, Kubernetes after 30 s, dropping whatever it was doing. image-gate killed it then instead of waiting that out. ${advice}`
    expect(checkRow(run, 'stop').detail).toBe(detail)
    expect(row(run.summary, 'stop')).toBe(`| ❌ | stop | killed after ${waited} s (SIGTERM lost) | exits within 10 s of SIGTERM | ${asShown(detail)} |`)
    expect(run.stdout).toContain(advice)
    // Docker itself waits the grace period out and kills it
    const oracle = dockerStop(`${TAG}:entrypoint-script`, 3)
    expect(oracle.exitCode).toBe(137)
    expect(oracle.seconds).toBeGreaterThanOrEqual(3)
  })

  describe('node as PID 1', () => {
    /** A Node server on the node stand-in, probed every second, run as node; `entrypoint`: an init in front. */
    const nodeContext = (server: string, entrypoint: string[] = []) =>
      context({
        Dockerfile: [
          'FROM node:18-alpine',
          'WORKDIR /app',
          'COPY server.js ./',
          'HEALTHCHECK --interval=1s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1',
          'USER node',
          ...entrypoint,
          'CMD ["node", "server.js"]',
          ''
        ].join('\n'),
        'server.js': server
      })
    const LISTEN = "const server = require('http').createServer((req, res) => res.end('ok')).listen(8080)\n"

    it('without a handler, under stop-timeout 30: known lost within a second, and the gate does not wait the 30 s (bench/stop.ts times it)', async () => {
      const dir = nodeContext(LISTEN)
      const run = await runAction({ context: dir, tags: `${TAG}:node-plain`, 'stop-timeout': '30' })
      expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', pid1: 'node', unhandled: true, reset: true, exitCode: 137 })
      expect(checkRow(run, 'stop').value).toBe(`killed after ${run.report.runs[0].stop.waitedSeconds} s (SIGTERM lost)`)
      expect(run.report.runs[0].stop.waitedSeconds).toBeLessThan(1.5)
      expect(run.seconds - run.report.runs[0].build.seconds).toBeLessThan(15)
    })

    it('a one-shot handler that closes the server and exits a second later is waited for, as docker stop waits', async () => {
      // process.once: the handler is gone once it ran (as after Node's own), but the shutdown began:
      // the listener closes at once; exit 0 comes 1.2 s later
      const server = `${LISTEN}process.once('SIGTERM', () => { server.close(); setTimeout(() => process.exit(0), 1200) })\n`
      const dir = nodeContext(server)
      const run = await runAction({ context: dir, tags: `${TAG}:node-once` })
      expect(run.outputs).toMatchObject({ passed: 'true', 'stop-exit-code': '0' })
      expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 0, pid1: 'node' })
      const oracle = dockerStop(`${TAG}:node-once`, 10)
      expect(oracle.exitCode).toBe(0)
      expect(Math.abs(oracle.seconds - run.report.runs[0].stop.seconds)).toBeLessThan(0.5)
    })

    it('with a handler, under dumb-init, exits 0 on SIGTERM in under a second', async () => {
      const server = `${LISTEN}process.on('SIGTERM', () => server.close(() => process.exit(0)))\n`
      const dir = nodeContext(server, ['ENTRYPOINT ["dumb-init", "--"]'])
      const run = await runAction({ context: dir, tags: `${TAG}:node-dumb-init` })
      expect(run.outputs).toMatchObject({ passed: 'true', 'stop-exit-code': '0' })
      expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 0, pid1: 'dumb-init', init: 'dumb-init' })
      expect(run.report.runs[0].stop.seconds).toBeLessThan(1)
      const oracle = dockerStop(`${TAG}:node-dumb-init`, 10)
      expect(oracle.exitCode).toBe(0)
      expect(Math.abs(oracle.seconds - run.report.runs[0].stop.seconds)).toBeLessThan(0.5)
    })
  })

  it("a Go server without a SIGTERM handler exits 2 as PID 1: the row says it is Go's runtime, and how to handle the signal", async () => {
    standin('golang')
    const dir = context({
      Dockerfile: [
        'FROM golang:1.19 AS build',
        'WORKDIR /src',
        'COPY main.go .',
        'RUN CGO_ENABLED=0 go build -o /server main.go',
        'FROM scratch',
        'COPY --from=build /server /server',
        'USER 10001',
        'HEALTHCHECK --interval=1s --start-period=30s CMD ["/server", "probe"]',
        'ENTRYPOINT ["/server"]',
        ''
      ].join('\n'),
      'main.go': [
        'package main',
        '',
        'import (',
        '\t"net/http"',
        '\t"os"',
        ')',
        '',
        'func main() {',
        '\tif len(os.Args) > 1 && os.Args[1] == "probe" {',
        '\t\tr, err := http.Get("http://127.0.0.1:8080/health")',
        '\t\tif err != nil || r.StatusCode != 200 {',
        '\t\t\tos.Exit(1)',
        '\t\t}',
        '\t\treturn',
        '\t}',
        '\thttp.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })',
        '\t// no SIGTERM handler: what SIGTERM does is up to Go\'s runtime',
        '\thttp.ListenAndServe(":8080", nil)',
        '}',
        ''
      ].join('\n')
    })
    const run = await runAction({ context: dir, tags: `${TAG}:go` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '2' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 2, pid1: 'server', go: true })
    const detail =
      "PID 1 (server) exited with code 2 on SIGTERM. It is a Go program, and exit 2 is Go's runtime, not the app's code: with no handler for SIGTERM, " +
      "the runtime ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 2 instead. " +
      'Handle it: ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM); when ctx is done, shut the server down (srv.Shutdown, which finishes in-flight requests) and return from main, which exits 0.'
    expect(checkRow(run, 'stop')).toMatchObject({ status: 'fail', limit: 'exits within 10 s of SIGTERM', detail })
    expect(row(run.summary, 'stop')).toMatch(new RegExp(`^\\| ❌ \\| stop \\| exited 2, [\\d.]+ s after SIGTERM \\| exits within 10 s of SIGTERM \\| ${asShown(detail).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\|$`))
    expect(run.stdout).toContain(detail)
  }, 600_000)
})
