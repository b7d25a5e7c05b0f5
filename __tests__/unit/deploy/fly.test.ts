import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { deploySettings, type DeploySettings } from '../../../src/deploy/deploy.js'
import { changed, errorOf, extraAt, inputAt, lineOf, notesOf, parsedInputs } from './real-parsers.js'

// Each setting a fly.toml maps: changed in the file, the value (and its line, found by scanning the
// text) follows; and each mistake in the file is one line naming the file, the line and the key.

const file = 'fly.toml'
const base = readFileSync(new URL('../../../examples/tynebase-backend/fly.toml', import.meta.url), 'utf8')
const read = (text: string, probeTool?: 'node'): DeploySettings => deploySettings({ file, text, probeTool })
const input = inputAt
const extra = extraAt
const notes = notesOf
const fails = (text: string) => errorOf(() => read(text))
const withoutChecks = base.replace(/\n {2}\[\[http_service\.checks\]\][\s\S]*?(?=\n\[\[vm\]\])/, '\n')

describe('a fly.toml', () => {
  it('takes [processes]: the main command, and one smoke command per other process', () => {
    const text = changed(base, 'worker = "node dist/worker.js"', 'worker = "node dist/worker.js --queue=mail"\n  cron = "node dist/cron.js"')
    const s = read(text)
    expect([input(s, 'command'), input(s, 'smoke-commands')]).toEqual([
      ['node dist/server.js', lineOf(base, 'app = "node')],
      ['node dist/worker.js --queue=mail\nnode dist/cron.js', lineOf(base, '[processes]')]
    ])
    expect(s.inputs['smoke-commands']!.parts!.map(p => [p.value, p.line])).toEqual([
      ['node dist/worker.js --queue=mail', lineOf(base, 'worker = ')],
      ['node dist/cron.js', lineOf(base, 'worker = ') + 1]
    ])
    expect(parsedInputs(s)['smoke-commands']).toEqual([
      ['node', 'dist/worker.js', '--queue=mail'],
      ['node', 'dist/cron.js']
    ])
    // the main process is the one http_service serves
    const served = read(changed(base, 'processes = ["app"]', 'processes = ["worker"]'))
    expect([input(served, 'command'), input(served, 'smoke-commands')?.[0]]).toEqual([['node dist/worker.js', lineOf(base, 'worker = ')], 'node dist/server.js'])
  })

  it('takes [env], each variable with its line', () => {
    const s = read(changed(base, 'PORT = "8080"', 'PORT = 9090'))
    expect(input(s, 'env')).toEqual(['PORT=9090\nWORKER_INTERVAL_MS=2000', lineOf(base, '[env]')])
    expect(s.inputs.env!.parts!.map(p => [p.value, p.line])).toEqual([
      ['PORT=9090', lineOf(base, 'PORT = ')],
      ['WORKER_INTERVAL_MS=2000', lineOf(base, 'WORKER_INTERVAL_MS')]
    ])
  })

  it('takes kill_signal as the stop signal and kill_timeout as stop-timeout', () => {
    let text = changed(base, 'kill_signal = "SIGTERM"', 'kill_signal = "SIGQUIT"')
    text = changed(text, 'kill_timeout = "15s"', 'kill_timeout = "1m30s"')
    const s = read(text)
    expect([extra(s, 'stopSignal'), input(s, 'stop-timeout')]).toEqual([
      ['SIGQUIT', lineOf(base, 'kill_signal')],
      ['90', lineOf(base, 'kill_timeout')]
    ])
    expect(input(read(changed(base, 'kill_timeout = "15s"', 'kill_timeout = 30')), 'stop-timeout')).toEqual(['30', lineOf(base, 'kill_timeout')])
  })

  it("takes [[vm]]'s memory (MB are MiB on Fly), else memory_mb, else the size preset's", () => {
    const line = lineOf(base, 'memory = ')
    const memory = (to: string) => input(read(changed(base, 'memory = "512mb"', to)), 'run-memory')
    expect(memory('memory = "1gb"')).toEqual(['1Gi', line])
    expect(memory('memory = 2048')).toEqual(['2048Mi', line])
    expect(memory('memory_mb = 768')).toEqual(['768Mi', line])
    expect(memory('size = "shared-cpu-2x"')).toEqual(['512Mi', line])
    expect(memory('size = "performance-1x"')).toEqual(['2048Mi', line])
    // a [[vm]] for another process group is not the main process's
    expect(input(read(changed(base, 'cpus = 1', 'cpus = 1\n  processes = ["worker"]')), 'run-memory')).toBeUndefined()
  })

  it("takes [[http_service.checks]] as the probe, on http_service's port, with its timing", () => {
    let text = changed(base, 'path = "/health"', 'path = "/ready"')
    text = changed(text, 'internal_port = 8080', 'internal_port = 3000')
    text = changed(text, 'grace_period = "10s"', 'grace_period = "1m"')
    text = changed(text, 'interval = "15s"', 'interval = "500ms"')
    text = changed(text, '    timeout = "2s"', '    timeout = "3s"')
    const s = read(text)
    const at = lineOf(base, '[[http_service.checks]]')
    expect([input(s, 'health-cmd'), input(s, 'health-start-period'), extra(s, 'healthInterval'), extra(s, 'healthProbeTimeout')]).toEqual([
      ['wget -q --spider http://127.0.0.1:3000/ready', at],
      ['60', lineOf(base, 'grace_period')],
      ['500ms', lineOf(base, 'interval')],
      ['3s', lineOf(base, '    timeout = ')]
    ])
    const https = read(changed(base, 'method = "GET"', 'protocol = "https"'))
    expect([input(https, 'health-cmd'), notes(https)]).toEqual([
      undefined,
      [["http_service.checks[0] asks HTTPS on port 8080, which image-gate's probes do not: no health-cmd is written; give one in health-cmd.", lineOf(base, 'method =')]]
    ])
    const post = read(changed(base, 'method = "GET"', 'method = "POST"'))
    expect(notes(post)).toEqual([['http_service.checks[0].method POST is not applied: the probe sends GET.', lineOf(base, 'method =')]])
  })

  it('takes [[services.http_checks]], [[services.tcp_checks]] and [checks.NAME]', () => {
    const services = `${withoutChecks}
[[services]]
  internal_port = 8081
  processes = ["app"]

  [[services.tcp_checks]]
    grace_period = "3s"

  [[services.http_checks]]
    interval = 10000
    path = "/live"
`
    const s = read(services)
    expect([input(s, 'health-cmd'), extra(s, 'healthInterval'), input(s, 'health-start-period')]).toEqual([
      ['wget -q --spider http://127.0.0.1:8081/live', lineOf(services, '[[services.http_checks]]')],
      // a bare number in a check is milliseconds
      ['10s', lineOf(services, 'interval = 10000')],
      undefined
    ])
    const tcpOnly = services.replace(/\n {2}\[\[services\.http_checks\]\][\s\S]*$/, '\n')
    const tcp = read(tcpOnly, 'node')
    expect([input(tcp, 'health-cmd'), input(tcp, 'health-start-period')]).toEqual([
      [`node -e "require('net').connect(8081,'127.0.0.1',()=>process.exit(0)).on('error',()=>process.exit(1))"`, lineOf(tcpOnly, '[[services.tcp_checks]]')],
      ['3', lineOf(tcpOnly, 'grace_period')]
    ])
    const top = `${withoutChecks}
[checks]
  [checks.worker_alive]
    type = "tcp"
    port = 9000
    processes = ["worker"]
  [checks.status]
    type = "http"
    port = 5500
    path = "/status"
    grace_period = "30s"
`
    const c = read(top)
    expect([input(c, 'health-cmd'), input(c, 'health-start-period')]).toEqual([
      ['wget -q --spider http://127.0.0.1:5500/status', lineOf(top, '[checks.status]')],
      ['30', lineOf(top, 'grace_period')]
    ])
  })
})

describe('a mistake in a fly.toml', () => {
  it('is one line naming the file, the line and the key', () => {
    expect(fails(changed(base, 'memory = "512mb"', 'memory = "512 megs"'))).toBe(
      `fly.toml:${lineOf(base, 'memory = ')}: vm[0].memory "512 megs" is not a memory size Fly reads (512mb, 1gb, or a number of MB)`
    )
    expect(fails(changed(base, 'kill_timeout = "15s"', 'kill_timeout = "15 sec"'))).toBe(`fly.toml:${lineOf(base, 'kill_timeout')}: kill_timeout "15 sec" is not a duration (5, "5s", "2m")`)
    expect(fails(changed(base, 'kill_signal = "SIGTERM"', 'kill_signal = "TERM"'))).toBe(
      `fly.toml:${lineOf(base, 'kill_signal')}: kill_signal "TERM" is not a signal name (SIGINT, SIGTERM, SIGQUIT, SIGUSR1, SIGUSR2)`
    )
    expect(fails(changed(base, 'interval = "15s"', 'interval = "15"'))).toBe(`fly.toml:${lineOf(base, 'interval')}: http_service.checks[0].interval "15" is not a duration ("10s", "1m30s")`)
    expect(fails(`${withoutChecks}\n[checks.status]\n  type = "htp"\n  port = 8080\n`)).toBe(
      `fly.toml:${withoutChecks.split('\n').length + 2}: checks.status.type "htp" is not a check type Fly runs (http, tcp)`
    )
    expect(fails(changed(base, 'worker = "node dist/worker.js"', `worker = "node dist/worker.js && echo done"`))).toBe(
      `fly.toml:${lineOf(base, 'worker = ')}: processes.worker gives smoke-commands "node dist/worker.js && echo done", which image-gate refuses: Input "smoke-commands" is not run through a shell, so it cannot use shell operators; write it as sh -c '...' if you need one.`
    )
  })

  it('names TOML syntax by its line', () => {
    expect(fails(changed(base, 'PORT = "8080"', 'PORT = '))).toBe(`fly.toml:${lineOf(base, 'PORT = ')}: is not valid TOML: invalid value`)
  })
})

describe("a fly.toml's lines", () => {
  it('numbers each [[services]] own checks from 0', () => {
    const text = `${withoutChecks.replace('processes = ["app"]', 'processes = ["worker"]')}
[[services]]
  internal_port = 9000
  processes = ["worker"]
  [[services.http_checks]]
    path = "/a"

[[services]]
  internal_port = 8081
  [[services.http_checks]]
    path = "/b"
    grace_period = "4s"
`
    const s = read(text)
    expect([input(s, 'command')?.[0], input(s, 'health-cmd'), input(s, 'health-start-period')]).toEqual([
      'node dist/worker.js',
      ['wget -q --spider http://127.0.0.1:9000/a', lineOf(text, 'path = "/a"') - 1],
      undefined
    ])
    const api = read(text.replace('processes = ["worker"]\n  [[services.http_checks]]', 'processes = ["nope"]\n  [[services.http_checks]]'))
    expect([input(api, 'health-cmd'), input(api, 'health-start-period')]).toEqual([
      ['wget -q --spider http://127.0.0.1:8081/b', lineOf(text, 'path = "/b"') - 1],
      ['4', lineOf(text, 'grace_period = "4s"')]
    ])
  })
})
