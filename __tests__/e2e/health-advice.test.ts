import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fixture, httpd, removeImages, row, runAction, takeLeftovers } from './action.js'

// The health row's advice built from what the image really has (issue 21): a Python image without
// wget or curl gets a python probe, an image without /bin/sh is told at once that health-cmd cannot
// run there, and a worker that listens on no port is not told to probe HTTP. The exact row a user
// sees in the job summary.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/health-advice'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

const NO_HC = 'The image has no HEALTHCHECK (or HEALTHCHECK NONE) and no health-cmd was given.'
const PY_PROBE = `python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:8000/health', timeout=3)"`

/** A Python web app on the offline python:3.11-slim stand-in (python3, no wget, no curl): serves /health on 8000. */
function pythonApp(lines: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-python-'))
  mkdirSync(path.join(dir, 'www'))
  writeFileSync(path.join(dir, 'www', 'health'), 'ok\n')
  const dockerfile = ['FROM python:3.11-slim', 'COPY www /srv', 'USER 10001', 'EXPOSE 8000', ...lines, 'CMD ["python3", "-m", "http.server", "8000", "--directory", "/srv"]', '']
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile.join('\n'))
  return dir
}

describe('a Python image with neither wget nor curl', () => {
  it('without a HEALTHCHECK: a python probe is suggested, labelled, and pasted as health-cmd it makes the image healthy', async () => {
    const context = pythonApp([])
    const run = await runAction({ context, tags: `${TAG}:python` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ suggestedCmd: { tool: 'python3', shell: true }, listeningPorts: [8000], hasShell: true })
    const h = run.report.runs[0].health
    expect(row(run.summary, 'health')).toContain(
      `| ❌ | health | no health check | a HEALTHCHECK | ${NO_HC} Add a HEALTHCHECK instruction to the final stage of the Dockerfile, or set the health-cmd input. ` +
        `Suggested, from what the image has (python3; EXPOSE 8000): \`health-cmd: ${PY_PROBE}\` (GET /health answered 200 there). ` +
        `Meanwhile the container kept running for ${h.verdictSeconds} s (watched).`
    )
    expect(row(run.summary, 'health')).not.toMatch(/wget|curl/)

    const pasted = await runAction({ context, tags: `${TAG}:python`, 'health-cmd': PY_PROBE })
    expect(pasted.outputs).toMatchObject({ health: 'healthy' })
  })

  it('with a HEALTHCHECK calling curl: python is suggested instead, after the command that failed, and no tool it lacks is named', async () => {
    const healthcheck = 'HEALTHCHECK --interval=30s CMD curl -f http://localhost:8000/health || exit 1'
    const run = await runAction({ context: pythonApp([healthcheck]), tags: `${TAG}:python-curl` })
    expect(run.outputs.health).toBe('unhealthy')
    expect(run.report.runs[0].health).toMatchObject({ rule: 'cannot-run', cannotRun: { program: 'curl', why: 'missing' } })
    const health = row(run.summary, 'health')
    expect(health).toContain(
      '| ❌ | health | unhealthy | healthy within 120 s | The probe could not run: `curl` is not in the image (or not on its PATH) (HEALTHCHECK: curl -f http://localhost:8000/health &#124;&#124; exit 1). Last probe exited '
    )
    expect(health).toContain(
      `Suggested instead, from what the image has (python3; EXPOSE 8000): \`HEALTHCHECK CMD ${PY_PROBE}\` (GET /health answered 200 there). Or: install curl in the final stage.`
    )
    expect(health).not.toMatch(/wget|busybox|alpine/)
  })
})

describe('an image without /bin/sh', () => {
  it("the first advice says health-cmd cannot run there: exec form or require-healthcheck: false, with the app's own binary", async () => {
    // FROM scratch with one static binary, as a Go service is built: busybox as /httpd (it runs the
    // applet its name says), no shell, no other programs
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-shell-less-'))
    copyFileSync('/bin/busybox', path.join(dir, 'busybox'))
    mkdirSync(path.join(dir, 'www'))
    writeFileSync(path.join(dir, 'www', 'health'), 'ok\n')
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      ['FROM scratch', 'COPY busybox /httpd', 'COPY www /www', 'USER 65532', 'ENTRYPOINT ["/httpd", "-f", "-p", "8080", "-h", "/www"]', ''].join('\n')
    )
    const run = await runAction({ context: dir, tags: `${TAG}:shell-less`, 'stop-timeout': '2' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health).toMatchObject({ suggestedCmd: { tool: 'app', argv: ['/httpd', 'healthcheck'], shell: false }, listeningPorts: [8080], hasShell: false })
    expect(row(run.summary, 'health')).toContain(
      `| ❌ | health | no health check | a HEALTHCHECK | ${NO_HC} It has no /bin/sh, so a health-cmd cannot run in it (Docker runs one with /bin/sh -c): ` +
        'add an exec-form HEALTHCHECK to the final stage of the Dockerfile, or set `require-healthcheck: false`. ' +
        "Suggested, with the app&#39;s own binary (the image has no python, node, php, ruby, wget, curl or bash; it listens on 8080): " +
        '`HEALTHCHECK CMD ["/httpd", "healthcheck"]`, a mode to add to the app that requests http://127.0.0.1:8080/health and exits 0 only when it answers.'
    )
  })
})

describe('a worker that listens on no port', () => {
  it('is told require-healthcheck: false (and smoke-commands), not an HTTP probe', async () => {
    const worker = `CMD ["sh", "-c", "trap 'exit 0' TERM; while true; do echo 'polling the queue'; sleep 1; done & wait"]`
    const run = await runAction({ context: fixture(['USER 10001', worker]), tags: `${TAG}:worker` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    const h = run.report.runs[0].health
    expect(h.listeningPorts).toEqual([])
    // looked at again until 8 s after start, so a slow server is not taken for a worker
    expect(h.listeningSeconds).toBeGreaterThanOrEqual(8)
    const health = row(run.summary, 'health')
    expect(health).toContain(
      `| ❌ | health | no health check | a HEALTHCHECK | ${NO_HC} No process in the container listened on a TCP port (${h.listeningSeconds} s after start), so there is nothing to probe, as for a queue worker: ` +
        'set `require-healthcheck: false` to have it watched to keep running instead (the image&#39;s other process types can run as `smoke-commands`). ' +
        `Meanwhile the container kept running for ${h.verdictSeconds} s (watched). Its last log lines are below. |`
    )
    expect(health).not.toMatch(/http|wget|health-cmd:/)
  })
  it('a server without EXPOSE that starts listening after 5 s is not taken for a worker: it gets a probe on the port it listens on', async () => {
    const run = await runAction({ context: fixture(['USER 10001', httpd(5)]), tags: `${TAG}:slow-server` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health.listeningPorts).toEqual([8080])
    expect(row(run.summary, 'health')).toContain(
      'Suggested, from what the image has (wget; it listens on 8080): `health-cmd: wget -q --spider http://127.0.0.1:8080/health` (point /health at the app&#39;s health endpoint).'
    )
  })
})
