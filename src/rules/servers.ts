import * as path from 'node:path'

// Web servers whose master process runs as root and starts its workers as another account (the
// account their own config names): nginx (`user nginx;`, 101 in the official image), php-fpm (the
// pool's `user = www-data`, 33) and apache (`User ${APACHE_RUN_USER}`, www-data 33). Told from the
// processes docker top lists (their command, `comm`, and UID), so the user row can say what runs as
// whom and give the server's own way to run unprivileged, instead of "create an account".

export type ServerName = 'nginx' | 'php-fpm' | 'apache2' | 'httpd'

/** The server a process's command (docker top's comm) is; undefined for anything else. */
export function serverOf(command: string): ServerName | undefined {
  const name = command.split('/').pop() ?? ''
  if (name === 'nginx') return 'nginx'
  // Debian names it php-fpm8.2; the official image's is php-fpm
  if (/^php-fpm[\d.]*$/.test(name)) return 'php-fpm'
  if (name === 'apache2' || name === 'httpd') return name
  return undefined
}

export interface Process {
  pid: number
  uid: number
  gid: number
  command: string
  /** uid's account in the image's /etc/passwd */
  user?: string
}

/** A server's master, root, and its workers, under another account: as docker top saw them. */
export interface MasterWorkers {
  server: ServerName
  /** docker top's comm of the master: "php-fpm8.2", "nginx" */
  command: string
  /** the master is PID 1 itself (not started by a wrapper such as apache2ctl) */
  masterIsPid1: boolean
  workers: { uid: number; gid: number; user?: string; count: number }
}

/**
 * The server among `processes` whose master runs as root and whose workers do not: the first server
 * with both. `pid1`: PID 1's (host) PID.
 */
export function masterWorkers(processes: Process[], pid1?: number): MasterWorkers | undefined {
  for (const server of new Set(processes.map(p => serverOf(p.command)).filter(s => s !== undefined))) {
    const own = processes.filter(p => serverOf(p.command) === server)
    const masters = own.filter(p => p.uid === 0)
    const workers = own.filter(p => p.uid !== 0)
    if (masters.length === 0 || workers.length === 0) continue
    // the workers' account: the one most of them run as
    const counts = new Map<number, Process[]>()
    for (const w of workers) counts.set(w.uid, [...(counts.get(w.uid) ?? []), w])
    const [first] = [...counts.values()].sort((a, b) => b.length - a.length)
    const master = masters.find(p => p.pid === pid1) ?? masters[0]
    return {
      server,
      command: master.command,
      masterIsPid1: master.pid === pid1,
      workers: { uid: first[0].uid, gid: first[0].gid, ...(first[0].user && { user: first[0].user }), count: first.length }
    }
  }
  return undefined
}

/** What nginx writes as its master and binds, from `nginx -V -T` (its build's paths, then its whole config). */
export interface NginxFacts {
  /** the directories its temp paths are in (/var/lib/nginx in Debian's, /var/cache/nginx in the official image) */
  tempDirs: string[]
  pidFile?: string
  /** the ports its listen directives name */
  ports: number[]
}

const TEMP_DIRECTIVES: Record<string, string> = {
  'client-body': 'client_body_temp_path',
  fastcgi: 'fastcgi_temp_path',
  proxy: 'proxy_temp_path',
  scgi: 'scgi_temp_path',
  uwsgi: 'uwsgi_temp_path'
}

/**
 * Reads `nginx -V -T`: -V prints the configure arguments (its compiled-in paths) on stderr, -T the
 * configuration files on stdout. A directive in the config wins over the compiled-in path.
 */
export function nginxFacts(stdout: string, stderr: string): NginxFacts | undefined {
  const configure = /^configure arguments:(.*)$/m.exec(stderr)?.[1]
  if (configure === undefined && !/^# configuration file /m.test(stdout)) return undefined
  const directives = stdout
    .split('\n')
    .map(line => line.replace(/#.*/, '').trim())
    .filter(Boolean)
  const directive = (name: string) =>
    directives
      .map(line => new RegExp(`^${name}\\s+([^;\\s]+)[^;]*;`).exec(line)?.[1])
      .filter((value): value is string => value !== undefined)
  const compiled = (flag: string) => new RegExp(`--${flag}=(\\S+)`).exec(configure ?? '')?.[1]
  const temp = Object.entries(TEMP_DIRECTIVES).map(([flag, name]) => directive(name)[0] ?? compiled(`http-${flag}-temp-path`))
  const tempDirs = [...new Set(temp.filter((p): p is string => p !== undefined && p.startsWith('/')).map(p => path.dirname(p)))]
  const pidFile = directive('pid')[0] ?? compiled('pid-path')
  const ports = [...new Set(directive('listen').map(listenPort).filter((p): p is number => p !== undefined))]
  return { tempDirs, ...(pidFile && { pidFile }), ports }
}

/** The port of a listen directive's address: "80", "[::]:80", "0.0.0.0:8080", "localhost" (80); none for a unix socket. */
function listenPort(address: string): number | undefined {
  if (address.startsWith('unix:')) return undefined
  const port = /(?:^|:)(\d+)$/.exec(address)?.[1]
  return port !== undefined ? Number(port) : 80
}
