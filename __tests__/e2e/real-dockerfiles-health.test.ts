import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fixture, httpd, removeImages, row, runAction, takeLeftovers } from './action.js'

// The health row on Dockerfiles shaped like the ones people write (issue 15): a worker without a
// HEALTHCHECK, one that dies at start, an app whose probe asks another port than it listens on, and
// an image without a HEALTHCHECK that gets one suggested from what it has.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/real-health'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A Node app on the offline node:18-alpine stand-in: server.js and a Dockerfile, as a project has them. */
function nodeApp(dockerfile: string[], server: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-node-'))
  writeFileSync(path.join(dir, 'server.js'), server)
  writeFileSync(path.join(dir, 'Dockerfile'), ['FROM node:18-alpine', 'WORKDIR /app', 'COPY server.js .', 'USER node', ...dockerfile, 'CMD ["node", "server.js"]', ''].join('\n'))
  return dir
}

describe('without a HEALTHCHECK', () => {
  it('a worker that logs a polling error every second and keeps running: passes, says how long it was watched, shows its log collapsed', async () => {
    const worker = `CMD ["sh", "-c", "trap 'exit 0' TERM; while true; do echo 'error: poll failed: connect ECONNREFUSED 10.0.0.5:5672' >&2; sleep 1; done & wait"]`
    const run = await runAction({ context: fixture([...NON_ROOT, worker]), tags: `${TAG}:worker`, 'require-healthcheck': 'false' })
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'missing' })
    const h = run.report.runs[0].health
    expect(h.verdictSeconds).toBeGreaterThanOrEqual(3)
    expect(h.logTail).toContain('error: poll failed: connect ECONNREFUSED 10.0.0.5:5672')
    const health = row(run.summary, 'health')
    expect(health).toContain(`| ✅ | health | kept running for ${h.verdictSeconds} s (watched) | keeps running for 3 s | No HEALTHCHECK and no health-cmd`)
    expect(health).toContain('The app could not reach `10.0.0.5:5672` (connection refused)')
    expect(run.summary).toMatch(/<details><summary>Container log \(last \d+ lines\)<\/summary>\n\n```text\nerror: poll failed/)
    // and in the action log, folded
    expect(run.stdout).toMatch(/::group::Container log \(last \d+ lines\)/)
  })

  it('a container that exits at start: how long it ran against how long it had to keep running', async () => {
    const dies = `CMD ["sh", "-c", "echo 'fatal: QUEUE_URL is not set' >&2; exit 1"]`
    const run = await runAction({ context: fixture([...NON_ROOT, dies]), tags: `${TAG}:dies`, 'require-healthcheck': 'false' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'exited' })
    const h = run.report.runs[0].health
    expect(h.ranSeconds).toBeLessThan(3)
    expect(row(run.summary, 'health')).toContain(
      `| ❌ | health | exited (code 1) ${h.ranSeconds} s after start | keeps running for 3 s | No health check, so the container was watched for 3 s to see it keep running; it stopped ${h.ranSeconds} s after start. Its last log lines are below.`
    )
    expect(run.summary).toContain('fatal: QUEUE_URL is not set')
  })

  it('gets a health-cmd built from its EXPOSEd port and the busybox wget it has, and that line works as it is', async () => {
    const context = fixture([...NON_ROOT, 'EXPOSE 8080', httpd()])
    const run = await runAction({ context, tags: `${TAG}:suggest` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'missing' })
    expect(run.report.runs[0].health.suggestedCmd).toEqual({ tool: 'wget', argv: ['wget', '-q', '--spider', 'http://127.0.0.1:8080/health'], shell: true, kind: 'http', path: '/health' })
    const line = 'health-cmd: wget -q --spider http://127.0.0.1:8080/health'
    expect(row(run.summary, 'health')).toContain(`Suggested, from what the image has (wget; EXPOSE 8080): \`${line}\` (point /health at the app&#39;s health endpoint).`)
    expect(run.stdout).toContain(line)

    // pasted into the workflow, it makes the same image healthy
    const pasted = await runAction({ context, tags: `${TAG}:suggest`, 'health-cmd': line.replace('health-cmd: ', '') })
    expect(pasted.outputs).toMatchObject({ passed: 'true', health: 'healthy' })
  })
})

describe('the probe and the app disagree on the port', () => {
  it('the app logs it listens on 8080 while EXPOSE and the HEALTHCHECK say 3000: unhealthy, and the detail points at the mismatch', async () => {
    const server = [
      "const http = require('http')",
      'const port = Number(process.env.PORT || 3000)',
      "http.createServer((req, res) => res.end('ok')).listen(port, () => console.log(`Server listening on http://0.0.0.0:${port}`))",
      "process.on('SIGTERM', () => process.exit(0))",
      ''
    ].join('\n')
    const context = nodeApp(['ENV PORT=8080', 'EXPOSE 3000', 'HEALTHCHECK --interval=1s --retries=2 CMD wget -q -O /dev/null http://127.0.0.1:3000/health || exit 1'], server)
    const run = await runAction({ context, tags: `${TAG}:wrong-port` })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'unhealthy' })
    expect(run.report.runs[0].health.logTail).toContain('Server listening on http://0.0.0.0:8080')
    const health = row(run.summary, 'health')
    // the kernel's sockets say it (the log says the same): and a probe of the port it does listen on
    expect(health).toContain(
      'Nothing listens on port 3000 in the container (EXPOSE says 3000 too): it listens on 8080. Point the probe and EXPOSE at 8080, or make the app listen on 3000 (often its PORT environment variable). ' +
        `Suggested instead, from what the image has (node; it listens on 8080, not on EXPOSE 3000): \`HEALTHCHECK CMD node -e "fetch('http://127.0.0.1:8080/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"\` (GET /health answered 200 there).`
    )
    // the probe's refused connection is the app's own port, not a dependency
    expect(health).not.toContain('could not reach')
  })
})
