import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, removeImages, row, runAction, standin, takeLeftovers, type ActionRun } from './action.js'

// The health row's probe fitted to what the image is (issue 29): php-fpm's port speaks FastCGI, so
// it gets a FastCGI request in php, never curl on /health; a raw TCP port gets a TCP connect; a
// Ruby or PHP web image gets a probe in its own language; EXPOSE where nothing listens is said.
// Every suggestion is run again as health-cmd, and Docker must call it healthy.

jest.setTimeout(300_000)
const TAG = 'image-gate-e2e/fitted-probes'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))
beforeAll(() => {
  for (const name of ['php-fpm', 'ruby', 'php-apache', 'debian'] as const) standin(name)
}, 240_000)

const NO_HC = 'The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given.'
const ADD = 'Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.'

/** A build context with these files and Dockerfile lines. */
function context(lines: string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-fitted-'))
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text)
  writeFileSync(path.join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  return dir
}

/** The code span after "Suggested…: `health-cmd: " in the row, as a user copies it (the summary escapes HTML). */
function suggested(run: ActionRun): string {
  const m = /`health-cmd: ([^`]+)`/.exec(row(run.summary, 'health'))
  if (!m) throw new Error(`no suggested health-cmd in: ${row(run.summary, 'health')}`)
  return m[1].replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&#124;/g, '|').replace(/&amp;/g, '&')
}

describe('php-fpm: its port speaks FastCGI', () => {
  const FPM = context(['FROM php:8.2-fpm', 'COPY index.php /var/www/html/', 'USER www-data'], { 'index.php': '<?php echo "ok";\n' })
  const PING = `php -r '$s = @fsockopen("127.0.0.1", 9000, $e, $m, 3); if (!$s) exit(1); stream_set_timeout($s, 3); fwrite($s, "\\x01\\x09\\0\\0\\0\\0\\0\\0"); exit((int)(fread($s, 2) !== "\\x01\\x0a"));'`

  it('without a HEALTHCHECK: a FastCGI request in php, which Docker then calls healthy', async () => {
    const run = await runAction({ context: FPM, tags: `${TAG}:fpm`, 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ listeningPorts: [9000], portAnswer: { port: 9000, protocol: 'fastcgi', by: 'php' }, suggestedCmd: { tool: 'php', kind: 'fastcgi', shell: true } })
    const h = run.report.runs[0].health
    expect(checkRow(run, 'health').detail).toBe(
      `${NO_HC} ${ADD} Port 9000 speaks FastCGI, not HTTP (asked with php inside the container): the protocol a web server in front of it uses (nginx's fastcgi_pass), so no HTTP probe (curl, wget) can pass there. ` +
        `Suggested, from what the image has (php; EXPOSE 9000): \`health-cmd: ${PING}\` (a FastCGI management request, FCGI_GET_VALUES: it passes when the server answers it, without running a script). ` +
        `Meanwhile the container kept running for ${h.verdictSeconds} s (watched).${h.logTail.length > 0 ? ' Its last log lines are below.' : ''}`
    )
    expect(suggested(run)).toBe(PING)
    const pasted = await runAction({ context: FPM, tags: `${TAG}:fpm`, 'health-cmd': suggested(run), 'stop-timeout': '5' })
    expect(pasted.outputs).toMatchObject({ health: 'healthy' })
  })

  it('an HTTP probe of :9000 is told it can never pass there (not to raise health-start-period), and gets the FastCGI one', async () => {
    const run = await runAction({ context: FPM, tags: `${TAG}:fpm`, 'health-cmd': 'curl -fsS -o /dev/null http://127.0.0.1:9000/health', 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'unhealthy' })
    const detail = checkRow(run, 'health').detail
    // php-fpm closes the connection on the HTTP request: curl's (52) empty reply or (56) reset
    expect(detail).toMatch(/ Last probe exited 5[26]: curl: \(5[26]\) /)
    expect(detail).toContain(
      " Port 9000 speaks FastCGI, not HTTP (asked with php inside the container): the protocol a web server in front of it uses (nginx's fastcgi_pass), so this HTTP probe cannot pass there, however long the app is given to start. " +
        `Suggested instead, from what the image has (php; EXPOSE 9000): \`health-cmd: ${PING}\``
    )
    expect(detail).not.toMatch(/health-start-period if|Raise/)
  })
})

describe('a raw TCP port (a line protocol, as a Redis or an Erlang proxy speaks)', () => {
  // answers every line with an error in its own protocol, never HTTP
  const server = `s = TCPServer.new('0.0.0.0', 4040); loop { c = s.accept; Thread.new(c) { |x| while x.gets; x.write("-ERR unknown command\\r\\n"); end rescue nil; x.close } }`
  const RAW = context(['FROM ruby:3.1', 'USER 10001', 'EXPOSE 4040', `CMD ["ruby", "-rsocket", "-e", ${JSON.stringify(server)}]`])

  it('gets a TCP connect in ruby, not an HTTP probe with curl or wget, and Docker calls it healthy', async () => {
    const run = await runAction({ context: RAW, tags: `${TAG}:raw`, 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ listeningPorts: [4040], portAnswer: { port: 4040, protocol: 'other', by: 'ruby' }, suggestedCmd: { tool: 'ruby', kind: 'tcp' } })
    expect(checkRow(run, 'health').detail).toContain(
      ` ${ADD} Port 4040 does not speak HTTP (asked with ruby inside the container): it answered an HTTP request with bytes that are not HTTP, so no HTTP probe (curl, wget) can pass there. ` +
        `Suggested, from what the image has (ruby; EXPOSE 4040): \`health-cmd: ruby -rsocket -e 'TCPSocket.new("127.0.0.1", 4040).close'\` (a TCP connect: it passes while the port accepts connections).`
    )
    expect(row(run.summary, 'health')).not.toMatch(/curl -|wget -/)
    const pasted = await runAction({ context: RAW, tags: `${TAG}:raw`, 'health-cmd': suggested(run), 'stop-timeout': '5' })
    expect(pasted.outputs).toMatchObject({ health: 'healthy' })
  })
})

describe('a web image probed in its own language', () => {
  it('puma listening on 8080 while EXPOSE says 3000: a ruby probe of 8080 that passes, and the row says where it listens', async () => {
    const app = `run ->(env) { env['PATH_INFO'] == '/health' ? [200, {}, ['ok']] : [404, {}, ['no']] }\n`
    const dir = context(['FROM ruby:3.1', 'WORKDIR /app', 'COPY config.ru .', 'USER 10001', 'EXPOSE 3000', 'CMD ["puma", "-b", "tcp://0.0.0.0:8080", "config.ru"]'], { 'config.ru': app })
    const run = await runAction({ context: dir, tags: `${TAG}:puma`, 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ listeningPorts: [8080], portAnswer: { port: 8080, protocol: 'http', healthStatus: 200 }, suggestedCmd: { tool: 'ruby', kind: 'http', path: '/health' } })
    expect(checkRow(run, 'health').detail).toContain(
      ` ${ADD} Suggested, from what the image has (ruby; it listens on 8080, not on EXPOSE 3000): \`health-cmd: ruby -rnet/http -e 'exit Net::HTTP.get_response(URI("http://127.0.0.1:8080/health")).code.to_i < 400'\` (GET /health answered 200 there).`
    )
    const pasted = await runAction({ context: dir, tags: `${TAG}:puma`, 'health-cmd': suggested(run), 'stop-timeout': '5' })
    expect(pasted.outputs).toMatchObject({ health: 'healthy' })
  })

  it('php:8.2-apache: php -r, not curl, on the path that answers (/ where /health is 404)', async () => {
    const dir = context(['FROM php:8.2-apache', 'COPY index.php /var/www/html/'], { 'index.php': '<?php echo "ok";\n' })
    const run = await runAction({ context: dir, tags: `${TAG}:apache`, 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ listeningPorts: [80], portAnswer: { port: 80, protocol: 'http', by: 'php', healthStatus: 404, rootStatus: 200 }, suggestedCmd: { tool: 'php', kind: 'http', path: '/' } })
    expect(checkRow(run, 'health').detail).toContain(
      ` ${ADD} Suggested, from what the image has (php; EXPOSE 80): \`health-cmd: php -r 'exit((int)(@file_get_contents("http://127.0.0.1:80/") === false));'\` (GET /health answered 404 and GET / 200, so it asks /: point it at the app's health endpoint if it has one).`
    )
    const pasted = await runAction({ context: dir, tags: `${TAG}:apache`, 'health-cmd': suggested(run), 'stop-timeout': '5' })
    expect(pasted.outputs).toMatchObject({ health: 'healthy' })
  })
})

describe('EXPOSE 3000 where nothing listens', () => {
  it('says so, after waiting for a slow server, and suggests no probe that cannot pass', async () => {
    const dir = context(['FROM debian:bookworm-slim', 'USER 10001', 'EXPOSE 3000', `CMD ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]`])
    const run = await runAction({ context: dir, tags: `${TAG}:nothing`, 'stop-timeout': '5' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    const h = run.report.runs[0].health
    expect(h.listeningPorts).toEqual([])
    expect(h.listeningSeconds).toBeGreaterThanOrEqual(8)
    expect(h.suggestedCmd).toBeUndefined()
    expect(checkRow(run, 'health').detail).toBe(
      `${NO_HC} Nothing in the container listened on a TCP port (${h.listeningSeconds} s after start), though the image EXPOSEs 3000: no probe of 3000 can pass until the app listens there. ` +
        `Check that the app starts its server on 3000 (often its PORT environment variable); if it serves no port (a queue worker), remove the EXPOSE and set \`require-healthcheck: false\`. Meanwhile the container kept running for ${h.verdictSeconds} s (watched).`
    )
  })
})
