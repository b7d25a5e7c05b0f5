import { describe, expect, it } from '@jest/globals'
import type { Docker, DockerResult } from '../../src/docker/docker.js'
import { exposedTcpPorts, listeningPorts, portMismatch, probePorts } from '../../src/rules/ports.js'
import { shellLine } from '../../src/rules/shell.js'
import { foundFrom, probeArgv, probeUrl, suggestProbe } from '../../src/stages/tools.js'

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
  it('probes loopback on the EXPOSEd port, or says PORT when there is none', () => {
    expect(probeUrl(['8080/tcp'])).toBe('http://127.0.0.1:8080/health')
    expect(probeUrl([])).toBe('http://127.0.0.1:PORT/health')
  })
  it('pastes as one shell line: wget and curl as they are, node with its script quoted', () => {
    const url = 'http://127.0.0.1:8080/health'
    expect(shellLine(probeArgv('wget', url))).toBe('wget -q --spider http://127.0.0.1:8080/health')
    expect(shellLine(probeArgv('curl', url))).toBe('curl -fsS -o /dev/null http://127.0.0.1:8080/health')
    expect(shellLine(probeArgv('node', url))).toBe(
      `node -e "require('http').get('http://127.0.0.1:8080/health',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))"`
    )
    // a YAML plain scalar cannot hold ": " or " #"
    for (const tool of ['wget', 'curl', 'node'] as const) expect(shellLine(probeArgv(tool, url))).not.toMatch(/: | #/)
  })
  it('takes exit 126/127 and the runtime\'s "executable file not found" as absent', () => {
    expect(foundFrom(0, 'BusyBox v1.36.1 multi-call binary.')).toBe('present')
    expect(foundFrom(1, 'Usage: wget [-cqS]')).toBe('present')
    expect(foundFrom(127, '')).toBe('absent')
    expect(foundFrom(126, 'OCI runtime exec failed: exec failed: unable to start container process: exec: "curl": executable file not found in $PATH: unknown')).toBe('absent')
    expect(foundFrom(1, 'Error response from daemon: container 3f2a is not running')).toBe('unknown')
  })
})

describe('suggestProbe', () => {
  function engine(has: string[]) {
    const calls: string[][] = []
    const docker = {
      call: async (args: string[]): Promise<DockerResult> => {
        calls.push(args)
        const present = has.includes(args[2])
        return { exitCode: present ? 0 : 127, stdout: '', stderr: present ? '' : `exec: "${args[2]}": executable file not found in $PATH` }
      }
    } as unknown as Docker
    return { docker, calls }
  }

  it('busybox: wget, asked in exec form, and nothing more', async () => {
    const { docker, calls } = engine(['wget', 'curl', 'node', '/bin/sh'])
    expect(await suggestProbe(docker, 'c1', ['8080/tcp'])).toEqual({ tool: 'wget', argv: ['wget', '-q', '--spider', 'http://127.0.0.1:8080/health'], shell: true })
    expect(calls).toEqual([['exec', 'c1', 'wget', '--help']])
  })
  it('curl where there is no wget; node (and whether there is a shell) where neither', async () => {
    expect((await suggestProbe(engine(['curl']).docker, 'c1', []))?.tool).toBe('curl')
    expect(await suggestProbe(engine(['node']).docker, 'c1', ['3000/tcp'])).toMatchObject({ tool: 'node', shell: false })
    expect(await suggestProbe(engine(['node', '/bin/sh']).docker, 'c1', ['3000/tcp'])).toMatchObject({ tool: 'node', shell: true })
    expect(await suggestProbe(engine([]).docker, 'c1', [])).toBeUndefined()
  })
})
