import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, removeImages, runAction, standin, takeLeftovers } from './action.js'

// The stop row when the app handles its stop signal and PID 1 does not pass it on, on the
// stand-ins of the images people start FROM: puma under the shell of a shell-form CMD on Debian
// (dash stays PID 1 even around a single command; busybox sh execs it), apache under apache2ctl
// with the php image's STOPSIGNAL SIGWINCH. The row names the process that had the handler and
// the fix that makes it PID 1; each fix it gives is then built and stops cleanly.

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/stop-pid1'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))
beforeAll(() => {
  for (const name of ['ruby', 'php-apache'] as const) standin(name)
}, 180_000)

/** buildx 0.15 and later report BuildKit's build checks (JSONArgsRecommended); engine 1's 0.13 does not. */
const buildChecks = (() => {
  const m = /\bv?(\d+)\.(\d+)\.\d+/.exec(execFileSync('docker', ['buildx', 'version'], { encoding: 'utf8' }))
  return m !== null && (Number(m[1]) > 0 || Number(m[2]) >= 15)
})()

/** A build context holding `files` (name → content), its Dockerfile from `lines`. */
function context(lines: string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  for (const [name, content] of Object.entries({ ...files, Dockerfile: `${lines.join('\n')}\n` })) writeFileSync(path.join(dir, name), content)
  return dir
}
/** The lead-in of a stop killed because the signal was lost, `waited` seconds after it was sent. */
const lost = (pid1: string, signal: string, waited: number | undefined) =>
  `PID 1 (${pid1}) has no handler for ${signal} and does not wait for it, and in its own PID namespace PID 1 gets no signal it does not handle: the kernel dropped it, ` +
  `so docker stop would kill it (SIGKILL) after 10 s, Kubernetes after 30 s, dropping whatever it was doing. image-gate killed it ${waited} s after the signal instead of waiting that out.`
// the php and full ruby images carry a C toolchain, which the contents row fails: not this test's
const PHP = { 'require-clean-contents': 'false' }
const RUBY = PHP

describe('puma under a shell-form CMD on Debian', () => {
  const ruby = (cmd: string) => [
    'FROM ruby:3.1',
    'RUN useradd --system --uid 10001 app',
    'WORKDIR /app',
    'COPY Gemfile config.ru ./',
    // offline: the gems are the base's (Debian's puma and rack), and the lock file is written here
    'RUN bundle install --local',
    'USER app',
    'HEALTHCHECK --interval=1s --start-period=30s CMD curl -fsS -o /dev/null http://127.0.0.1:8080/ || exit 1',
    cmd
  ]
  const files = { Gemfile: 'source "https://rubygems.org"\ngem "puma"\ngem "rack"\n', 'config.ru': 'run ->(env) { [200, { "content-type" => "text/plain" }, ["ok\\n"]] }\n' }

  it('dash stays PID 1 around the one command and passes no SIGTERM on: the row names puma and says the exec form, or exec in the string', async () => {
    const lines = ruby('CMD bundle exec puma -p 8080')
    const run = await runAction({ context: context(lines, files), tags: `${TAG}:puma-shell` })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })
    expect(run.report.runs[0].user.base).toEqual({ shell: true, os: 'debian' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', signal: 'SIGTERM', pid1: 'sh', unhandled: true })
    const [catcher] = run.report.runs[0].stop.catchers
    // named by its PID in the container (the one its own log gives), not the host's: not 1 (dash),
    // and small; which one varies by run, as each probe's exec before puma started took a PID too
    const host = run.report.runs[0].user.processes.find(p => p.command === 'puma')!.pid
    expect(catcher.pid).toBeGreaterThan(1)
    expect(catcher.pid).toBeLessThan(50)
    expect(catcher.pid).not.toBe(host)
    expect(run.report.runs[0].stop.catchers).toEqual([{ pid: catcher.pid, program: 'puma' }])
    const warned = buildChecks ? `, which BuildKit's JSONArgsRecommended warning (Dockerfile line ${lines.length}) is about` : ''
    expect(checkRow(run, 'stop').detail).toBe(
      `${lost('sh', 'SIGTERM', run.report.runs[0].stop.waitedSeconds)} puma (PID ${catcher.pid}) handles SIGTERM, but PID 1 (sh) does not pass it on: ` +
        `PID 1 is the /bin/sh -c of the shell-form CMD${warned}, and Debian's /bin/sh (dash) stays PID 1 around the command it runs, even a single one, and passes it no signal. ` +
        'Use the exec form CMD ["bundle","exec","puma","-p","8080"], or begin the string with exec (CMD exec bundle exec puma -p 8080), so puma is PID 1 and gets SIGTERM itself. ' +
        "As PID 1 puma exits 1 after its graceful stop (Ruby's SignalException, re-raised): set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0."
    )
    // at once: the whole gate, build included, well inside the grace period it did not wait out
    expect(run.report.runs[0].stop.waitedSeconds).toBeLessThan(1)
  })

  it('with exec in the shell string, puma is PID 1 and stops on SIGTERM, but exits 1: the row says why (Ruby, PID 1) and the fix', async () => {
    const run = await runAction({ context: context(ruby('CMD exec bundle exec puma -p 8080'), files), tags: `${TAG}:puma-exec` })
    expect(run.outputs).toMatchObject({ health: 'healthy', 'stop-exit-code': '1' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 1, pid1: 'puma' })
    expect(run.report.runs[0].stop.seconds).toBeLessThan(2)
    expect(checkRow(run, 'stop').detail).toBe(
      'PID 1 (puma) exited with code 1 on SIGTERM. puma stopped gracefully, then raised SIGTERM as a SignalException, ' +
        "and uncaught it ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 1 instead. " +
        'Set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0. ' +
        'Or run it under an init, as whose child it dies of the signal (exit 143): RUN apt-get update && apt-get install -y dumb-init, then ENTRYPOINT ["dumb-init","--"] (CMD stays). ' +
        'Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
  })

  it('with the exec form and raise_exception_on_sigterm false, puma is PID 1 and exits 0 on SIGTERM', async () => {
    const lines = ruby('CMD ["bundle","exec","puma","-p","8080"]')
    lines.splice(lines.indexOf('USER app'), 0, 'COPY puma.rb config/')
    const run = await runAction({ context: context(lines, { ...files, 'puma.rb': 'raise_exception_on_sigterm false\n' }), tags: `${TAG}:puma-fixed`, ...RUBY })
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail')).toEqual([])
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'true', 'stop-exit-code': '0' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGTERM', exitCode: 0, pid1: 'puma' })
    expect(checkRow(run, 'stop')).toMatchObject({ status: 'pass', detail: 'PID 1 (puma) exited on SIGTERM, as docker stop and Kubernetes expect.' })
    expect(run.report.runs[0].stop.seconds).toBeLessThan(2)
  })

  it("busybox's sh execs a lone command: the same shell form on the Alpine-like node image leaves node PID 1", async () => {
    const server = "process.on('SIGTERM', () => process.exit(0)); require('http').createServer((q, s) => s.end('ok')).listen(8080)\n"
    const lines = ['FROM node:18-alpine', 'WORKDIR /app', 'COPY server.js .', 'USER node', 'HEALTHCHECK --interval=1s --start-period=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1', 'CMD node server.js']
    const run = await runAction({ context: context(lines, { 'server.js': server }), tags: `${TAG}:busybox-shell` })
    expect(run.report.runs[0].user.base).toEqual({ shell: true, os: 'alpine' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', exitCode: 0, pid1: 'node' })
    expect(checkRow(run, 'stop').status).toBe('pass')
  })
})

describe('apache under apache2ctl, STOPSIGNAL SIGWINCH (the php image)', () => {
  const apache = (...lines: string[]) => ['FROM php:8.2-apache', 'COPY index.php /var/www/html/', 'HEALTHCHECK --interval=1s --start-period=30s CMD curl -fsS -o /dev/null http://127.0.0.1/ || exit 1', ...lines]
  const files = { 'index.php': '<?php echo "ok\\n";\n' }

  it("apache2ctl does not pass SIGWINCH on to apache2: the row names apache2 and says the php image's apache2-foreground", async () => {
    const run = await runAction({ context: context(apache('CMD ["/usr/sbin/apache2ctl", "-D", "FOREGROUND"]'), files), tags: `${TAG}:apache2ctl`, ...PHP })
    expect(run.outputs).toMatchObject({ health: 'healthy', passed: 'false', 'stop-exit-code': '137' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'killed', signal: 'SIGWINCH', pid1: 'apache2ctl', unhandled: true })
    const catchers = run.report.runs[0].stop.catchers
    expect(new Set(catchers.map(c => c.program))).toEqual(new Set(['apache2']))
    const master = Math.min(...catchers.map(c => c.pid))
    expect(checkRow(run, 'stop').detail).toBe(
      `${lost('apache2ctl', 'SIGWINCH', run.report.runs[0].stop.waitedSeconds)} apache2 (PID ${master}) handles SIGWINCH, but PID 1 (apache2ctl) does not pass it on: ` +
        'apache2ctl is a shell script for starting apache by hand, which runs apache2 as its child and stays PID 1. ' +
        'Use the php image\'s own CMD ["apache2-foreground"], which execs apache2 so it is PID 1 and gets SIGWINCH (its graceful stop).'
    )
  })

  it.each([
    ["the php image's apache2-foreground", ['CMD ["apache2-foreground"]']],
    // the way the row gives an image without apache2-foreground
    ["apache2 exec'd after Debian's envvars", ['ENTRYPOINT []', 'CMD ["/bin/sh", "-c", ". /etc/apache2/envvars && mkdir -p $APACHE_RUN_DIR && exec apache2 -DFOREGROUND"]']]
  ])('with %s, apache2 is PID 1 and stops on SIGWINCH', async (_, lines) => {
    const run = await runAction({ context: context(apache(...lines), files), tags: `${TAG}:apache-fixed`, ...PHP })
    expect(run.outputs).toMatchObject({ health: 'healthy' })
    expect(run.report.runs[0].stop).toMatchObject({ outcome: 'exited', signal: 'SIGWINCH', pid1: 'apache2' })
    expect(checkRow(run, 'stop')).toMatchObject({ status: 'pass', detail: 'PID 1 (apache2) exited on SIGWINCH, as docker stop and Kubernetes expect.' })
  })
})
