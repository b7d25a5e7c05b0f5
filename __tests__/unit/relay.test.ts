import { describe, expect, it } from '@jest/globals'
import type { BuildWarning, Stop, PlatformRun } from '../../src/report/report.js'
import { inputs, measuredRun } from './fixtures.js'
import { judged } from './judged.js'

// The stop row when the app had a handler for the signal and PID 1 did not pass it on
// (stop.catchers): a shell-form CMD's shell, apache2ctl, a script without exec. The fix makes the
// app PID 1.

const KILLED = 'did not exit within 10 s of SIGTERM and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing.'
const JSON_ARGS: BuildWarning = { rule: 'JSONArgsRecommended', message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', file: 'Dockerfile', line: 6 }

function stopRow(stop: Stop, image: Partial<PlatformRun['image']>, base: PlatformRun['user']['base'], warnings: BuildWarning[] = []) {
  const report = measuredRun()
  report.image = { ...report.image, ...image }
  report.user = { ...report.user, base }
  report.build.warnings = warnings
  report.stop = stop
  return judged(report, inputs()).checks.find(c => c.name === 'stop')!
}

const puma: Stop = { outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, pid1: 'sh', catchers: [{ pid: 7, program: 'puma' }] }
const shellForm = { cmd: ['/bin/sh', '-c', 'bundle exec puma -p 80'] }

describe('PID 1 did not pass the signal on to the app that handles it', () => {
  it('a shell-form CMD on Debian: dash stays PID 1; the exec form, or exec in the string, and BuildKit\'s warning cited', () => {
    const row = stopRow(puma, shellForm, { shell: true, os: 'debian' }, [JSON_ARGS])
    expect(row).toMatchObject({ status: 'fail', value: 'killed after 10 s' })
    expect(row.detail).toBe(
      `PID 1 (sh) ${KILLED} puma (PID 7) handles SIGTERM, but PID 1 (sh) does not pass it on: ` +
        "PID 1 is the /bin/sh -c of the shell-form CMD, which BuildKit's JSONArgsRecommended warning (Dockerfile line 6) is about, " +
        "and Debian's /bin/sh (dash) stays PID 1 around the command it runs, even a single one, and passes it no signal. " +
        'Use the exec form CMD ["bundle","exec","puma","-p","80"], or begin the string with exec (CMD exec bundle exec puma -p 80), so puma is PID 1 and gets SIGTERM itself. ' +
        "As PID 1 puma exits 1 after its graceful stop (Ruby's SignalException, re-raised): set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0."
    )
  })

  it('without the build checks (buildx before 0.15) it says the same, without the citation; busybox and unknown shells are worded for themselves', () => {
    expect(stopRow(puma, shellForm, { shell: true, os: 'debian' }).detail).toContain(
      "PID 1 is the /bin/sh -c of the shell-form CMD, and Debian's /bin/sh (dash) stays PID 1 around the command it runs, even a single one, and passes it no signal."
    )
    const script = { cmd: ['/bin/sh', '-c', 'bundle exec rake db:migrate && bundle exec puma -p 80'] }
    expect(stopRow(puma, script, { shell: true, os: 'alpine' }).detail).toBe(
      `PID 1 (sh) ${KILLED} puma (PID 7) handles SIGTERM, but PID 1 (sh) does not pass it on: ` +
        "PID 1 is the /bin/sh -c of the shell-form CMD, and busybox's sh stays PID 1 around a command line of more than one command (a single one it execs), and passes it no signal. " +
        'Use the exec form CMD ["program", "arg", …], or put exec before the command that starts puma, so puma is PID 1 and gets SIGTERM itself. ' +
        "As PID 1 puma exits 1 after its graceful stop (Ruby's SignalException, re-raised): set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0."
    )
    expect(stopRow(puma, { entrypoint: ['/bin/sh', '-c', 'exec-me'], cmd: [] }, undefined).detail).toContain(
      'PID 1 is the /bin/sh -c of the shell-form ENTRYPOINT, and a shell as PID 1 passes no signal to the commands it runs. Use the exec form ENTRYPOINT ["exec-me"], or begin the string with exec (ENTRYPOINT exec exec-me)'
    )
  })

  it('names the first process of each program that had a handler', () => {
    const catchers = [
      { pid: 9, program: 'apache2' },
      { pid: 8, program: 'apache2' },
      { pid: 12, program: 'php' }
    ]
    expect(stopRow({ ...puma, catchers }, shellForm, { shell: true, os: 'debian' }).detail).toContain('apache2 (PID 8) and php (PID 12) handle SIGTERM, but PID 1 (sh) does not pass it on')
  })

  it("apache2ctl as PID 1: the php image's apache2-foreground, or apache2 exec'd after Debian's envvars", () => {
    const stop: Stop = { outcome: 'killed', signal: 'SIGWINCH', exitCode: 137, seconds: 0.02, waitedSeconds: 0.02, pid1: 'apache2ctl', unhandled: true, catchers: [{ pid: 16, program: 'apache2' }, { pid: 15, program: 'apache2' }] }
    const php = { entrypoint: ['docker-php-entrypoint'], cmd: ['/usr/sbin/apache2ctl', '-D', 'FOREGROUND'], stopSignal: 'SIGWINCH' }
    const row = stopRow(stop, php, { shell: true, os: 'debian' })
    expect(row.detail).toBe(
      'PID 1 (apache2ctl) has no handler for SIGWINCH and does not wait for it, and in its own PID namespace PID 1 gets no signal it does not handle: the kernel dropped it, ' +
        'so docker stop would kill it (SIGKILL) after 10 s, Kubernetes after 30 s, dropping whatever it was doing. image-gate killed it 0.02 s after the signal instead of waiting that out. ' +
        'apache2 (PID 15) handles SIGWINCH, but PID 1 (apache2ctl) does not pass it on: apache2ctl is a shell script for starting apache by hand, which runs apache2 as its child and stays PID 1. ' +
        'Use the php image\'s own CMD ["apache2-foreground"], which execs apache2 so it is PID 1 and gets SIGWINCH (its graceful stop).'
    )
    expect(stopRow(stop, { cmd: php.cmd }, { shell: true, os: 'debian' }).detail).toContain(
      'Make apache2 itself PID 1, so it gets SIGWINCH (its graceful stop): CMD ["/bin/sh", "-c", ". /etc/apache2/envvars && mkdir -p $APACHE_RUN_DIR && exec apache2 -DFOREGROUND"] ' +
        '(apache2 alone stops at AH00111: Config variable ${APACHE_RUN_DIR} is not defined; the php:*-apache images have apache2-foreground, which does this).'
    )
  })

  it('a script that starts the app as its child: exec, or an init', () => {
    const stop: Stop = { outcome: 'killed', signal: 'SIGTERM', exitCode: 137, seconds: 10, pid1: 'docker-entrypoi', catchers: [{ pid: 8, program: 'node' }] }
    expect(stopRow(stop, { entrypoint: ['docker-entrypoint.sh'], cmd: ['node', 'server.js'] }, { shell: true, os: 'debian' }).detail).toBe(
      `PID 1 (docker-entrypoi) ${KILLED} node (PID 8) handles SIGTERM, but PID 1 (docker-entrypoi) does not pass it on: it starts node as its child and stays PID 1. ` +
        'If it is a script, end it with exec (exec "$@", or exec and the command that starts node) so node replaces it as PID 1 and gets SIGTERM itself, or run it under an init that passes the signal on: ' +
        'RUN apt-get update && apt-get install -y dumb-init, then ENTRYPOINT ["dumb-init","--","docker-entrypoint.sh"] (its own ENTRYPOINT stays, after --). ' +
        'Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
  })

  it('no process with a handler, or an init as PID 1: the advice as before', () => {
    const none = stopRow({ ...puma, catchers: [] }, shellForm, { shell: true, os: 'debian' }, [JSON_ARGS]).detail
    expect(none).toContain("PID 1 is a shell running the shell-form CMD, as BuildKit's JSONArgsRecommended warning (Dockerfile line 6) says")
    expect(none).not.toContain('does not pass it on:')
    const tini = stopRow({ ...puma, pid1: 'tini', init: 'tini' }, shellForm, { shell: true, os: 'debian' }).detail
    expect(tini).toContain('PID 1 is tini, which passed SIGTERM on')
  })
})

describe('Ruby as PID 1 exits 1 on SIGTERM', () => {
  const exited = (pid1: string, signal = 'SIGTERM') => stopRow({ outcome: 'exited', signal, exitCode: 1, seconds: 0.11, pid1 }, {}, { shell: true, os: 'debian' })
  const init =
    'RUN apt-get update && apt-get install -y dumb-init, then ENTRYPOINT ["dumb-init","--"] (CMD stays). Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'

  it("puma: its re-raised SignalException, which the kernel does not apply to PID 1; raise_exception_on_sigterm false, or an init", () => {
    const row = exited('puma')
    expect(row).toMatchObject({ status: 'fail', value: 'exited 1, 0.11 s after SIGTERM' })
    expect(row.detail).toBe(
      'PID 1 (puma) exited with code 1 on SIGTERM. puma stopped gracefully, then raised SIGTERM as a SignalException, ' +
        "and uncaught it ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 1 instead. " +
        'Set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0. ' +
        `Or run it under an init, as whose child it dies of the signal (exit 143): ${init}`
    )
  })

  it('ruby itself: trap the signal; another exit code, or a program not known to be Ruby, is told as before', () => {
    expect(exited('ruby3.1', 'SIGINT').detail).toBe(
      "PID 1 (ruby3.1) exited with code 1 on SIGINT. Ruby raises SIGINT as a SignalException, and uncaught it ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 1 instead. " +
        `Handle it: Signal.trap('INT') { stop the server }, and exit 0 once it has stopped. Or run it under an init, as whose child it dies of the signal (exit 130): ${init}`
    )
    expect(exited('node').detail).toBe('PID 1 (node) exited with code 1 on SIGTERM: a clean shutdown exits 0 (or 128 + the signal). Finish in-flight work, close connections, and exit 0 when SIGTERM arrives.')
    expect(stopRow({ outcome: 'exited', signal: 'SIGTERM', exitCode: 3, seconds: 0.1, pid1: 'puma' }, {}, undefined).detail).not.toContain('Ruby')
  })
})
