import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { promisify } from 'node:util'
import type { PlatformRun } from '../../src/report/report.js'
import { probeArgv, type ProbeKind, type ProbeTool } from '../../src/health/probe.js'
import { answerOf, askArgv, type Asker } from '../../src/health/protocol.js'
import { shellLine } from '../../src/health/shell.js'
import { needsAdvice } from '../../src/health/probe-advice.js'
import { judged } from './judged.js'
import { inputs, measuredRun } from './fixtures.js'

// What a port speaks, asked as the stage asks it (the same scripts, run here by the host's python3,
// node and bash against servers on loopback), and the health row's words for each answer: a
// FastCGI port gets a FastCGI probe, a raw port a TCP connect, a port nothing listens on is named.

const hex = (text: string) => Buffer.from(text, 'latin1').toString('hex')

describe('answerOf', () => {
  it('an HTTP server, with the status /health and / answered', () => {
    expect(answerOf(`health ${hex('HTTP/1.1 200 OK\r\nServer: x')}\n`)).toEqual({ protocol: 'http', healthStatus: 200 })
    expect(answerOf(`health ${hex('HTTP/1.1 404 Not Found\r\n')}\nroot ${hex('HTTP/1.1 200 OK\r\n')}\n`)).toEqual({ protocol: 'http', healthStatus: 404, rootStatus: 200 })
    // nginx on its TLS port answers a plain request in HTTP too
    expect(answerOf(`health ${hex('HTTP/1.1 400 Bad Request\r\n')}\nroot ${hex('HTTP/1.1 400 Bad Request\r\n')}\n`)).toEqual({ protocol: 'http', healthStatus: 400, rootStatus: 400 })
  })
  it('php-fpm: closes the HTTP request, answers FCGI_GET_VALUES with FCGI_GET_VALUES_RESULT', () => {
    expect(answerOf('health eof\nfcgi 010a000000000000\n')).toEqual({ protocol: 'fastcgi' })
  })
  it('a raw port: other bytes (an echo), or nothing at all; refused: closed', () => {
    expect(answerOf(`health ${hex('GET /health HTTP/1.0\r\n\r\n')}\nfcgi 0109000000000000\n`)).toEqual({ protocol: 'other' })
    expect(answerOf('health timeout\nfcgi timeout\n')).toEqual({ protocol: 'silent' })
    expect(answerOf('health eof\nfcgi eof\n')).toEqual({ protocol: 'silent' })
    expect(answerOf('health closed\n')).toEqual({ protocol: 'closed' })
  })
  it('nothing to judge: the asker did not run, could not connect, or printed something else', () => {
    expect(answerOf('')).toBeUndefined()
    expect(answerOf('health error\n')).toBeUndefined()
    expect(answerOf('Traceback (most recent call last):\n')).toBeUndefined()
    expect(answerOf('health zz\n')).toBeUndefined()
  })
})

describe('the askers, run as the stage runs them', () => {
  const servers: (Server | HttpServer)[] = []
  const ports: Record<string, number> = {}
  const listen = async (name: string, server: Server | HttpServer) => {
    servers.push(server)
    // an asker that closes with bytes unread resets the connection
    server.on('connection', (s: Socket) => s.on('error', () => undefined))
    await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
    ports[name] = (server.address() as AddressInfo).port
  }
  beforeAll(async () => {
    await listen('health', createHttpServer((_q, r) => r.end('ok')))
    await listen('root', createHttpServer((q, r) => ((r.statusCode = q.url === '/' ? 200 : 404), r.end())))
    // php-fpm's way: an HTTP request is closed at once, FCGI_GET_VALUES answered
    await listen(
      'fastcgi',
      createServer(s =>
        s.once('data', d => {
          if (d[0] === 1 && d[1] === 9) s.write(Buffer.from([1, 10, 0, 0, 0, 0, 0, 0]))
          else s.destroy()
        })
      )
    )
    await listen('echo', createServer(s => s.on('data', d => s.write(d))))
    const idle: Socket[] = []
    await listen('silent', createServer(s => idle.push(s)))
    const closed = createServer()
    await listen('closed', closed)
    await new Promise(resolve => closed.close(resolve))
  })
  afterAll(() => {
    for (const s of servers) if (s.listening) s.close()
    // the silent server's connections end with it
    for (const s of servers) (s as Server).unref?.()
  })

  const run = promisify(execFile)
  const ask = async (tool: Asker, port: number) => {
    const [program, ...args] = askArgv(tool, port)
    return answerOf((await run(program, args, { timeout: 15_000 })).stdout)
  }

  it.each(['python3', 'node', 'bash'] as const)('%s tells HTTP, FastCGI, a raw port, a silent one and a closed one apart', async tool => {
    expect(await ask(tool, ports.health)).toEqual({ protocol: 'http', healthStatus: 200 })
    expect(await ask(tool, ports.root)).toEqual({ protocol: 'http', healthStatus: 404, rootStatus: 200 })
    expect(await ask(tool, ports.fastcgi)).toEqual({ protocol: 'fastcgi' })
    expect(await ask(tool, ports.echo)).toEqual({ protocol: 'other' })
    const started = Date.now()
    expect(await ask(tool, ports.silent)).toEqual({ protocol: 'silent' })
    // two steps of 2 s at most each
    expect(Date.now() - started).toBeLessThan(6_000)
    expect(await ask(tool, ports.closed)).toEqual({ protocol: 'closed' })
  }, 30_000)

  /** The suggested probe as health-cmd runs it: one line through /bin/sh. */
  const passes = async (tool: ProbeTool, kind: ProbeKind, port: number, path = '/health') => {
    const line = shellLine(probeArgv(tool, { kind, port, path }, { fetch: true }))
    return run('/bin/sh', ['-c', line], { timeout: 10_000 }).then(
      () => true,
      () => false
    )
  }
  it.each(['python3', 'node', 'bash'] as const)('the probes %s writes pass where they fit and fail where they do not', async tool => {
    expect(await passes(tool, 'http', ports.health)).toBe(true)
    expect(await passes(tool, 'http', ports.root)).toBe(false)
    expect(await passes(tool, 'http', ports.root, '/')).toBe(true)
    expect(await passes(tool, 'http', ports.closed)).toBe(false)
    expect(await passes(tool, 'tcp', ports.silent)).toBe(true)
    expect(await passes(tool, 'tcp', ports.closed)).toBe(false)
    if (tool === 'bash') return // bash writes no FastCGI probe (a TCP connect instead)
    expect(await passes(tool, 'fastcgi', ports.fastcgi)).toBe(true)
    expect(await passes(tool, 'fastcgi', ports.echo)).toBe(false)
    expect(await passes(tool, 'fastcgi', ports.closed)).toBe(false)
  }, 60_000)
})

describe('when advice is due', () => {
  const required = { requireHealthcheck: true }
  it('no health check, a probe whose program is missing, or an HTTP probe on loopback that failed', () => {
    expect(needsAdvice({ verdict: 'missing' }, required)).toBe(true)
    expect(needsAdvice({ verdict: 'missing' }, { requireHealthcheck: false })).toBe(false)
    expect(needsAdvice({ verdict: 'unhealthy', rule: 'cannot-run', cannotRun: { program: 'curl', why: 'missing' } }, required)).toBe(true)
    expect(needsAdvice({ verdict: 'unhealthy', rule: 'start-period', command: 'curl -f http://127.0.0.1:9000/health' }, required)).toBe(true)
    expect(needsAdvice({ verdict: 'timeout', command: 'wget -q --spider http://localhost:4040/' }, required)).toBe(true)
    // not about a port of its own: nothing to ask
    expect(needsAdvice({ verdict: 'unhealthy', rule: 'start-period', command: 'pg_isready' }, required)).toBe(false)
    expect(needsAdvice({ verdict: 'healthy', command: 'curl -f http://127.0.0.1:8080/health' }, required)).toBe(false)
  })
})

describe('the health row', () => {
  const NO_HC = 'The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given.'
  const ADD = ' Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.'
  const FPM_PING = `php -r '$s = @fsockopen("127.0.0.1", 9000, $e, $m, 3); if (!$s) exit(1); stream_set_timeout($s, 3); fwrite($s, "\\x01\\x09\\0\\0\\0\\0\\0\\0"); exit((int)(fread($s, 2) !== "\\x01\\x0a"));'`
  const FPM_ARGV = ['php', '-r', FPM_PING.slice("php -r '".length, -1)]
  const detail = (report: PlatformRun) => judged(report, inputs()).checks.find(c => c.name === 'health')!.detail

  function missing(exposed: string[], health: Partial<PlatformRun['health']>): PlatformRun {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.image.exposedPorts = exposed
    report.health = { verdict: 'missing', verdictSeconds: 3.1, hasShell: true, ...health }
    return report
  }

  it('php-fpm: its port speaks FastCGI, so the suggestion is a FastCGI request with php', () => {
    const report = missing(['9000/tcp'], {
      listeningPorts: [9000],
      portAnswer: { port: 9000, protocol: 'fastcgi', by: 'php' },
      suggestedCmd: { tool: 'php', argv: FPM_ARGV, shell: true, kind: 'fastcgi' }
    })
    expect(detail(report)).toBe(
      `${NO_HC}${ADD} Port 9000 speaks FastCGI, not HTTP (asked with php inside the container): the protocol a web server in front of it uses (nginx's fastcgi_pass), so no HTTP probe (curl, wget) can pass there. ` +
        `Suggested, from what the image has (php; EXPOSE 9000): \`health-cmd: ${FPM_PING}\` (a FastCGI management request, FCGI_GET_VALUES: it passes when the server answers it, without running a script). Meanwhile the container kept running for 3.1 s (watched).`
    )
  })

  it('a raw TCP port: a TCP connect', () => {
    const report = missing(['4040/tcp'], {
      listeningPorts: [4040],
      portAnswer: { port: 4040, protocol: 'silent', by: 'ruby' },
      suggestedCmd: { tool: 'ruby', argv: ['ruby', '-rsocket', '-e', 'TCPSocket.new("127.0.0.1", 4040).close'], shell: true, kind: 'tcp' }
    })
    expect(detail(report)).toContain(
      ' Port 4040 does not speak HTTP (asked with ruby inside the container): it accepted the connection but answered neither an HTTP nor a FastCGI request within 2 s, so no HTTP probe (curl, wget) can pass there. ' +
        `Suggested, from what the image has (ruby; EXPOSE 4040): \`health-cmd: ruby -rsocket -e 'TCPSocket.new("127.0.0.1", 4040).close'\` (a TCP connect: it passes while the port accepts connections).`
    )
  })

  it('an HTTP port: the path that answered, and what it answered', () => {
    const url = (path: string) => ['python3', '-c', `import urllib.request as u; u.urlopen('http://127.0.0.1:80${path}', timeout=3)`]
    const at = (health: number, root: number | undefined, path: string) =>
      detail(missing(['80/tcp'], { listeningPorts: [80], portAnswer: { port: 80, protocol: 'http', by: 'python3', healthStatus: health, rootStatus: root }, suggestedCmd: { tool: 'python3', argv: url(path), shell: true, kind: 'http', path } }))
    expect(at(200, undefined, '/health')).toContain('(GET /health answered 200 there).')
    expect(at(404, 200, '/')).toContain("u.urlopen('http://127.0.0.1:80/', timeout=3)\"` (GET /health answered 404 and GET / 200, so it asks /: point it at the app's health endpoint if it has one).")
    expect(at(404, 404, '/health')).toContain("(GET /health answered 404: point /health at the app's health endpoint).")
    expect(at(404, 404, '/health')).not.toContain('speak')
  })

  it('EXPOSE 3000 where nothing listens: says so, and suggests no probe that cannot pass', () => {
    expect(detail(missing(['3000/tcp'], { listeningPorts: [], listeningSeconds: 8.2 }))).toBe(
      `${NO_HC} Nothing in the container listened on a TCP port (8.2 s after start), though the image EXPOSEs 3000: no probe of 3000 can pass until the app listens there. ` +
        'Check that the app starts its server on 3000 (often its PORT environment variable); if it serves no port (a queue worker), remove the EXPOSE and set `require-healthcheck: false`. Meanwhile the container kept running for 3.1 s (watched).'
    )
  })

  it('EXPOSE 3000 while it listens on 8080: the probe asks 8080, and the row says EXPOSE is not where it listens', () => {
    const report = missing(['3000/tcp'], {
      listeningPorts: [8080],
      portAnswer: { port: 8080, protocol: 'http', by: 'python3', healthStatus: 200 },
      suggestedCmd: { tool: 'wget', argv: ['wget', '-q', '--spider', 'http://127.0.0.1:8080/health'], shell: true, kind: 'http', path: '/health' }
    })
    expect(detail(report)).toContain('Suggested, from what the image has (wget; it listens on 8080, not on EXPOSE 3000): `health-cmd: wget -q --spider http://127.0.0.1:8080/health` (GET /health answered 200 there).')
  })

  function failed(command: string, health: Partial<PlatformRun['health']>): PlatformRun {
    const report = measuredRun()
    report.image.exposedPorts = ['9000/tcp']
    report.health = {
      verdict: 'unhealthy',
      source: 'health-cmd',
      command,
      rule: 'start-period',
      limitSeconds: 3,
      startPeriodSeconds: 0,
      failedProbes: 3,
      probes: [{ exitCode: 52, output: 'curl: (52) Empty reply from server' }],
      ...health
    }
    return report
  }

  it('an HTTP probe on a FastCGI port: it can never pass, so no "raise health-start-period"; a FastCGI probe instead', () => {
    const report = failed('curl -fsS http://127.0.0.1:9000/health', {
      listeningPorts: [9000],
      portAnswer: { port: 9000, protocol: 'fastcgi', by: 'php' },
      suggestedCmd: { tool: 'php', argv: FPM_ARGV, shell: true, kind: 'fastcgi' }
    })
    expect(detail(report)).toBe(
      'The probe failed 3 times after the start period and never passed: unhealthy at 3 s, on health-start-period 0 s, then 3 failed probes a second apart (each a second after the last one ended) (health-cmd: curl -fsS http://127.0.0.1:9000/health). Last probe exited 52: curl: (52) Empty reply from server. ' +
        "Port 9000 speaks FastCGI, not HTTP (asked with php inside the container): the protocol a web server in front of it uses (nginx's fastcgi_pass), so this HTTP probe cannot pass there, however long the app is given to start. " +
        `Suggested instead, from what the image has (php; EXPOSE 9000): \`health-cmd: ${FPM_PING}\` (a FastCGI management request, FCGI_GET_VALUES: it passes when the server answers it, without running a script). The container printed nothing.`
    )
  })

  it('an HTTP probe of a port nothing listens on, while the app listens on another: names both', () => {
    const report = failed('curl -fsS http://127.0.0.1:3000/health', {
      listeningPorts: [8080],
      portAnswer: { port: 8080, protocol: 'http', by: 'python3', healthStatus: 200 },
      suggestedCmd: { tool: 'curl', argv: ['curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:8080/health'], shell: true, kind: 'http', path: '/health' }
    })
    report.image.exposedPorts = []
    expect(detail(report)).toContain(
      '(health-cmd: curl -fsS http://127.0.0.1:3000/health). Last probe exited 52: curl: (52) Empty reply from server. Nothing listens on port 3000 in the container: it listens on 8080. Point the probe at 8080, or make the app listen on 3000 (often its PORT environment variable). ' +
        'Suggested instead, from what the image has (curl; it listens on 8080): `health-cmd: curl -fsS -o /dev/null http://127.0.0.1:8080/health` (GET /health answered 200 there).'
    )
    expect(detail(report)).not.toContain('Raise health-start-period')
  })

  it('an HTTP probe on a port that speaks HTTP: the app answered, so the timing advice stays', () => {
    const report = failed('curl -fsS http://127.0.0.1:9000/health', { listeningPorts: [9000], portAnswer: { port: 9000, protocol: 'http', by: 'php', healthStatus: 500 } })
    expect(detail(report)).toContain('Raise health-start-period if the app needs longer to start')
    expect(detail(report)).not.toContain('Suggested')
  })
})
