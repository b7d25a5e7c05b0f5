import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { checkRow, docker, fixture, httpd, removeImages, row, runAction, takeLeftovers, type ActionRun } from './action.js'

// A backend that is healthy only when it reaches its database. The "database" is a real server in
// a container of its own, on a network this test creates, reachable there as `postgres` (the name
// GitHub gives a `services: postgres:` container): busybox httpd on port 5432, since nothing can be
// pulled here (no PostgreSQL image) and what is judged is whether the app reaches it, not SQL.
// The app's HEALTHCHECK checks itself and the database, as a real /health does.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/network'
const NETWORK = `image-gate-e2e-net-${process.pid}`
const SERVICE = `image-gate-e2e-postgres-${process.pid}`
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
const CHECKS_DB = 'HEALTHCHECK --interval=30s CMD wget -q -O /dev/null http://127.0.0.1:8080/health && wget -q -O /dev/null http://postgres:5432/health || exit 1'
let app: string
/** A check's detail as the report holds it (the summary escapes it for Markdown). */
const detail = (run: ActionRun, name: string): string => checkRow(run, name).detail

beforeAll(() => {
  docker(['network', 'create', NETWORK])
  const db = fixture([])
  docker(['buildx', 'build', '--load', '--quiet', '--tag', `${TAG}:postgres`, db])
  docker(['run', '--detach', '--name', SERVICE, '--network', NETWORK, '--network-alias', 'postgres', `${TAG}:postgres`, 'httpd', '-f', '-p', '5432', '-h', '/www'])
  app = fixture([...NON_ROOT, CHECKS_DB, httpd()])
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
// the service and the network go even when a test failed (or beforeAll did half-way)
afterAll(() => {
  for (const args of [['rm', '--force', SERVICE], ['network', 'rm', NETWORK]]) {
    try {
      execFileSync('docker', args, { stdio: 'ignore' })
    } catch {
      // not created
    }
  }
  removeImages(TAG)
})

describe('a backend that needs its database', () => {
  it('is healthy on run-network, and a smoke command (a worker) reaches the database there too', async () => {
    const run = await runAction({
      context: app,
      tags: `${TAG}:app`,
      'run-network': NETWORK,
      'smoke-commands': 'wget -q -O /dev/null http://postgres:5432/health',
      'smoke-seconds': '3'
    })
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy' })
    expect(Number(run.outputs['startup-seconds'])).toBeLessThan(10)
    expect(row(run.summary, 'smoke')).toMatch(/^\| ✅ \| smoke \| exited 0 after [\d.]+ s \|/)
  })

  it("fails without it, and the health row names the database it could not resolve and what to set", async () => {
    const run = await runAction({ context: app, tags: `${TAG}:app`, 'health-timeout': '2' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'unhealthy' })
    const health = detail(run, 'health')
    expect(health).toContain("Last probe exited 1: wget: bad address 'postgres:5432'")
    expect(health).toMatch(/The app could not resolve `postgres:5432`: the container ran on Docker's default bridge[^.]*; set run-network/)
    expect(run.seconds).toBeLessThan(60)
  })

  it('names a dependency that refuses the connection when the app exits at start', async () => {
    // the app checks its database before it serves, and exits when it cannot connect
    const context = fixture([...NON_ROOT, CHECKS_DB, `CMD ["sh", "-c", "wget -q -O /dev/null http://postgres:5433/ || exit 3; httpd -f -p 8080 -h /www"]`])
    const run = await runAction({ context, tags: `${TAG}:refused`, 'run-network': NETWORK })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'exited' })
    expect(row(run.summary, 'health')).toContain('exited (code 3)')
    expect(detail(run, 'health')).toMatch(/could not reach `[\d.]+(:5433)?` \(connection refused\): is the service running, on `image-gate-e2e-net-\d+` \(run-network\)/)
  })

  it('reaches the database through run-add-hosts on the default bridge', async () => {
    // the service also joins the default bridge; the app finds it there by a host entry
    docker(['network', 'connect', 'bridge', SERVICE])
    const ip = docker(['inspect', '--format', '{{.NetworkSettings.Networks.bridge.IPAddress}}', SERVICE])
    const run = await runAction({ context: app, tags: `${TAG}:app`, 'run-add-hosts': `postgres:${ip}` })
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy' })
  })

  it("says Docker's refusal to join a stopped container's network as an input error, not as the app exiting", async () => {
    const stopped = `${SERVICE}-stopped`
    docker(['run', '--name', stopped, `${TAG}:postgres`, 'true'])
    try {
      const run = await runAction({ context: app, tags: `${TAG}:app`, 'run-network': `container:${stopped}` })
      expect(run.code).toBe(1)
      const errors = run.stdout.split('\n').filter(line => line.startsWith('::error::'))
      expect(errors).toHaveLength(1)
      // Docker's own words, which differ by version ("network namespace of", "network of" on 20.10)
      expect(errors[0]).toMatch(
        new RegExp(
          `^::error::Input "run-network": Docker refused to start the container on "container:${stopped}" \\(Error response from daemon: cannot join network (namespace )?of a non running container: [^)]*\\)\\. ` +
            'That container must be running for the whole run: start it before image-gate, or name one that is\\.$'
        )
      )
      expect(run.report.error.kind).toBe('input')
      expect(run.report.runs[0].health.verdict).not.toBe('exited')
      expect(run.summary).not.toContain('exited (code 125)')
    } finally {
      docker(['rm', '--force', stopped])
    }
  })

  it('with run-network: host, a refused localhost is the host, not the container itself', async () => {
    // the app's database on localhost refuses it, as Node.js says (nothing listens on the host's 5432)
    const context = fixture([...NON_ROOT, `CMD ["sh", "-c", "echo 'Error: connect ECONNREFUSED 127.0.0.1:5432' >&2; exit 3"]`])
    const run = await runAction({ context, tags: `${TAG}:host`, 'run-network': 'host' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'exited' })
    const health = detail(run, 'health')
    expect(health).toContain('The app could not reach `127.0.0.1:5432` (connection refused): with run-network: host the container shares the network of the host, so localhost is that host')
    expect(health).not.toContain('localhost is the container itself')
  })

  it('says in one line, before anything is built, that run-network names no network', async () => {
    const run = await runAction({ context: app, tags: `${TAG}:never-built`, 'run-network': 'no-such-network' })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(line => line.startsWith('::error::'))
    expect(errors).toEqual([expect.stringMatching(/^::error::Input "run-network": there is no network "no-such-network" on this engine \(it has: [^)]*bridge[^)]*\)\. On GitHub, use/)])
    expect(run.report.runs).toEqual([])
    expect(run.stdout + run.stderr).not.toContain('buildx')
    expect(() => docker(['image', 'inspect', `${TAG}:never-built`])).toThrow()
  })
})
