import { masterWorkers, type MasterWorkers } from '../rules/servers.js'
import type { PlatformRun } from '../report/report.js'

// The user row of a web server whose master runs as root and whose workers run as the account its
// config names (nginx 101, php-fpm and apache www-data 33): what runs as whom, and the server's own
// way to run it all as that account. "Create an account" would not do: nginx run as 101 stops at
// mkdir() "/var/lib/nginx/body" failed (13: Permission denied). Each way is the one that runs on the
// stand-ins of the official images (__tests__/e2e/server-user.test.ts):
// - nginx: its temp paths and pid file that account's, a port from 1024 up, USER; or the image
//   made so, nginxinc/nginx-unprivileged;
// - php-fpm: USER www-data; the master then ignores the pool's user and group (it says so);
// - apache: USER www-data, with its run, lock and log directories that account's and a port from
//   1024 up.
// A port below 1024 needs root outside Docker (Docker lets any user bind one, since 20.10).

export interface ServerAdvice {
  /** what runs as whom, after "PID 1 (nginx) runs as UID 0." */
  seen: string
  fix: string
}

/** The advice for a root PID 1 that is (or starts) such a server; undefined for anything else. `numeric`: USER by number. */
export function serverAdvice(run: PlatformRun, numeric: boolean): ServerAdvice | undefined {
  const u = run.user
  const split = masterWorkers(u.processes ?? [], u.pid)
  if (!split) return undefined
  const w = split.workers
  const account = `UID ${w.uid}${w.user ? ` (${w.user})` : ''}`
  const workers = `${w.count === 1 ? 'its worker process' : `its ${w.count} worker processes`} as ${account}`
  const seen = split.masterIsPid1
    ? ` It is ${split.server}'s master process, which starts ${workers} and stays root itself.`
    : ` ${split.server}'s master process runs as UID 0 too, and starts ${workers}.`
  const user = numeric || !w.user ? `USER ${w.uid}:${w.gid}` : `USER ${w.user}`
  return { seen, fix: fixFor(split, run, user) }
}

function fixFor(split: MasterWorkers, run: PlatformRun, user: string): string {
  const w = split.workers
  const as = w.user ?? `UID ${w.uid}`
  if (split.server === 'nginx') return nginxFix(run, user, `${w.uid}:${w.gid}`, as)
  if (split.server === 'php-fpm') {
    return `To run it all as ${as}: ${user}. php-fpm then starts as ${as} and ignores the pool's user and group lines (it says so in a NOTICE), and its workers run as ${as} too.`
  }
  const low = lowPorts(run)
  if (split.server === 'apache2') {
    const listen = low.length ? `, Listen 8080 in /etc/apache2/ports.conf and <VirtualHost *:8080> instead of ${low.join(', ')} (${lowNote})` : ''
    return (
      `To run it all as ${as}: ${user}, with its run, lock and log directories (APACHE_RUN_DIR, APACHE_LOCK_DIR and APACHE_LOG_DIR in /etc/apache2/envvars) ${as}'s, ` +
      `as the php image makes them${listen}; apache then ignores its User and Group lines.`
    )
  }
  const listen = low.length ? `, Listen 8080 instead of ${low.join(', ')} (${lowNote})` : ''
  return `To run it all as ${as}: ${user}, with what it writes (its logs, its pid file) ${as}'s${listen}; apache then ignores its User and Group lines.`
}

const lowNote = 'a port below 1024 needs root outside Docker, which lets any user bind one'

/** The image's EXPOSEd TCP ports below 1024 ("80/tcp" → 80). */
function lowPorts(run: PlatformRun): number[] {
  return (run.image.exposedPorts ?? []).map(p => /^(\d+)(\/tcp)?$/.exec(p)?.[1]).filter((p): p is string => p !== undefined).map(Number).filter(p => p < 1024)
}

/** nginx's way, with its own paths and ports (user/server-facts.ts) where nginx gave them. */
function nginxFix(run: PlatformRun, user: string, owner: string, as: string): string {
  const facts = run.user.server
  const unprivileged = 'Or build FROM nginxinc/nginx-unprivileged, the official image made so (port 8080, its pid file and temp paths in /tmp).'
  if (!facts) {
    return (
      `To run it all as ${as}: RUN chown -R ${owner} its temp paths, which the master writes (nginx -V lists them: --http-client-body-temp-path and the like), ` +
      `pid /tmp/nginx.pid; in nginx.conf, listen on a port from 1024 up (${lowNote}), then ${user}; its user directive is then ignored. ${unprivileged}`
    )
  }
  const steps: string[] = []
  if (facts.tempDirs.length) steps.push(`RUN chown -R ${owner} ${facts.tempDirs.join(' ')} (its temp paths, which the master writes)`)
  if (facts.pidFile && !facts.pidFile.startsWith('/tmp/')) steps.push(`pid /tmp/nginx.pid; in nginx.conf (it writes ${facts.pidFile})`)
  const low = facts.ports.filter(p => p < 1024)
  if (low.length) steps.push(`listen 8080 instead of ${low.join(', ')} (${lowNote})`)
  return `To run it all as ${as}: ${[...steps, `then ${user}`].join(', ')}; its user directive is then ignored. ${unprivileged}`
}
