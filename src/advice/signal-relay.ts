import { initAdvice } from './init-process.js'
import type { BuildWarning, PlatformRun, Stop } from '../report/report.js'

// A stop that was killed although the app would have stopped: another process of the container
// had a handler for the signal (stop.catchers), and PID 1, which alone gets it from docker stop
// and the kubelet, did not pass it on. Who PID 1 is decides the fix:
// - the shell of a shell-form CMD or ENTRYPOINT (`/bin/sh -c "bundle exec puma -p 80"`). Debian's
//   /bin/sh, dash 0.5.12, stays PID 1 around every command line, even a single command; busybox sh
//   and bash exec a lone last command, so there it stays only around more than one (measured on
//   bookworm's dash and busybox 1.35). The fix is the exec form, or `exec` in the string.
// - apache2ctl, Debian's shell script for starting apache by hand: it runs apache2 as its child.
//   The php image's apache2-foreground execs apache2; apache2 alone stops at AH00111 without the
//   variables Debian's envvars sets, so elsewhere they are read first and apache2 is exec'd.
// - any other script that starts the app as its child (an entrypoint script without exec).
// Written from the run only: pid1 and catchers are docker top's and /proc's, the command the
// image's config, the base /etc/os-release's.

const SHELLS = ['sh', 'bash', 'ash', 'dash', 'zsh', 'busybox']

/** Whether `program` (a comm or a path) is a shell. */
export function isShell(program: string | undefined): boolean {
  return SHELLS.includes(program?.split('/').pop() ?? '')
}

/** The image's shell-form command: which keyword, and the string its shell runs. */
export function shellForm(run: PlatformRun): { keyword: 'CMD' | 'ENTRYPOINT'; script: string } | undefined {
  const of = (argv: string[] | undefined) => (argv?.length === 3 && /^(\/usr)?\/bin\/(ba|da)?sh$/.test(argv[0]) && argv[1] === '-c' ? argv[2].trim() : undefined)
  const entrypoint = of(run.image.entrypoint)
  if (entrypoint !== undefined) return { keyword: 'ENTRYPOINT', script: entrypoint }
  // a CMD under an ENTRYPOINT is its arguments, not a shell's
  const cmd = run.image.entrypoint?.length ? undefined : of(run.image.cmd)
  return cmd !== undefined ? { keyword: 'CMD', script: cmd } : undefined
}

/** "puma (PID 7) handles SIGTERM" / "apache2 (PID 15) and php (PID 20) handle SIGTERM": the first process of each program. */
function catching(catchers: NonNullable<Stop['catchers']>, signal: string): string {
  const first = new Map<string, number>()
  for (const c of [...catchers].sort((a, b) => a.pid - b.pid)) if (!first.has(c.program)) first.set(c.program, c.pid)
  const named = [...first].slice(0, 2).map(([program, pid]) => `${program} (PID ${pid})`)
  const more = first.size > 2 ? ` and ${first.size - 2} more` : ''
  return `${named.join(' and ')}${more} ${named.length > 1 || more ? 'handle' : 'handles'} ${signal}`
}

/**
 * Why PID 1 kept the signal from the app that had a handler for it, and how to make that app PID 1;
 * undefined when no other process had one (or it is not known) or an init runs as PID 1.
 */
export function relayAdvice(stop: Stop, run: PlatformRun, warning?: BuildWarning): string | undefined {
  const catchers = stop.catchers ?? []
  if (stop.outcome !== 'killed' || stop.init || catchers.length === 0) return undefined
  const pid1 = stop.pid1 ? `PID 1 (${stop.pid1})` : 'PID 1'
  const lost = `${catching(catchers, stop.signal)}, but ${pid1} does not pass it on`
  const app = [...catchers].sort((a, b) => a.pid - b.pid)[0].program
  const form = shellForm(run)
  if (form && (isShell(stop.pid1) || !stop.pid1)) return `${lost}: ${shellFormCause(form, run, warning)} ${shellFormFix(form, app, stop.signal)}`
  const name = stop.pid1?.split('/').pop()
  if (name === 'apache2ctl') return `${lost}: apache2ctl is a shell script for starting apache by hand, which runs apache2 as its child and stays PID 1. ${apacheFix(run, stop.signal)}`
  return (
    `${lost}: it starts ${app} as its child and stays PID 1. If it is a script, end it with exec (exec "$@", or exec and the command that starts ${app}) so ${app} replaces it as PID 1 and gets ${stop.signal} itself, ` +
    `or run it under an init that passes the signal on: ${initAdvice(run)}`
  )
}

/** "PID 1 is the shell of the shell-form CMD (…), and Debian's /bin/sh, dash, stays PID 1 …" */
function shellFormCause(form: { keyword: string }, run: PlatformRun, warning?: BuildWarning): string {
  const warned = warning ? `, which BuildKit's JSONArgsRecommended warning${warning.line ? ` (Dockerfile line ${warning.line})` : ''} is about` : ''
  const os = run.user.base?.os
  const shell =
    os === 'debian'
      ? "Debian's /bin/sh (dash) stays PID 1 around the command it runs, even a single one, and passes it no signal."
      : os === 'alpine' || os === 'busybox'
        ? "busybox's sh stays PID 1 around a command line of more than one command (a single one it execs), and passes it no signal."
        : 'a shell as PID 1 passes no signal to the commands it runs.'
  return `PID 1 is the /bin/sh -c of the shell-form ${form.keyword}${warned}, and ${shell}`
}

/** The words of a shell string that is plain words (no quotes, operators or variables), else undefined. */
export function plainWords(script: string): string[] | undefined {
  const words = script.trim().split(/\s+/)
  return script.trim() !== '' && words.every(word => /^[\w./:=@%+,-]+$/.test(word)) ? words : undefined
}

/** `CMD ["node","server.js"]` for a script of plain words, else the form with placeholders. */
export function jsonForm(keyword: string, script: string): string {
  const words = plainWords(script)
  return words ? `${keyword} ${JSON.stringify(words)}` : `${keyword} ["program", "arg", …]`
}

/**
 * Ruby turns SIGTERM (and SIGINT, SIGHUP, SIGQUIT…) into a SignalException; uncaught, it ends with
 * the signal's default action, which the kernel does not apply to PID 1, and exits 1 instead
 * (docker stop of puma 5.6 and of `ruby -e sleep` as PID 1: exit 1; under an init: 143). Puma
 * re-raises SIGTERM after its graceful stop unless its config says raise_exception_on_sigterm false
 * (then it exits 0). Undefined for a program not known to be Ruby.
 */
export function rubyExit(program: string | undefined, signal: string): string | undefined {
  const name = program?.split('/').pop() ?? ''
  const why = `Ruby raises ${signal} as a SignalException, and uncaught it ends the program with the signal's default action, which the kernel does not apply to PID 1, so it exits 1 instead.`
  if (name === 'puma' && signal === 'SIGTERM') return `puma stopped gracefully, then ${why.replace('Ruby raises', 'raised')} S${PUMA_SIGTERM.slice(1)}`
  if (/^ruby[\d.]*$/.test(name)) return `${why} Handle it: Signal.trap('${signal.replace(/^SIG/, '')}') { stop the server }, and exit 0 once it has stopped.`
  return undefined
}

const PUMA_SIGTERM = 'set raise_exception_on_sigterm false in its config (config/puma.rb), and it exits 0.'

/** `Use the exec form CMD ["bundle","exec","puma","-p","80"], or begin the string with exec (CMD exec bundle exec puma -p 80), …` */
function shellFormFix(form: { keyword: string; script: string }, app: string, signal: string): string {
  const json = jsonForm(form.keyword, form.script)
  const exec = plainWords(form.script) ? `begin the string with exec (${form.keyword} exec ${form.script})` : `put exec before the command that starts ${app}`
  // puma as PID 1 exits 1 after SIGTERM unless told not to raise it (rubyExit): the fix has to say so
  const puma = app === 'puma' && signal === 'SIGTERM' ? ` As PID 1 puma exits 1 after its graceful stop (Ruby's SignalException, re-raised): ${PUMA_SIGTERM}` : ''
  return `Use the exec form ${json}, or ${exec}, so ${app} is PID 1 and gets ${signal} itself.${puma}`
}

/** The php image's apache2-foreground where it is there (its docker-php-entrypoint says so), else apache2 exec'd after Debian's envvars. */
function apacheFix(run: PlatformRun, signal: string): string {
  const php = (run.image.entrypoint ?? []).some(word => word.split('/').pop() === 'docker-php-entrypoint')
  const gets = signal === 'SIGWINCH' ? `gets ${signal} (its graceful stop)` : `gets ${signal}`
  if (php) return `Use the php image's own CMD ["apache2-foreground"], which execs apache2 so it is PID 1 and ${gets}.`
  return (
    `Make apache2 itself PID 1, so it ${gets}: CMD ["/bin/sh", "-c", ". /etc/apache2/envvars && mkdir -p $APACHE_RUN_DIR && exec apache2 -DFOREGROUND"] ` +
    '(apache2 alone stops at AH00111: Config variable ${APACHE_RUN_DIR} is not defined; the php:*-apache images have apache2-foreground, which does this).'
  )
}
