import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import type { Docker, DockerResult } from '../../src/docker/docker.js'
import { exposedTcpPorts, listeningPorts, portMismatch, probePorts } from '../../src/health/ports.js'
import { shellLine } from '../../src/health/shell.js'
import { containerListening, listeningPortsOf } from '../../src/docker/sockets.js'
import { appProgram, languageOf, probeArgv, probeTarget, probeUrl, servesNoPort, toolOrder, unlistenedExposed, type ProbeTarget } from '../../src/health/probe.js'
import { chooseProbe, findPrograms, foundFrom, hasFetch } from '../../src/health/probe-tools.js'
import { Container } from '../../src/docker/handle.js'

// The port the app logs against the port the probe asks, on lines the frameworks really print; and
// the health probe suggested for an image without one, from the programs its container has.

describe('listeningPorts', () => {
  it.each([
    ['Express', ['Example app listening on port 8080'], [8080]],
    ['Express (URL)', ['Server listening on http://localhost:8080'], [8080]],
    [
      'Fastify (pino JSON, one line per address)',
      [
        '{"level":30,"time":1732405800123,"pid":1,"hostname":"3f2a9c1b7d4e","msg":"Server listening at http://127.0.0.1:8080"}',
        '{"level":30,"time":1732405800124,"pid":1,"hostname":"3f2a9c1b7d4e","msg":"Server listening at http://172.17.0.2:8080"}'
      ],
      [8080]
    ],
    [
      'Nest',
      [
        '[Nest] 1  - 11/23/2026, 11:50:00 PM     LOG [NestFactory] Starting Nest application...',
        '[Nest] 1  - 11/23/2026, 11:50:00 PM     LOG [NestApplication] Nest application successfully started +4ms',
        '[Nest] 1  - 11/23/2026, 11:50:00 PM     LOG [Bootstrap] Listening on port 8080'
      ],
      [8080]
    ],
    ['Nest (URL)', ['Application is running on: http://[::1]:8080'], [8080]],
    ['Hono', ['Server is running on http://localhost:8080'], [8080]],
    ['Hono (port)', ['Server is running on port 8080'], [8080]],
    ['Node http', ['Server running at http://0.0.0.0:8080/'], [8080]],
    ['Go', ['2026/11/23 23:50:00 listening on :8080'], [8080]],
    ['gin', ['[GIN-debug] Listening and serving HTTP on :8080'], [8080]],
    ['echo', ['⇨ http server started on [::]:8080'], [8080]],
    ['uvicorn (colored)', ['\x1b[32mINFO\x1b[0m:     Uvicorn running on \x1b[1mhttp://0.0.0.0:8000\x1b[0m (Press CTRL+C to quit)'], [8000]],
    ['gunicorn', ['[2026-11-23 23:50:00 +0000] [1] [INFO] Listening at: http://0.0.0.0:8000 (1)'], [8000]],
    ['Spring Boot', ["Tomcat started on port(s): 8080 (http) with context path ''"], [8080]],
    ['puma', ['* Listening on http://0.0.0.0:3000'], [3000]],
    ['an app and its metrics', ['listening on :8080', 'admin server listening on 127.0.0.1:9000'], [8080, 9000]]
  ] as [string, string[], number[]][])('%s', (_framework, log, ports) => {
    expect(listeningPorts(log)).toEqual(ports)
  })

  it('ignores the debugger, dependencies, timestamps and lines without a port', () => {
    expect(
      listeningPorts([
        'Debugger listening on ws://127.0.0.1:9229/4b1e6e2c-2f0a-4a44-9e3c-0f0c6a1d2e3f',
        'Connected to redis at 127.0.0.1:6379, ready',
        'postgres pool ready on localhost:5432',
        '[2026-11-23 23:50:00 +0000] [1] [INFO] Booting worker with pid: 7',
        'worker ready at 23:50:00, polling the queue every 1000 ms',
        '✓ Ready in 1200ms',
        'error: poll failed: ECONNREFUSED 10.0.0.5:5672'
      ])
    ).toEqual([])
  })
})

describe('probePorts', () => {
  it('reads the loopback URLs of a probe, with the scheme default when none is given', () => {
    expect(probePorts('wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1')).toEqual([3000])
    expect(probePorts('curl -f http://localhost/health')).toEqual([80])
    expect(probePorts('curl -fk https://localhost/health')).toEqual([443])
    expect(probePorts(`node -e "require('http').get('http://[::1]:3000/health', r => process.exit(0))"`)).toEqual([3000])
  })
  it('leaves out other hosts and commands without a URL', () => {
    expect(probePorts('wget -q http://postgres:5432/ && /app/healthcheck')).toEqual([])
    expect(probePorts('/app/healthcheck --port 3000')).toEqual([])
  })
})

describe('portMismatch', () => {
  const probe = 'wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1'
  it('names the port the app listens on, the probe asks, and EXPOSE says', () => {
    expect(portMismatch(probe, ['listening on :8080'], ['3000/tcp'])).toEqual({ listening: [8080], probe: 3000, exposed: [3000] })
  })
  it('says nothing when they agree, when the log names no port, or the probe asks no port of its own', () => {
    expect(portMismatch(probe, ['Server listening at http://127.0.0.1:3000'], ['3000/tcp'])).toBeUndefined()
    expect(portMismatch(probe, ['worker started'], ['3000/tcp'])).toBeUndefined()
    expect(portMismatch('/app/healthcheck', ['listening on :8080'], [])).toBeUndefined()
  })
  it('binding to 127.0.0.1 is not a mismatch: the probe runs inside the container', () => {
    expect(portMismatch(probe, ['Server listening at http://127.0.0.1:3000'], [])).toBeUndefined()
  })
})

describe('exposedTcpPorts', () => {
  it('keeps the TCP ports, lowest first', () => {
    expect(exposedTcpPorts(['9090/tcp', '53/udp', '8080/tcp', '8080'])).toEqual([8080, 8080, 9090])
  })
})

describe('the suggested probe', () => {
  it('probes loopback on the port the app listens on and EXPOSEs, else EXPOSE, else the one it listens on, else PORT', () => {
    expect(probeUrl({ exposed: ['8080/tcp'] })).toBe('http://127.0.0.1:8080/health')
    expect(probeUrl({ exposed: ['3000/tcp', '9090/tcp'], listening: [9090, 9229] })).toBe('http://127.0.0.1:9090/health')
    // nothing listens on what EXPOSE says: the port it does listen on
    expect(probeUrl({ exposed: ['3000/tcp'], listening: [8080] })).toBe('http://127.0.0.1:8080/health')
    expect(probeUrl({ exposed: ['3000/tcp'], listening: [] })).toBe('http://127.0.0.1:3000/health')
    expect(unlistenedExposed({ exposed: ['3000/tcp'], listening: [8080] })).toEqual([3000])
    expect(unlistenedExposed({ exposed: ['3000/tcp'] })).toEqual([])
    expect(probeUrl({ exposed: [], listening: [8000] })).toBe('http://127.0.0.1:8000/health')
    expect(probeUrl({ exposed: [] })).toBe('http://127.0.0.1:PORT/health')
    // a probe that could not run: the port it asked, unless the app listens on another
    expect(probeUrl({ exposed: [], listening: [], probed: [8080] })).toBe('http://127.0.0.1:8080/health')
    expect(probeUrl({ exposed: [], listening: [3000], probed: [8080] })).toBe('http://127.0.0.1:3000/health')
  })
  it('pastes as one shell line: wget and curl as they are, python and node with their code quoted', () => {
    const url: ProbeTarget = { kind: 'http', port: 8080, path: '/health', passes: false }
    expect(shellLine(probeArgv('python3', url))).toBe(`python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8080/health', timeout=3)"`)
    expect(shellLine(probeArgv('node', url, { fetch: true }))).toBe(`node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"`)
    expect(shellLine(probeArgv('node', url))).toBe(
      `node -e "require('http').get('http://127.0.0.1:8080/health',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))"`
    )
    expect(shellLine(probeArgv('wget', url))).toBe('wget -q --spider http://127.0.0.1:8080/health')
    expect(shellLine(probeArgv('curl', url))).toBe('curl -fsS -o /dev/null http://127.0.0.1:8080/health')
    expect(probeArgv('app', url, { app: '/server' })).toEqual(['/server', 'healthcheck'])
    // a YAML plain scalar cannot hold ": " or " #"; a backtick would end the summary's code span
    for (const tool of ['python3', 'python', 'node', 'php', 'ruby', 'wget', 'curl', 'bash'] as const) {
      for (const kind of ['http', 'fastcgi', 'tcp'] as const) {
        for (const fetch of [false, true]) expect(shellLine(probeArgv(tool, { ...url, kind }, { fetch }))).not.toMatch(/: | #|`/)
      }
    }
  })
  it("in the image's own language first, PHP and Ruby code in single quotes", () => {
    expect(shellLine(probeArgv('php', { kind: 'http', port: 80, path: '/' }))).toBe(`php -r 'exit((int)(@file_get_contents("http://127.0.0.1:80/") === false));'`)
    expect(shellLine(probeArgv('ruby', { kind: 'http', port: 3000, path: '/health' }))).toBe(
      `ruby -rnet/http -e 'exit Net::HTTP.get_response(URI("http://127.0.0.1:3000/health")).code.to_i < 400'`
    )
    expect(shellLine(probeArgv('php', { kind: 'fastcgi', port: 9000, path: '' }))).toBe(
      `php -r '$s = @fsockopen("127.0.0.1", 9000, $e, $m, 3); if (!$s) exit(1); stream_set_timeout($s, 3); fwrite($s, "\\x01\\x09\\0\\0\\0\\0\\0\\0"); exit((int)(fread($s, 2) !== "\\x01\\x0a"));'`
    )
    expect(shellLine(probeArgv('bash', { kind: 'tcp', port: 4040, path: '' }))).toBe(`bash -c "exec 3<>/dev/tcp/127.0.0.1/4040"`)
    expect(languageOf(['php-fpm', 'php-fpm'])).toBe('php')
    expect(languageOf(['sh', 'puma', 'bundle'])).toBe('ruby')
    expect(languageOf(['/usr/local/bin/docker-php-entrypoint', 'apache2-foreground'])).toBe('php')
    expect(languageOf(['gunicorn'])).toBe('python')
    expect(languageOf(['java', '-jar', 'app.jar'])).toBeUndefined()
    expect(toolOrder('ruby').slice(0, 3)).toEqual(['ruby', 'python3', 'python'])
    expect(toolOrder()).toEqual(['python3', 'python', 'node', 'php', 'ruby', 'wget', 'curl', 'bash', 'app'])
  })
  it('fits what the port answered: FastCGI, a TCP connect for a port that speaks neither, else the path that answered', () => {
    expect(probeTarget(9000, { protocol: 'fastcgi' })).toEqual({ kind: 'fastcgi', port: 9000, path: '', passes: true })
    expect(probeTarget(4040, { protocol: 'other' })).toMatchObject({ kind: 'tcp', passes: true })
    expect(probeTarget(4040, { protocol: 'silent' })).toMatchObject({ kind: 'tcp', passes: true })
    expect(probeTarget(80, { protocol: 'http', healthStatus: 200 })).toMatchObject({ kind: 'http', path: '/health', passes: true })
    expect(probeTarget(80, { protocol: 'http', healthStatus: 404, rootStatus: 200 })).toMatchObject({ kind: 'http', path: '/', passes: true })
    expect(probeTarget(80, { protocol: 'http', healthStatus: 404, rootStatus: 403 })).toMatchObject({ kind: 'http', path: '/health', passes: false })
    expect(probeTarget(undefined)).toMatchObject({ kind: 'http', path: '/health', passes: false })
  })
  it('node has fetch from 18 on', () => {
    expect(hasFetch('v18.19.1\n')).toBe(true)
    expect(hasFetch('v22.3.0')).toBe(true)
    expect(hasFetch('v16.20.2')).toBe(false)
    expect(hasFetch('')).toBe(false)
  })
  it("names the app's own program, not a shell, an interpreter or an init", () => {
    expect(appProgram([], ['/server'])).toBe('/server')
    expect(appProgram(['/app/api'], ['--port', '8080'])).toBe('/app/api')
    expect(appProgram(['/tini', '--'], ['/usr/local/bin/worker', 'run'])).toBe('/usr/local/bin/worker')
    expect(appProgram([], ['sh', '-c', '/server'])).toBeUndefined()
    expect(appProgram(['java', '-jar', 'app.jar'], [])).toBeUndefined()
    expect(appProgram([], ['python3.11', 'app.py'])).toBeUndefined()
    expect(appProgram([], ['/bin/sh -c ./run'])).toBeUndefined()
  })
  it('takes exit 126/127 and the runtime\'s "executable file not found" as absent', () => {
    expect(foundFrom(0, 'BusyBox v1.36.1 multi-call binary.')).toBe('present')
    expect(foundFrom(1, 'Usage: wget [-cqS]')).toBe('present')
    expect(foundFrom(127, '')).toBe('absent')
    expect(foundFrom(126, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown')).toBe('absent')
    expect(foundFrom(1, 'Error response from daemon: container 3f2a is not running')).toBe('unknown')
  })
})

describe('listening sockets', () => {
  // /proc/net/tcp6 of a container with uvicorn on [::]:8000 and an outgoing connection to 5432
  const TCP6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000000000000:1F40 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 10001        0 41234 1 0000000000000000 100 0 0 10 0',
    '   1: 0000000000000000FFFF00000200110A:A1B2 0000000000000000FFFF00000300110A:1538 01 00000000:00000000 00:00000000 00000000 10001        0 41240 1 0000000000000000 20 4 30 10 -1'
  ].join('\n')
  it('reads the LISTEN sockets (state 0A), not the connections', () => {
    expect(listeningPortsOf(TCP6)).toEqual([8000])
    expect(listeningPortsOf(TCP6.split('\n').filter((_, i) => i !== 1).join('\n'))).toEqual([])
  })
  it("reads them from the engine host's /proc, only for the container its cgroup names", () => {
    const proc = mkdtempSync(path.join(tmpdir(), 'proc-'))
    mkdirSync(path.join(proc, '4242', 'net'), { recursive: true })
    writeFileSync(path.join(proc, '4242', 'cgroup'), '0::/system.slice/docker-abc123.scope\n')
    writeFileSync(path.join(proc, '4242', 'net', 'tcp6'), TCP6)
    expect(containerListening(4242, 'abc123', proc)).toEqual([8000])
    expect(containerListening(4242, 'def456', proc)).toBeUndefined() // another container's PID
    expect(containerListening(4343, 'abc123', proc)).toBeUndefined() // not on this host
    rmSync(proc, { recursive: true })
  })
  it('a worker: listens on nothing, EXPOSEs nothing, logs no port; unknown sockets are never a worker', () => {
    expect(servesNoPort({ exposed: [], listening: [] }, ['polling queue jobs'])).toBe(true)
    expect(servesNoPort({ exposed: [] }, [])).toBe(false)
    expect(servesNoPort({ exposed: ['8080/tcp'], listening: [] }, [])).toBe(false)
    expect(servesNoPort({ exposed: [], listening: [] }, ['Listening on port 3000'])).toBe(false)
    expect(servesNoPort({ exposed: [], listening: [9000] }, [])).toBe(false)
  })
})

describe('findPrograms and chooseProbe', () => {
  /** A container with these programs; `versions` is what each prints when asked. */
  function engine(has: string[], versions: Record<string, string> = {}) {
    const calls: string[][] = []
    const docker = {
      call: async (args: string[]): Promise<DockerResult> => {
        calls.push(args)
        const present = has.includes(args[2])
        return { exitCode: present ? 0 : 127, stdout: present ? (versions[args[2]] ?? '') : '', stderr: present ? '' : `exec: "${args[2]}": executable file not found in $PATH` }
      }
    } as unknown as Docker
    return { docker, calls }
  }
  const HTTP8080: ProbeTarget = { kind: 'http', port: 8080, path: '/health', passes: false }
  async function choose(has: string[], target = HTTP8080, opts: { versions?: Record<string, string>; language?: Parameters<typeof toolOrder>[0]; command?: { entrypoint?: string[]; cmd?: string[] } } = {}) {
    const programs = await findPrograms(new Container(engine(has, opts.versions).docker, 'c1'))
    return chooseProbe(programs!, toolOrder(opts.language), target, opts.command ?? {}, true)
  }

  it('asks every program at once, in exec form', async () => {
    const { docker, calls } = engine(['python3', 'curl'])
    expect([...(await findPrograms(new Container(docker, 'c1')))!.keys()]).toEqual(['python3', 'curl'])
    expect(calls).toHaveLength(8)
    expect(calls[0]).toEqual(['exec', 'c1', 'python3', '--version'])
  })
  it('in order of fit: python, node, php, ruby, wget, curl, bash; the image\'s own language first', async () => {
    expect(await choose(['python3', 'node', 'wget', 'curl'])).toEqual({ tool: 'python3', argv: probeArgv('python3', HTTP8080), shell: true, kind: 'http', path: '/health' })
    expect((await choose(['python', 'node']))?.tool).toBe('python')
    expect((await choose(['node', 'wget', 'curl'], HTTP8080, { versions: { node: 'v20.11.0' } }))?.argv).toEqual(probeArgv('node', HTTP8080, { fetch: true }))
    expect((await choose(['node'], HTTP8080, { versions: { node: 'v16.20.2' } }))?.argv).toEqual(probeArgv('node', HTTP8080))
    expect((await choose(['php', 'curl', 'wget']))?.tool).toBe('php')
    expect((await choose(['ruby', 'python3', 'curl'], HTTP8080, { language: 'ruby' }))?.tool).toBe('ruby')
    expect((await choose(['wget', 'curl', 'bash']))?.tool).toBe('wget')
    expect((await choose(['curl', 'bash']))?.tool).toBe('curl')
    expect((await choose(['bash']))?.tool).toBe('bash')
  })
  it('a FastCGI port gets a FastCGI request from a runtime, else a TCP connect; a raw port a TCP connect', async () => {
    const fcgi: ProbeTarget = { kind: 'fastcgi', port: 9000, path: '', passes: true }
    expect(await choose(['php', 'curl'], fcgi, { language: 'php' })).toMatchObject({ tool: 'php', kind: 'fastcgi' })
    expect(await choose(['curl', 'bash'], fcgi)).toEqual({ tool: 'bash', argv: probeArgv('bash', { ...fcgi, kind: 'tcp' }), shell: true, kind: 'tcp' })
    expect(await choose(['curl', 'wget'], fcgi)).toBeUndefined()
    expect(await choose(['wget', 'ruby'], { kind: 'tcp', port: 4040, path: '', passes: true })).toMatchObject({ tool: 'ruby', kind: 'tcp' })
  })
  it('skips a python that is Python 2 (no urllib.request)', async () => {
    expect((await choose(['python', 'curl'], HTTP8080, { versions: { python: 'Python 2.7.18' } }))?.tool).toBe('curl')
  })
  it("none of them: the app's own binary in exec form; no binary of its own to name: nothing", async () => {
    expect(await choose([], HTTP8080, { command: { entrypoint: ['/server'] } })).toMatchObject({ tool: 'app', argv: ['/server', 'healthcheck'] })
    expect(await choose([], HTTP8080, { command: { entrypoint: ['java', '-jar', 'app.jar'] } })).toBeUndefined()
  })
  it('nothing once the container is gone', async () => {
    const gone = { call: async () => ({ exitCode: 1, stdout: '', stderr: 'Error response from daemon: container c1 is not running' }) } as unknown as Docker
    expect(await findPrograms(new Container(gone, 'c1'))).toBeUndefined()
  })
})
