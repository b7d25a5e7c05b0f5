import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { userCheck } from '../../src/checks/user.js'
import type { ContainerState } from '../../src/docker/container.js'
import type { Docker } from '../../src/docker/docker.js'
import type { PlatformRun } from '../../src/report/report.js'
import { masterWorkers, nginxFacts, serverOf } from '../../src/rules/servers.js'
import { measureUser, readAccounts } from '../../src/user/measure.js'
import { inputs, measuredRun } from './fixtures.js'
import { Container } from '../../src/docker/handle.js'

// Web servers whose master runs as root and whose workers run as the account their config names:
// told from docker top's processes, the user row says what runs as whom and the server's own way.

// `nginx -V -T` on Debian's nginx 1.22 (the nginx:1.22 stand-in), cut to what is read
const NGINX_V =
  'nginx version: nginx/1.22.1\nbuilt with OpenSSL 3.0.22 25 Aug 2026\nTLS SNI support enabled\n' +
  "configure arguments: --with-cc-opt='-g -O2' --prefix=/usr/share/nginx --conf-path=/etc/nginx/nginx.conf --http-log-path=/var/log/nginx/access.log --error-log-path=stderr " +
  '--lock-path=/var/lock/nginx.lock --pid-path=/run/nginx.pid --modules-path=/usr/lib/nginx/modules --http-client-body-temp-path=/var/lib/nginx/body ' +
  '--http-fastcgi-temp-path=/var/lib/nginx/fastcgi --http-proxy-temp-path=/var/lib/nginx/proxy --http-scgi-temp-path=/var/lib/nginx/scgi --http-uwsgi-temp-path=/var/lib/nginx/uwsgi --with-compat\n' +
  'nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n'
const NGINX_T = `# configuration file /etc/nginx/nginx.conf:
user  nginx;
worker_processes  auto;
pid        /run/nginx.pid;
http {
    include /etc/nginx/conf.d/*.conf;
}

# configuration file /etc/nginx/conf.d/default.conf:
server {
    listen       80;
    listen  [::]:80 default_server; # both
    # listen 443 ssl;
    server_name  localhost;
}
`

const proc = (pid: number, uid: number, command: string, user?: string) => ({ pid, uid, gid: uid, command, ...(user && { user }) })
const NGINX = [proc(5374, 0, 'nginx', 'root'), proc(5405, 101, 'nginx', 'nginx'), proc(5406, 101, 'nginx', 'nginx')]

describe('the server a process is, and its master and workers', () => {
  it('knows nginx, php-fpm (any version suffix), apache2 and httpd by their command', () => {
    expect(['nginx', 'php-fpm', 'php-fpm8.2', 'apache2', 'httpd', '/usr/sbin/nginx', 'node', 'php', 'php-fpm-wrapper'].map(serverOf)).toEqual([
      'nginx',
      'php-fpm',
      'php-fpm',
      'apache2',
      'httpd',
      'nginx',
      undefined,
      undefined,
      undefined
    ])
  })

  it('a root master with workers under another account; a server all root or all non-root is none', () => {
    expect(masterWorkers(NGINX, 5374)).toEqual({ server: 'nginx', command: 'nginx', masterIsPid1: true, workers: { uid: 101, gid: 101, user: 'nginx', count: 2 } })
    // apache2ctl as PID 1: the master is its child
    const apache = [proc(8171, 0, 'apache2ctl'), proc(8213, 0, 'apache2'), proc(8219, 33, 'apache2', 'www-data'), proc(8220, 33, 'apache2', 'www-data')]
    expect(masterWorkers(apache, 8171)).toMatchObject({ server: 'apache2', masterIsPid1: false, workers: { uid: 33, count: 2 } })
    expect(masterWorkers([proc(1, 0, 'nginx'), proc(2, 0, 'nginx')], 1)).toBeUndefined()
    expect(masterWorkers([proc(1, 101, 'nginx'), proc(2, 101, 'nginx')], 1)).toBeUndefined()
    expect(masterWorkers([proc(1, 0, 'node'), proc(2, 1000, 'node')], 1)).toBeUndefined()
  })

  it("reads nginx's temp directories, pid file and listen ports from nginx -V -T; the config wins over the build", () => {
    expect(nginxFacts(NGINX_T, NGINX_V)).toEqual({ tempDirs: ['/var/lib/nginx'], pidFile: '/run/nginx.pid', ports: [80] })
    // the official image's build, its config moving one temp path and the pid file, on another port
    const official = NGINX_V.replace(/\/var\/lib\/nginx\/(\w+)/g, '/var/cache/nginx/$1_temp')
    const config = NGINX_T.replace('pid        /run/nginx.pid;', 'pid /tmp/nginx.pid;').replace('include', 'client_body_temp_path /tmp/body 1 2;\n    include').replace(/80/g, '8080')
    expect(nginxFacts(config, official)).toEqual({ tempDirs: ['/tmp', '/var/cache/nginx'], pidFile: '/tmp/nginx.pid', ports: [8080] })
    expect(nginxFacts('', 'nginx: [emerg] unknown directive')).toBeUndefined()
  })
})

describe('the user row of a root master', () => {
  const row = (measured: Partial<PlatformRun['user']>, image: Partial<PlatformRun['image']> = {}, profile: 'docker' | 'restricted' = 'docker') => {
    const report = measuredRun()
    report.image = { ...report.image, user: '', ...image }
    report.user = { uid: 0, gid: 0, resolvedUid: 0, resolvedGid: 0, base: { shell: true, os: 'debian' }, ...measured }
    return userCheck(report, inputs({ runProfile: profile }))[0]
  }
  const nginx = { pid: 5374, process: 'nginx', processes: NGINX, server: { program: 'nginx' as const, tempDirs: ['/var/lib/nginx'], pidFile: '/run/nginx.pid', ports: [80] } }

  it('nginx: what runs as whom, and USER nginx with its temp paths, pid file and a port from 1024 up, or nginx-unprivileged', () => {
    expect(row(nginx)).toEqual({
      name: 'user',
      status: 'fail',
      value: 'UID 0, GID 0',
      limit: 'non-root',
      detail:
        "no USER: root by default; PID 1 (nginx) runs as UID 0. It is nginx's master process, which starts its 2 worker processes as UID 101 (nginx) and stays root itself. " +
        'To run it all as nginx: RUN chown -R 101:101 /var/lib/nginx (its temp paths, which the master writes), ' +
        'pid /tmp/nginx.pid; in nginx.conf (it writes /run/nginx.pid), listen 8080 instead of 80 (a port below 1024 needs root outside Docker, which lets any user bind one), then USER nginx; ' +
        'its user directive is then ignored. Or build FROM nginxinc/nginx-unprivileged, the official image made so (port 8080, its pid file and temp paths in /tmp).'
    })
    expect(row(nginx).detail).not.toMatch(/useradd|adduser/)
  })

  it("nginx that could not be asked: its paths by the flags that name them; under restricted, USER by number", () => {
    const detail = row({ ...nginx, server: undefined }, {}, 'restricted').detail
    expect(detail).toContain(
      'To run it all as nginx: RUN chown -R 101:101 its temp paths, which the master writes (nginx -V lists them: --http-client-body-temp-path and the like), ' +
        'pid /tmp/nginx.pid; in nginx.conf, listen on a port from 1024 up (a port below 1024 needs root outside Docker, which lets any user bind one), then USER 101:101; its user directive is then ignored.'
    )
  })

  it("php-fpm: USER www-data, whose master then ignores the pool's user and group", () => {
    const processes = [proc(6373, 0, 'php-fpm', 'root'), proc(6430, 33, 'php-fpm', 'www-data'), proc(6431, 33, 'php-fpm', 'www-data')]
    expect(row({ pid: 6373, process: 'php-fpm', processes }, { exposedPorts: ['9000/tcp'] }).detail).toBe(
      "no USER: root by default; PID 1 (php-fpm) runs as UID 0. It is php-fpm's master process, which starts its 2 worker processes as UID 33 (www-data) and stays root itself. " +
        "To run it all as www-data: USER www-data. php-fpm then starts as www-data and ignores the pool's user and group lines (it says so in a NOTICE), and its workers run as www-data too."
    )
  })

  it('apache2: USER www-data with its run, lock and log directories, and Listen 8080 for port 80; started by apache2ctl, says so', () => {
    const processes = [proc(7239, 0, 'apache2', 'root'), ...[7303, 7304, 7305].map(pid => proc(pid, 33, 'apache2', 'www-data'))]
    const fix =
      'To run it all as www-data: USER www-data, with its run, lock and log directories (APACHE_RUN_DIR, APACHE_LOCK_DIR and APACHE_LOG_DIR in /etc/apache2/envvars) www-data&s, as the php image makes them, ' +
      'Listen 8080 in /etc/apache2/ports.conf and <VirtualHost *:8080> instead of 80 (a port below 1024 needs root outside Docker, which lets any user bind one); apache then ignores its User and Group lines.'
    expect(row({ pid: 7239, process: 'apache2', processes }, { exposedPorts: ['80/tcp'] }).detail).toBe(
      `no USER: root by default; PID 1 (apache2) runs as UID 0. It is apache2's master process, which starts its 3 worker processes as UID 33 (www-data) and stays root itself. ${fix.replace('&', "'")}`
    )
    const wrapped = [proc(8171, 0, 'apache2ctl'), ...processes]
    expect(row({ pid: 8171, process: 'apache2ctl', processes: wrapped }, { exposedPorts: ['80/tcp'] }).detail).toContain(
      "PID 1 (apache2ctl) runs as UID 0. apache2's master process runs as UID 0 too, and starts its 3 worker processes as UID 33 (www-data). To run it all as www-data: USER www-data"
    )
  })
})

describe('measuring it', () => {
  it("names each process's account and asks nginx, only for a root nginx master, for its paths", async () => {
    const top = 'PID PPID RUID EUID EGID COMMAND\n5374 5350 0 0 0 nginx\n5405 5374 101 101 101 nginx\n'
    const calls: string[][] = []
    const docker = {
      call: async (args: string[]) => {
        calls.push(args)
        if (args[0] === 'top') return { exitCode: 0, stdout: top, stderr: '' }
        if (args[0] === 'exec') return { exitCode: 0, stdout: NGINX_T, stderr: NGINX_V }
        if (args[0] === 'cp' && args[2] === 'c:/etc/passwd') {
          writeFileSync(args[3], 'root:x:0:0:root:/root:/bin/sh\nnginx:x:101:101:nginx user:/nonexistent:/bin/false\n')
          return { exitCode: 0, stdout: '', stderr: '' }
        }
        return { exitCode: 1, stdout: '', stderr: 'no such file' }
      }
    } as unknown as Docker
    const accounts = () => readAccounts(new Container(docker, 'c'), mkdtempSync(path.join(tmpdir(), 'servers-test-')))
    const user = await measureUser(new Container(docker, 'c'), accounts(), { Running: true, Pid: 5374 } as ContainerState, '')
    expect(user.processes).toEqual([proc(5374, 0, 'nginx', 'root'), proc(5405, 101, 'nginx', 'nginx')])
    expect(user.server).toEqual({ program: 'nginx', tempDirs: ['/var/lib/nginx'], pidFile: '/run/nginx.pid', ports: [80] })
    expect(calls.filter(c => c[0] === 'exec')).toEqual([['exec', 'c', 'nginx', '-V', '-T']])
    // not root: nothing asked
    calls.length = 0
    const nonRoot = await measureUser(new Container(docker, 'c'), accounts(), { Running: true, Pid: 5405 } as ContainerState, '')
    expect(nonRoot.server).toBeUndefined()
    expect(calls.filter(c => c[0] === 'exec')).toEqual([])
  })
})
