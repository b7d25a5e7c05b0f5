import { describe, expect, it } from '@jest/globals'
import { failureLine } from '../../src/render/text.js'
import { judged } from './judged.js'
import type { Check } from '../../src/report/report.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

const row = (checks: Check[], name: Check['name']) => checks.find(c => c.name === name)!

describe('judge', () => {
  it('passes a healthy non-root image within budget', () => {
    const report = measuredRun()
    judged(report, inputs({ maxSize: { text: '500MB', bytes: 500_000_000 } }))
    expect(report.passed).toBe(true)
    expect(report.checks.map(c => [c.name, c.status, c.value, c.limit])).toEqual([
      ['build', 'pass', 'built in 3.2 s', ''],
      ['health', 'pass', 'healthy after 1.4 s', 'healthy within 120 s'],
      ['size', 'pass', '123.5 MB (123,456,789 bytes)', '≤ 500MB'],
      ['user', 'pass', 'UID 1001, GID 1001', 'non-root'],
      ['contents', 'pass', 'clean', 'no secrets, dev dependencies or build tools'],
      ['stop', 'pass', 'exited 0, 0.05 s after SIGTERM', 'exits within 10 s of SIGTERM']
    ])
    // a user name passes under Docker's defaults, with the numeric USER Kubernetes would need as advice
    expect(row(report.checks, 'user').detail).toBe(
      'USER nodejs; PID 1 (node) runs as UID 1001. For Kubernetes, use USER 1001:1001 — the UID of nodejs in this image — so runAsNonRoot can verify it is not root: a user name is refused there (run-profile: restricted fails it).'
    )
  })

  it('fails the user check on UID 0 and says how to fix it, whatever USER says', () => {
    const report = measuredRun()
    report.image.user = 'app'
    report.user = { uid: 0, gid: 0, process: 'node' }
    judged(report, inputs())
    expect(report.passed).toBe(false)
    const user = row(report.checks, 'user')
    expect(user).toMatchObject({ status: 'fail', value: 'UID 0, GID 0' })
    expect(user.detail).toContain('USER app; PID 1 (node) runs as UID 0.')
    expect(user.detail).toContain('USER 10001')
    expect(failureLine(reportOf(report))).toBe('1 of 6 checks failed: user (UID 0, GID 0)')
  })

  it('reports root without judging it when require-non-root is false', () => {
    const report = measuredRun()
    report.image.user = ''
    report.user = { uid: 0, gid: 0, process: 'node' }
    judged(report, inputs({ requireNonRoot: false }))
    expect(row(report.checks, 'user')).toMatchObject({ status: 'skip', value: 'UID 0, GID 0' })
    expect(report.passed).toBe(true)
  })

  it('fails the size check one byte over the budget and passes exactly at it', () => {
    const over = measuredRun()
    judged(over, inputs({ maxSize: { text: '123456788', bytes: 123_456_788 } }))
    expect(row(over.checks, 'size')).toMatchObject({ status: 'fail' })
    expect(row(over.checks, 'size').detail).toMatch(/^1 B over the budget/)
    const at = measuredRun()
    judged(at, inputs({ maxSize: { text: '123456789', bytes: 123_456_789 } }))
    expect(row(at.checks, 'size').status).toBe('pass')
  })

  it('reports the size without judging it when there is no budget', () => {
    const report = measuredRun()
    judged(report, inputs())
    expect(row(report.checks, 'size')).toMatchObject({ status: 'skip', value: '123.5 MB (123,456,789 bytes)', limit: '' })
  })

  it('explains an exited container with its exit code and OOM kill', () => {
    const report = measuredRun()
    report.health = { verdict: 'exited', source: 'image', command: 'x', exitCode: 137, oomKilled: true, waitedSeconds: 0.1, ranSeconds: 0.4 }
    report.image.user = 'nodejs'
    report.user = { unknownReason: 'the container was not running, so its processes could not be read' }
    judged(report, inputs())
    expect(row(report.checks, 'health')).toMatchObject({ status: 'fail', value: 'killed for memory (OOMKilled) 0.4 s after start' })
    expect(row(report.checks, 'health').detail).toContain('The container stopped before it was healthy (exit code 137): no run-memory was set')
    expect(row(report.checks, 'user')).toMatchObject({ status: 'skip', value: 'unknown' })
  })

  it('shows the last probe for an unhealthy container', () => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', probes: [{ exitCode: 1, output: 'connection refused' }] }
    judged(report, inputs({ healthTimeout: 5 }))
    const health = row(report.checks, 'health')
    expect(health).toMatchObject({ status: 'fail', value: 'unhealthy' })
    expect(health.detail).toContain('not healthy within 5 s, then failed 3 probes in a row')
    expect(health.detail).toContain('Last probe exited 1: connection refused.')
  })

  it('names the dependency the probe could not reach, and what run-network to set', () => {
    const report = measuredRun()
    const command = 'wget -q -O /dev/null http://127.0.0.1:8080/health && wget -q -O /dev/null http://postgres:5432/health || exit 1'
    report.health = { verdict: 'unhealthy', source: 'image', command, probes: [{ exitCode: 1, output: "wget: bad address 'postgres:5432'" }] }
    judged(report, inputs({ healthTimeout: 5 }))
    expect(row(report.checks, 'health').detail).toContain(
      "Last probe exited 1: wget: bad address 'postgres:5432'. The app could not resolve `postgres:5432`: the container ran on Docker's default bridge"
    )
    judged(report, inputs({ healthTimeout: 5, runNetwork: 'gh_net' }))
    expect(row(report.checks, 'health').detail).toContain('The app could not resolve `postgres:5432`')
    expect(row(report.checks, 'health').detail).toContain('`gh_net` (run-network)')
  })

  it('does not take the app itself not listening on its probed port for a dependency', () => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'image', command: 'curl -f http://localhost:3000/health', probes: [{ exitCode: 7, output: 'curl: (7) Failed to connect to localhost port 3000 after 0 ms: Connection refused' }] }
    judged(report, inputs({ healthTimeout: 5 }))
    expect(row(report.checks, 'health').detail).not.toContain('could not reach')
  })

  it('names a dependency a container that exited wrote in its log, and one a smoke command could not reach', () => {
    const report = measuredRun()
    report.health = { verdict: 'exited', source: 'image', command: 'x', exitCode: 1, ranSeconds: 0.6, logTail: ['Error: connect ECONNREFUSED 172.18.0.2:5432', '    at TCPConnectWrap.afterConnect'] }
    report.smoke = [{ command: 'node worker.js', outcome: 'exited', exitCode: 1, seconds: 0.4, logTail: ['Error: getaddrinfo ENOTFOUND rabbitmq'] }]
    judged(report, inputs({ runNetwork: 'gh_net' }))
    expect(row(report.checks, 'health').detail).toContain('before it was healthy. The app could not reach `172.18.0.2:5432` (connection refused)')
    expect(row(report.checks, 'smoke').detail).toContain('command: node worker.js. The app could not resolve `rabbitmq`')
  })

  it("counts the image's own retries, not a fixed 3", () => {
    const report = measuredRun()
    report.image.healthcheckRetries = 2
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', probes: [{ exitCode: 1, output: 'refused' }] }
    judged(report, inputs({ healthTimeout: 5 }))
    expect(row(report.checks, 'health').detail).toContain('not healthy within 5 s, then failed 2 probes in a row')
    report.image.healthcheckRetries = 1
    judged(report, inputs({ healthTimeout: 5 }))
    expect(row(report.checks, 'health').detail).toContain('then failed 1 probe in a row')
  })

  it('with fast-health: false, says Docker decided on the timing the image set, not on health-timeout', () => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', probes: [{ exitCode: 1, output: 'refused' }] }
    judged(report, inputs({ fastHealth: false }))
    const detail = row(report.checks, 'health').detail
    expect(detail).toBe(
      "Docker marked the container unhealthy, on the image's own HEALTHCHECK settings (interval 30 s, start period 0 s, retries 3): no probe passed, then 3 probes in a row failed (fast-health: false) (HEALTHCHECK: exit 1). Last probe exited 1: refused. The container printed nothing."
    )
    expect(detail).not.toContain('within 120 s')
    report.health.source = 'health-cmd'
    judged(report, inputs({ fastHealth: false }))
    expect(row(report.checks, 'health').detail).toContain("on Docker's default timing (interval 30 s, retries 3)")
  })

  it('a probe that never settles: the time since the container started, not since the wait began', () => {
    const report = measuredRun()
    report.health = { verdict: 'timeout', source: 'image', command: 'sleep 60', waitedSeconds: 17.6, verdictSeconds: 18.1 }
    judged(report, inputs({ healthTimeout: 10 }))
    expect(row(report.checks, 'health')).toMatchObject({ status: 'fail', value: 'not healthy after 10 s' })
    expect(row(report.checks, 'health').detail).toMatch(/^Docker had no verdict 18.1 s after start: the probes did not finish/)
  })

  it("names the image's own limit when that decided: Docker's schedule, the probes' runs, and the probe that showed it", () => {
    const report = measuredRun()
    Object.assign(report.image, { healthcheckInterval: 1, healthcheckRetries: 3, healthcheckStartPeriod: 0 })
    const limit = { rule: 'image-limit' as const, limitSeconds: 3.3, lastProbeSeconds: 3.2, probeMs: 55, notReadyAtSeconds: 3.3, failedProbes: 20 }
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1', ...limit, verdictSeconds: 3.5 }
    judged(report, inputs())
    expect(row(report.checks, 'health')).toMatchObject({ status: 'fail', value: 'unhealthy', limit: "healthy within 3.3 s (the image's HEALTHCHECK)" })
    expect(row(report.checks, 'health').detail).toBe(
      "No probe passed within the image's own limit (interval 1 s, retries 3): Docker starts each probe one interval after the last one ended, so with probes of up to 55 ms its 3rd failed probe in a row would start at 3.2 s and mark it unhealthy at 3.3 s; a fast-health probe that started at 3.3 s still failed (HEALTHCHECK: exit 1). The container printed nothing."
    )
    // Docker 27 and later probe a start period every 5 s unless the image sets a start interval
    Object.assign(report.image, { healthcheckInterval: 30, healthcheckRetries: 1, healthcheckStartPeriod: 7 })
    Object.assign(report.health, { limitSeconds: 10.2, lastProbeSeconds: 10.1, probeMs: 40, notReadyAtSeconds: 10.2, startPeriodIntervalSeconds: 5 })
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toMatch(
      /^No probe passed within the image's own limit \(start period 7 s \(probes 5 s apart in it: Docker's default start interval\), interval 30 s, retries 1\): Docker starts each probe one interval after the last one ended, so with probes of up to 40 ms its first failed probe after the start period would start at 10.1 s and mark it unhealthy at 10.2 s;/
    )
    report.image.healthcheckStartInterval = 2
    Object.assign(report.health, { startPeriodIntervalSeconds: 2 })
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toContain("within the image's own limit (start period 7 s, start interval 2 s, interval 30 s, retries 1)")
  })

  it.each([
    ['curl', 'missing', '`curl` is not in the image (or not on its PATH) (HEALTHCHECK: curl -f http://localhost/). Install curl in the final stage, or probe with a program the image has.'],
    ['/bin/sh', 'missing', 'the image has no `/bin/sh`, so a shell-form HEALTHCHECK (and health-cmd, which Docker also runs with a shell) cannot run (HEALTHCHECK: /bin/sh -f http://localhost/). Use an exec-form HEALTHCHECK in the Dockerfile with a program the image has, e.g. `HEALTHCHECK CMD ["/app/healthcheck"]`.'],
    ['/app/hc', 'missing', '`/app/hc` is not in the image (HEALTHCHECK: /app/hc -f http://localhost/). Copy `/app/hc` into the final stage, or probe with a program the image has.'],
    ['/app/check.sh', 'not-executable', '`/app/check.sh` is not executable in the image (HEALTHCHECK: /app/check.sh -f http://localhost/). Make it executable in the Dockerfile (COPY --chmod=755, or RUN chmod +x)']
  ] as [string, 'missing' | 'not-executable', string][])('a probe that cannot run %s (%s) says why, then what to use instead, naming no program it was not seen to have', (program, why, advice) => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'image', command: `${program} -f http://localhost/`, rule: 'cannot-run', cannotRun: { program, why } }
    judged(report, inputs())
    const detail = row(report.checks, 'health').detail
    expect(detail).toContain(`The probe could not run: ${advice}`)
    expect(detail).not.toMatch(/wget|node|python/)
  })

  it('a HEALTHCHECK calling curl in a python image without curl: python is suggested instead, labelled, after the command that failed', () => {
    const report = measuredRun()
    report.image.exposedPorts = ['8000/tcp']
    const command = 'curl -f http://localhost:8000/health || exit 1'
    const argv = ['python3', '-c', "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health', timeout=3)"]
    report.health = {
      verdict: 'unhealthy',
      source: 'image',
      command,
      rule: 'cannot-run',
      cannotRun: { program: 'curl', why: 'missing' },
      probes: [{ exitCode: 1, output: '/bin/sh: 1: curl: not found' }],
      suggestedCmd: { tool: 'python3', argv, shell: true },
      listeningPorts: [8000],
      hasShell: true
    }
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toBe(
      `The probe could not run: \`curl\` is not in the image (or not on its PATH) (HEALTHCHECK: ${command}). Last probe exited 1: /bin/sh: 1: curl: not found. ` +
        `Suggested instead, from what the image has (python3; EXPOSE 8000): \`HEALTHCHECK CMD python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health', timeout=3)"\` (point /health at the app's health endpoint). Or: install curl in the final stage. The container printed nothing.`
    )
  })

  it('a health-cmd in an image without /bin/sh: exec form or require-healthcheck: false, with a suggestion from what it has', () => {
    const report = measuredRun()
    report.image.exposedPorts = []
    report.health = {
      verdict: 'unhealthy',
      source: 'health-cmd',
      command: 'wget -q --spider http://127.0.0.1:8080/',
      rule: 'cannot-run',
      cannotRun: { program: '/bin/sh', why: 'missing' },
      suggestedCmd: { tool: 'app', argv: ['/server', 'healthcheck'], shell: false },
      listeningPorts: [8080],
      hasShell: false
    }
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toContain(
      'cannot run (health-cmd: wget -q --spider http://127.0.0.1:8080/). Use an exec-form HEALTHCHECK in the Dockerfile with a program the image has, or set `require-healthcheck: false`. ' +
        "Suggested instead, with the app's own binary (the image has no python, node, php, ruby, wget, curl or bash; it listens on 8080): `HEALTHCHECK CMD [\"/server\", \"healthcheck\"]`, a mode to add to the app that requests http://127.0.0.1:8080/health and exits 0 only when it answers."
    )
  })

  it('a health-cmd that never passed: unhealthy after its start period and retries, saying how many probes failed after it', () => {
    const report = measuredRun()
    report.health = {
      verdict: 'unhealthy',
      source: 'health-cmd',
      command: 'wget -q -O /dev/null http://127.0.0.1:8080/health',
      rule: 'start-period',
      limitSeconds: 12.7,
      lastProbeSeconds: 12.7,
      probeMs: 48,
      notReadyAtSeconds: 12.8,
      startPeriodSeconds: 10,
      failedProbes: 14,
      probes: [{ exitCode: 1, output: 'wget: server returned error: HTTP/1.1 500 Internal Server Error' }]
    }
    judged(report, inputs())
    expect(row(report.checks, 'health')).toMatchObject({ status: 'fail', value: 'unhealthy', limit: 'healthy within 12.7 s (health-start-period 10 s + retries)' })
    expect(row(report.checks, 'health').detail).toBe(
      'The probe failed 14 times after the start period and never passed: unhealthy at 12.7 s, on health-start-period 10 s, then 3 failed probes a second apart (each a second after the last one ended; the probes took up to 48 ms; a fast-health probe that started at 12.8 s still failed). Raise health-start-period if the app needs longer to start (health-cmd: wget -q -O /dev/null http://127.0.0.1:8080/health). Last probe exited 1: wget: server returned error: HTTP/1.1 500 Internal Server Error. The container printed nothing.'
    )
  })

  it("with fast-health: false, Docker's verdict on a health-cmd names the start period it had", () => {
    const report = measuredRun()
    report.health = { verdict: 'unhealthy', source: 'health-cmd', command: 'exit 1', rule: 'docker', startPeriodSeconds: 10, verdictSeconds: 90.3 }
    judged(report, inputs({ fastHealth: false }))
    expect(row(report.checks, 'health').detail).toMatch(
      /^Docker marked the container unhealthy 90.3 s after start, on Docker's default timing \(interval 30 s, retries 3\) with health-start-period 10 s: no probe passed/
    )
  })

  it('with fast-health: false, startup is a window set by the interval, judged only outside it', () => {
    const report = measuredRun()
    report.health = { ...report.health, intervalSeconds: 30, startupSeconds: 30.1, notReadyAtSeconds: 0 }
    // an app that answered at 0.34 s, seen first by the image's 30 s probe: the budget is inside the window
    judged(report, inputs({ fastHealth: false, maxStartupTime: 5 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'skip', value: '0–30.1 s', limit: '≤ 5 s' })
    expect(row(report.checks, 'startup').detail).toBe(
      'Not judged: Docker probed every 30 s (fast-health: false), so the app was ready between 0 s and 30.1 s after start, and the budget falls inside that window. Leave fast-health on to measure startup to a fraction of a second.'
    )
    expect(report.passed).toBe(true)
    judged(report, inputs({ fastHealth: false, maxStartupTime: 40 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'pass', value: '≤ 30.1 s' })
    report.health.notReadyAtSeconds = 30
    report.health.startupSeconds = 60.1
    judged(report, inputs({ fastHealth: false, maxStartupTime: 20 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'fail', value: '> 30 s' })
    expect(row(report.checks, 'startup').detail).toMatch(/^A probe still failed 30 s after start/)
  })

  it('times the passing probes in the health row, and judges the slowest against max-probe-time', () => {
    const report = measuredRun()
    report.health.probeTimes = { passing: 3, medianMs: 14, slowestMs: 31 }
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toBe(
      'HEALTHCHECK: wget -q --spider http://localhost:3001/health || exit 1. Probe 14 ms median, 31 ms slowest (3 passing probes).'
    )
    expect(report.checks.map(c => c.name)).not.toContain('probe-time') // not judged without a budget
    judged(report, inputs({ maxProbeTime: 50 }))
    expect(report.checks.map(c => c.name)).toEqual(['build', 'health', 'probe-time', 'size', 'user', 'contents', 'stop'])
    expect(row(report.checks, 'probe-time')).toMatchObject({ status: 'pass', value: '31 ms', limit: '≤ 50 ms' })
    judged(report, inputs({ maxProbeTime: 20 }))
    expect(row(report.checks, 'probe-time')).toMatchObject({ status: 'fail', value: '31 ms' })
    expect(row(report.checks, 'probe-time').detail).toMatch(/^11 ms over max-probe-time \(the slowest of 3 passing probes, median 14 ms\)\. Keep the health endpoint cheap/)
    report.health.probeTimes = { passing: 1, medianMs: 9, slowestMs: 9 }
    judged(report, inputs({ maxProbeTime: 20 }))
    expect(row(report.checks, 'health').detail).toMatch(/\. Probe 9 ms \(1 passing probe\)\.$/)
    report.health = { verdict: 'unhealthy', source: 'image', command: 'exit 1' }
    judged(report, inputs({ maxProbeTime: 20 }))
    expect(row(report.checks, 'probe-time')).toMatchObject({ status: 'skip', value: 'no passing probe' })
  })

  it('fails a missing health check with the fix, or skips it when not required', () => {
    const report = measuredRun()
    report.health = { verdict: 'missing' }
    judged(report, inputs())
    expect(row(report.checks, 'health').status).toBe('fail')
    expect(row(report.checks, 'health').detail).toContain('Add a HEALTHCHECK instruction')
    expect(row(report.checks, 'health').detail).toContain('health-cmd')
    judged(report, inputs({ requireHealthcheck: false }))
    expect(row(report.checks, 'health').status).toBe('pass')
    expect(report.passed).toBe(true)
  })

  it('words a container without a health check for what was watched: how long, and the result', () => {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.health = { verdict: 'exited', exitCode: 1, oomKilled: false, ranSeconds: 0.4, logTail: ['fatal: QUEUE_URL is not set'] }
    judged(report, inputs())
    expect(row(report.checks, 'health')).toEqual({
      name: 'health',
      status: 'fail',
      value: 'exited (code 1) 0.4 s after start',
      limit: 'keeps running for 3 s',
      detail: 'No health check, so the container was watched for 3 s to see it keep running; it stopped 0.4 s after start. Its last log lines are below.'
    })

    report.health = { verdict: 'missing', waitedSeconds: 3, verdictSeconds: 3.1, logTail: ['error: poll failed: connect ECONNREFUSED 10.0.0.5:5672'] }
    judged(report, inputs({ requireHealthcheck: false }))
    const pass = row(report.checks, 'health')
    expect(pass).toMatchObject({ status: 'pass', value: 'kept running for 3.1 s (watched)', limit: 'keeps running for 3 s' })
    expect(pass.detail).toBe(
      'No HEALTHCHECK and no health-cmd (require-healthcheck: false): the container was watched for 3.1 s and kept running. The app could not reach `10.0.0.5:5672` (connection refused): is the service running? The container ran on Docker\'s default bridge, where service names do not resolve: set run-network (on GitHub, `${{ job.services.NAME.network }}`). Its last log lines are below.'
    )
    // no startup time without a health check, and the startup row says why
    judged(report, inputs({ requireHealthcheck: false, maxStartupTime: 5 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'skip', value: 'no health check' })
  })

  const NO_HC = 'The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given.'
  const ADD = ' Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input.'
  const NO_SH = ' It has no /bin/sh, so a health-cmd cannot run in it (Docker runs one with /bin/sh -c): add an exec-form HEALTHCHECK to the final stage of the Dockerfile, or set `require-healthcheck: false`.'
  const POINT = " (point /health at the app's health endpoint)."
  const PY = `python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health', timeout=3)"`
  it.each([
    ['python3 on the port it listens on', ['python3', '-c', "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health', timeout=3)"], true, [], [8000], `${ADD} Suggested, from what the image has (python3; it listens on 8000): \`health-cmd: ${PY}\`${POINT}`],
    ['wget on EXPOSE', ['wget', '-q', '--spider', 'http://127.0.0.1:8080/health'], true, ['8080/tcp'], [8080], `${ADD} Suggested, from what the image has (wget; EXPOSE 8080): \`health-cmd: wget -q --spider http://127.0.0.1:8080/health\`${POINT}`],
    [
      'curl, sockets unknown and no EXPOSE',
      ['curl', '-fsS', '-o', '/dev/null', 'http://127.0.0.1:PORT/health'],
      true,
      [],
      undefined,
      `${ADD} Suggested, from what the image has (curl; no EXPOSE, so put the app's port for PORT): \`health-cmd: curl -fsS -o /dev/null http://127.0.0.1:PORT/health\`${POINT} If it serves no port (a queue worker), set \`require-healthcheck: false\` instead.`
    ],
    [
      'node without /bin/sh',
      ['node', '-e', "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"],
      false,
      ['3000/tcp'],
      [3000],
      `${NO_SH} Suggested, from what the image has (node; EXPOSE 3000): \`HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]\`${POINT}`
    ],
    [
      "scratch: the app's own binary",
      ['/server', 'healthcheck'],
      false,
      [],
      [8080],
      `${NO_SH} Suggested, with the app's own binary (the image has no python, node, php, ruby, wget, curl or bash; it listens on 8080): \`HEALTHCHECK CMD ["/server", "healthcheck"]\`, a mode to add to the app that requests http://127.0.0.1:8080/health and exits 0 only when it answers.`
    ]
  ] as [string, string[], boolean, string[], number[] | undefined, string][])('no health check: suggests one from what the image has (%s), labelled and ready to paste', (_case, argv, shell, exposed, listening, text) => {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.image.exposedPorts = [...exposed]
    const tool = argv[0].startsWith('/') ? 'app' : (argv[0] as 'python3')
    report.health = { verdict: 'missing', verdictSeconds: 3.1, suggestedCmd: { tool, argv: [...argv], shell }, listeningPorts: listening, hasShell: shell }
    judged(report, inputs())
    const detail = row(report.checks, 'health').detail
    expect(detail).toBe(`${NO_HC}${text} Meanwhile the container kept running for 3.1 s (watched).`)
    expect(detail.length).toBeLessThan(600) // the summary cuts a detail there
  })

  it('no health check and no /bin/sh, with no program to suggest: the first advice still names exec form and require-healthcheck: false', () => {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.health = { verdict: 'missing', verdictSeconds: 3.1, listeningPorts: [8080], hasShell: false }
    judged(report, inputs())
    expect(row(report.checks, 'health').detail).toBe(`${NO_HC}${NO_SH} Meanwhile the container kept running for 3.1 s (watched).`)
  })

  it('a worker that listens on no port: require-healthcheck: false (and smoke-commands), no HTTP probe, even without a shell', () => {
    const report = measuredRun()
    report.image.healthcheck = undefined
    report.image.exposedPorts = []
    for (const shell of [true, false]) {
      report.health = {
        verdict: 'missing',
        verdictSeconds: 3.1,
        suggestedCmd: { tool: 'wget', argv: ['wget', '-q', '--spider', 'http://127.0.0.1:PORT/health'], shell },
        listeningPorts: [],
        hasShell: shell,
        logTail: ['polling queue jobs']
      }
      judged(report, inputs())
      const detail = row(report.checks, 'health').detail
      expect(detail).toBe(
        `${NO_HC} No process in the container listened on a TCP port (3.1 s after start), so there is nothing to probe, as for a queue worker: set \`require-healthcheck: false\` to have it watched to keep running instead (the image's other process types can run as \`smoke-commands\`). Meanwhile the container kept running for 3.1 s (watched). Its last log lines are below.`
      )
      expect(detail).not.toMatch(/http|wget|health-cmd:/)
    }
  })

  it('points an unhealthy probe at the port the app logs it listens on', () => {
    const report = measuredRun()
    report.image.exposedPorts = ['3000/tcp']
    const command = 'wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1'
    report.health = {
      verdict: 'unhealthy',
      source: 'image',
      command,
      probes: [{ exitCode: 1, output: "wget: can't connect to remote host (127.0.0.1): Connection refused" }],
      logTail: ['> app@1.0.0 start', '> node server.js', 'listening on :8080']
    }
    judged(report, inputs({ healthTimeout: 5 }))
    const detail = row(report.checks, 'health').detail
    expect(detail).toContain(
      'The app logs that it listens on port 8080, but the probe asks port 3000 and EXPOSE says 3000, so the probe finds nothing to answer it. Point the probe and EXPOSE at 8080, or make the app listen on 3000 (often its PORT environment variable). The container log is below.'
    )
    expect(detail).not.toContain('could not reach')
    // a probe that cannot run is about the program, not the port
    Object.assign(report.health, { rule: 'cannot-run', cannotRun: { program: 'wget', why: 'missing' } })
    judged(report, inputs({ healthTimeout: 5 }))
    expect(row(report.checks, 'health').detail).not.toContain('listens on port')
  })

  it('fails the build with the failed step and skips the rest', () => {
    const report = measuredRun()
    report.build = { ok: false, seconds: 2, failedStep: '[build 4/6] RUN npm run build', error: 'exit code: 1', logTail: ['x'] }
    report.image = {}
    report.health = { verdict: 'skipped' }
    report.user = {}
    report.stop = undefined
    judged(report, inputs())
    expect(report.checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'fail'],
      ['health', 'skip'],
      ['size', 'skip'],
      ['user', 'skip'],
      ['contents', 'skip'],
      ['stop', 'skip']
    ])
    expect(row(report.checks, 'build').detail).toBe('failed at [build 4/6] RUN npm run build: exit code: 1. The end of the build log is below.')
    expect(row(report.checks, 'size').detail).toBe('not run: the build failed')
  })

  it('judges startup time against max-startup-time as its own row, saying how often it was probed', () => {
    const fast = measuredRun()
    Object.assign(fast.health, { startIntervalSeconds: 0.1, notReadyAtSeconds: 1.2 })
    judged(fast, inputs({ maxStartupTime: 5 }))
    expect(fast.checks.map(c => c.name)).toEqual(['build', 'health', 'startup', 'size', 'user', 'contents', 'stop'])
    expect(row(fast.checks, 'startup')).toMatchObject({ status: 'pass', value: '1.4 s, probed every 0.1 s', limit: '≤ 5 s' })
    expect(row(fast.checks, 'startup').detail).toBe('Container start to the first passing health probe (probed every 0.1 s while starting).')
    const slow = measuredRun()
    Object.assign(slow.health, { startIntervalSeconds: 0.1, notReadyAtSeconds: 1.2 })
    judged(slow, inputs({ maxStartupTime: 1 }))
    expect(row(slow.checks, 'startup')).toMatchObject({ status: 'fail', value: '1.4 s, probed every 0.1 s' })
    expect(row(slow.checks, 'startup').detail).toBe(
      'Healthy 0.4 s later than max-startup-time: a probe still failed 1.2 s after start. Look for slow work before the server listens (migrations, cache warm-up) or raise the budget.'
    )
    expect(failureLine(reportOf(slow))).toBe('1 of 7 checks failed: startup (1.4 s, probed every 0.1 s)')
  })

  // issue 21: an app that answered at 0.21 s, first probed at 1 s, was failed against a 1 s budget
  it('never fails a budget by less than the probes can tell: a budget inside the window is not judged', () => {
    const report = measuredRun()
    // the first probe passed, 1.1 s after start: the app was ready somewhere in 0–1.1 s
    Object.assign(report.health, { intervalSeconds: 1, startupSeconds: 1.1, notReadyAtSeconds: undefined })
    judged(report, inputs({ maxStartupTime: 1 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'skip', value: '0–1.1 s', limit: '≤ 1 s' })
    expect(row(report.checks, 'startup').detail).toBe(
      'Not judged: the app was ready between 0 s and 1.1 s after start (probed every 1 s), and the budget falls inside that window, finer than the probes can tell.'
    )
    expect(report.passed).toBe(true)
    // probed every 0.1 s: not ready at 0.95 s, healthy at 1.05 s
    Object.assign(report.health, { intervalSeconds: 1, startIntervalSeconds: 0.1, startupSeconds: 1.05, notReadyAtSeconds: 0.95 })
    judged(report, inputs({ maxStartupTime: 1 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'skip', value: '0.95–1.05 s' })
    // a probe failed at the budget itself: late for sure
    report.health.notReadyAtSeconds = 1
    judged(report, inputs({ maxStartupTime: 1 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'fail', value: '1.05 s, probed every 0.1 s' })
    // the fast app of the issue: ready in a fraction of a second, within the budget
    Object.assign(report.health, { startupSeconds: 0.4, notReadyAtSeconds: 0.2 })
    judged(report, inputs({ maxStartupTime: 1 }))
    expect(row(report.checks, 'startup')).toMatchObject({ status: 'pass', value: '0.4 s, probed every 0.1 s' })
  })

  it('gives each smoke command its own row', () => {
    const report = measuredRun()
    report.smoke = [
      { command: 'node dist/worker.js', outcome: 'running', seconds: 5 },
      { command: 'node dist/migrate.js', outcome: 'exited', exitCode: 0, seconds: 1.2 },
      { command: 'node dist/cron.js', outcome: 'exited', exitCode: 1, seconds: 0.3, logTail: ['Error: no REDIS_URL'] }
    ]
    judged(report, inputs())
    expect(report.checks.filter(c => c.name === 'smoke').map(c => [c.status, c.value, c.detail])).toEqual([
      ['pass', 'running after 5 s', 'command: node dist/worker.js'],
      ['pass', 'exited 0 after 1.2 s', 'command: node dist/migrate.js'],
      ['fail', 'exited (code 1) after 0.3 s', 'command: node dist/cron.js. Its last log lines are below.']
    ])
    expect(report.passed).toBe(false)
  })

  it('fails when another process runs as root, even with a non-root PID 1', () => {
    const report = measuredRun()
    report.image.user = ''
    report.user = {
      resolvedUid: 0,
      resolvedGid: 0,
      uid: 10001,
      gid: 10001,
      pid: 11,
      process: 'httpd',
      processes: [
        { pid: 11, uid: 10001, gid: 10001, command: 'httpd' },
        { pid: 12, uid: 0, gid: 0, command: 'sleep' }
      ]
    }
    judged(report, inputs())
    expect(row(report.checks, 'user')).toMatchObject({ status: 'fail', value: 'UID 10001, GID 10001' })
    expect(row(report.checks, 'user').detail).toBe(
      'no USER: root by default; PID 1 (httpd) runs as UID 10001. Also running as UID 0: sleep. Start every process as the unprivileged user, or drop the root helper.'
    )
  })

  it('names a USER whose account is UID 0 in the image', () => {
    const report = measuredRun()
    report.image.user = 'app'
    report.user = { resolvedUid: 0, resolvedGid: 0, uid: 0, gid: 0, pid: 5, process: 'node', processes: [{ pid: 5, uid: 0, gid: 0, command: 'node' }] }
    judged(report, inputs())
    expect(row(report.checks, 'user').detail).toBe(
      "USER app (UID 0 in the image); PID 1 (node) runs as UID 0. USER app is UID 0 in the image's /etc/passwd: give that account its own UID (e.g. 10001), or use a numeric USER."
    )
  })

  it('judges the resolved USER when the container died before it could be looked at', () => {
    const report = measuredRun()
    report.health = { verdict: 'exited', exitCode: 1 }
    report.image.user = 'app'
    report.user = { resolvedUid: 10001, resolvedGid: 10001, unknownReason: 'the container was not running, so its processes could not be read' }
    judged(report, inputs())
    expect(row(report.checks, 'user')).toMatchObject({ status: 'pass', value: 'UID 10001 (from USER)' })
    report.image.user = ''
    report.user = { resolvedUid: 0, resolvedGid: 0, unknownReason: 'the container was not running' }
    judged(report, inputs())
    expect(row(report.checks, 'user')).toMatchObject({ status: 'fail', value: 'UID 0 (no USER: root by default)' })
  })
})
