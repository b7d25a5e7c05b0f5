import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, removeImages, row, runAction, standin, takeLeftovers } from './action.js'

// The user row of the web servers whose master runs as root and whose workers run as the account
// their config names, on the stand-ins of their official images: nginx:1.22 (workers 101),
// php:8.2-fpm and php:8.2-apache (workers www-data, 33). The row says what runs as whom and the
// server's own way to run it all as that account; each test then builds the image with that
// advice applied, and the gate passes it (so the advice is true), where "create an account" would
// not: nginx run as another UID stops at mkdir() "/var/lib/nginx/body" failed (13: Permission denied).
// (The other way the nginx row names, FROM nginxinc/nginx-unprivileged, cannot be pulled here.)

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/server-user'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))
beforeAll(() => {
  for (const name of ['nginx', 'php-fpm', 'php-apache'] as const) standin(name)
}, 180_000)

/** A build context holding `files` (name → content), its Dockerfile from `lines`. */
function context(lines: string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fixture-'))
  for (const [name, content] of Object.entries({ ...files, Dockerfile: `${lines.join('\n')}\n` })) writeFileSync(path.join(dir, name), content)
  return dir
}
/** The markdown table's escaping of what the plain-text log shows as it is. */
const asShown = (text: string) => text.replace(/'/g, '&#39;').replace(/"/g, '&quot;').replace(/\[/g, '&#91;').replace(/\]/g, '&#93;').replace(/\*/g, '&#42;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/_/g, '&#95;')
// the php images carry a C toolchain (phpize's), which the contents row fails: not this test's
const PHP = { 'require-clean-contents': 'false' }
const LOW_PORT = 'a port below 1024 needs root outside Docker, which lets any user bind one'

describe('a root master whose workers run as another account', () => {
  it('nginx: says the master is root and its workers 101, gives its temp paths, pid file and port; that advice runs as nginx', async () => {
    const probe = (port: number) => `HEALTHCHECK --interval=1s --start-period=30s CMD curl -fsS -o /dev/null http://127.0.0.1:${port}/ || exit 1`
    const run = await runAction({ context: context(['FROM nginx:1.22', probe(80)]), tags: `${TAG}:nginx` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    expect(run.report.runs[0].user.server).toEqual({ program: 'nginx', tempDirs: ['/var/lib/nginx'], pidFile: '/run/nginx.pid', ports: [80] })
    const detail =
      "no USER: root by default; PID 1 (nginx) runs as UID 0. It is nginx's master process, which starts its 2 worker processes as UID 101 (nginx) and stays root itself. " +
      'To run it all as nginx: RUN chown -R 101:101 /var/lib/nginx (its temp paths, which the master writes), pid /tmp/nginx.pid; in nginx.conf (it writes /run/nginx.pid), ' +
      `listen 8080 instead of 80 (${LOW_PORT}), then USER nginx; its user directive is then ignored. ` +
      'Or build FROM nginxinc/nginx-unprivileged, the official image made so (port 8080, its pid file and temp paths in /tmp).'
    // the workers: one per CPU (worker_processes auto)
    const workers = run.report.runs[0].user.processes.filter(p => p.uid === 101)
    expect(workers.length).toBeGreaterThan(0)
    expect(checkRow(run, 'user')).toEqual({ name: 'user', status: 'fail', value: 'UID 0, GID 0', limit: 'non-root', detail: workers.length === 2 ? detail : detail.replace('its 2 worker', `its ${workers.length} worker`) })
    expect(row(run.summary, 'user')).toContain('| ❌ | user | UID 0, GID 0 | non-root | no USER: root by default; PID 1 (nginx) runs as UID 0.')

    // what the generic advice (an account of its own, then USER) would meet: nginx stops at once
    const asAnother = spawnSync('docker', ['run', '--rm', '--user', '10001', 'nginx:1.22'], { encoding: 'utf8', timeout: 30_000 })
    expect([asAnother.status, asAnother.stderr]).toEqual([1, expect.stringContaining('[emerg] 1#1: mkdir() "/var/lib/nginx/body" failed (13: Permission denied)')])

    // the advice, applied
    const fixed = context([
      'FROM nginx:1.22',
      "RUN chown -R 101:101 /var/lib/nginx && sed -i 's|^pid .*|pid /tmp/nginx.pid;|' /etc/nginx/nginx.conf && sed -i 's|listen  *80;|listen 8080;|' /etc/nginx/conf.d/default.conf",
      'USER nginx',
      probe(8080)
    ])
    const after = await runAction({ context: fixed, tags: `${TAG}:nginx-fixed` })
    expect(after.outputs).toMatchObject({ health: 'healthy', uid: '101', passed: 'true' })
    expect(after.report.runs[0].user.processes.every(p => p.uid === 101)).toBe(true)
    expect(checkRow(after, 'user')).toMatchObject({ status: 'pass', value: 'UID 101, GID 101' })
    expect(checkRow(after, 'user').detail).toMatch(/^USER nginx \(UID 101 in the image\); PID 1 \(nginx\) runs as UID 101\. For Kubernetes, use USER 101:101/)
  })

  it("php-fpm: says the master is root and its workers www-data; USER www-data runs it all as www-data, the pool's user ignored", async () => {
    // a TCP connect with the image's own php: the port speaks FastCGI, not HTTP
    const probe = `HEALTHCHECK --interval=1s --start-period=30s CMD ["php", "-r", "exit(@fsockopen('127.0.0.1', 9000) ? 0 : 1);"]`
    const run = await runAction({ context: context(['FROM php:8.2-fpm', probe]), tags: `${TAG}:php-fpm`, ...PHP })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    const workers = run.report.runs[0].user.processes.filter(p => p.uid === 33)
    expect(workers.map(p => [p.command, p.user])).toEqual([
      ['php-fpm', 'www-data'],
      ['php-fpm', 'www-data']
    ])
    const detail =
      "no USER: root by default; PID 1 (php-fpm) runs as UID 0. It is php-fpm's master process, which starts its 2 worker processes as UID 33 (www-data) and stays root itself. " +
      "To run it all as www-data: USER www-data. php-fpm then starts as www-data and ignores the pool's user and group lines (it says so in a NOTICE), and its workers run as www-data too."
    expect(checkRow(run, 'user')).toEqual({ name: 'user', status: 'fail', value: 'UID 0, GID 0', limit: 'non-root', detail })
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 0, GID 0 | non-root | ${asShown(detail)} |`)

    const after = await runAction({ context: context(['FROM php:8.2-fpm', 'USER www-data', probe]), tags: `${TAG}:php-fpm-fixed`, ...PHP })
    expect(after.outputs).toMatchObject({ health: 'healthy', uid: '33', passed: 'true' })
    expect(after.report.runs[0].user.processes.map(p => p.uid)).toEqual([33, 33, 33])
    // the NOTICE the row speaks of: php-fpm as www-data for two seconds, its log
    const notice = spawnSync('docker', ['run', '--rm', '--user', 'www-data', 'php:8.2-fpm', 'timeout', '2', 'php-fpm'], { encoding: 'utf8', timeout: 30_000 })
    expect(notice.stderr).toContain("NOTICE: [pool www] 'user' directive is ignored when FPM is not running as root")
    expect(notice.stderr).toContain("NOTICE: [pool www] 'group' directive is ignored when FPM is not running as root")
    expect(checkRow(after, 'user')).toMatchObject({ status: 'pass', value: 'UID 33, GID 33' })
  })

  it('apache: says the master is root and its workers www-data; USER www-data on port 8080 runs it all as www-data', async () => {
    const probe = (port: number) => `HEALTHCHECK --interval=1s --start-period=30s CMD curl -fsS -o /dev/null http://127.0.0.1:${port}/ || exit 1`
    const files = { 'index.php': '<?php echo "ok\\n";\n' }
    const run = await runAction({ context: context(['FROM php:8.2-apache', 'COPY index.php /var/www/html/', probe(80)], files), tags: `${TAG}:apache`, ...PHP })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    const workers = run.report.runs[0].user.processes.filter(p => p.uid === 33)
    expect(workers.length).toBeGreaterThan(0)
    const detail =
      `no USER: root by default; PID 1 (apache2) runs as UID 0. It is apache2's master process, which starts its ${workers.length} worker processes as UID 33 (www-data) and stays root itself. ` +
      "To run it all as www-data: USER www-data, with its run, lock and log directories (APACHE_RUN_DIR, APACHE_LOCK_DIR and APACHE_LOG_DIR in /etc/apache2/envvars) www-data's, as the php image makes them, " +
      `Listen 8080 in /etc/apache2/ports.conf and <VirtualHost *:8080> instead of 80 (${LOW_PORT}); apache then ignores its User and Group lines.`
    expect(checkRow(run, 'user')).toEqual({ name: 'user', status: 'fail', value: 'UID 0, GID 0', limit: 'non-root', detail })
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 0, GID 0 | non-root | ${asShown(detail)} |`)

    const fixed = [
      'FROM php:8.2-apache',
      'COPY index.php /var/www/html/',
      "RUN sed -i 's/^Listen 80$/Listen 8080/' /etc/apache2/ports.conf && sed -i 's/<VirtualHost \\*:80>/<VirtualHost *:8080>/' /etc/apache2/sites-available/000-default.conf",
      'EXPOSE 8080',
      'USER www-data',
      probe(8080)
    ]
    const after = await runAction({ context: context(fixed, files), tags: `${TAG}:apache-fixed`, ...PHP })
    expect(after.outputs).toMatchObject({ health: 'healthy', uid: '33', passed: 'true' })
    expect(after.report.runs[0].user.processes.every(p => p.uid === 33)).toBe(true)
    expect(checkRow(after, 'user')).toMatchObject({ status: 'pass', value: 'UID 33, GID 33' })
  })
})
