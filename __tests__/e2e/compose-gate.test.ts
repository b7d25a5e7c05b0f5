import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { docker, fixture, removeImages, row, runAction, runPost, startAction, takeLeftovers } from './action.js'

// compose-file + compose-service through the bundle, as the runner runs it, on the real `docker
// compose` plugin: a backend whose compose file has a database (busybox httpd on 5432 standing for
// Postgres, built here, never pulled), a one-shot migration that must exit 0 first, and a cache
// compose builds itself (`build:`). The image image-gate built runs in the service's place: on its
// network, by its name, with its environment and healthcheck. Nothing may be left afterwards.

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/compose-gate'
const DB = `${TAG}-db:latest`

beforeAll(() => {
  docker(['buildx', 'build', '--load', '--quiet', '--tag', DB, fixture([])])
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** Everything on the engine of an image-gate compose project (containers, networks, volumes, the images it built): must be nothing once a run is done. */
function left(): string[] {
  const filter = ['--filter', 'label=com.docker.compose.project']
  const names = [
    ...docker(['ps', '--all', '--format', '{{.Names}}', ...filter]).split('\n'),
    ...docker(['network', 'ls', '--format', '{{.Name}}', ...filter]).split('\n'),
    ...docker(['volume', 'ls', '--format', '{{.Name}}', ...filter]).split('\n'),
    ...docker(['image', 'ls', '--format', '{{.Repository}}']).split('\n')
  ]
  return names.filter(name => /^image-gate-[0-9a-f]{12}/.test(name))
}

/** The backend's context with its compose.yaml; `migrate` is the migration's shell line. */
function backend({ migrate = 'wget -q -O- http://db:5432/health && echo migrated', dbHealth = 'wget -q -O /dev/null http://127.0.0.1:5432/health', dbStartPeriod = '0s' } = {}): string {
  // the app: busybox httpd on 8080, which is healthy only when it reaches db and cache by name and has its environment
  const dir = fixture([`RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd`, 'USER 10001', `CMD ["sh", "-c", "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"]`])
  mkdirSync(path.join(dir, 'cache'))
  copyFileSync('/bin/busybox', path.join(dir, 'cache', 'busybox'))
  writeFileSync(path.join(dir, 'cache', 'ok'), 'ok\n')
  writeFileSync(path.join(dir, 'cache', 'Dockerfile'), 'FROM scratch\nCOPY busybox /bin/busybox\nCOPY ok /www/ok\nCMD ["/bin/busybox", "httpd", "-f", "-p", "6379", "-h", "/www"]\n')
  writeFileSync(path.join(dir, 'app.env'), 'QUEUE=jobs\n')
  // $$: compose's own escape, so the shell in the container reads the variables
  const health = 'wget -q -O /dev/null http://db:5432/health && wget -q -O /dev/null http://cache:6379/ok || exit 1; test "$$DATABASE_URL" = postgres://db:5432/app && test "$$QUEUE" = jobs'
  writeFileSync(
    path.join(dir, 'compose.yaml'),
    `services:
  db:
    image: ${DB}
    pull_policy: never
    command: ["sh", "-c", "echo 'db: listening on 5432'; exec httpd -f -p 5432 -h /www"]
    stop_signal: SIGKILL
    volumes: [dbdata:/data]
    healthcheck:
      test: ["CMD-SHELL", ${JSON.stringify(dbHealth)}]
      interval: 1s
      timeout: 2s
      retries: 2
      start_period: ${dbStartPeriod}
  migrate:
    image: ${DB}
    pull_policy: never
    command: ["sh", "-c", ${JSON.stringify(migrate)}]
    depends_on:
      db:
        condition: service_healthy
  cache:
    build: ./cache
    stop_signal: SIGKILL
  app:
    build: .
    environment:
      DATABASE_URL: postgres://db:5432/app
    env_file: app.env
    stop_grace_period: 4s
    healthcheck:
      test: ["CMD-SHELL", ${JSON.stringify(health)}]
      interval: 5s
    depends_on:
      db:
        condition: service_healthy
      migrate:
        condition: service_completed_successfully
      cache:
        condition: service_started
volumes:
  dbdata: {}
`
  )
  return dir
}

describe('compose-file', () => {
  it('starts the database, waits for the migration to exit 0 and the cache compose built, then gates the image in the service’s place', async () => {
    const dir = backend()
    const run = await runAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'app', tags: `${TAG}:app` })
    expect(run.report.compose).toMatchObject({ service: 'app', outcome: 'ready' })
    expect(run.report.compose.dependencies.map((d: { service: string; condition: string }) => [d.service, d.condition]).sort()).toEqual([
      ['cache', 'service_started'],
      ['db', 'service_healthy'],
      ['migrate', 'service_completed_successfully']
    ])
    // its health check reached db and cache by name and saw the service's environment (env_file too)
    expect(run.outputs.health).toBe('healthy')
    expect(row(run.summary, 'health')).toContain('health-cmd: wget -q -O /dev/null http://db:5432/health')
    expect(run.summary).toContain('(compose-file, service `app`): ')
    expect(run.summary).toMatch(/\| stop-timeout \| `4` \| `services\.app\.stop_grace_period` \|/)
    expect(row(run.summary, 'stop')).toContain('4 s')
    expect({ code: run.code, passed: run.outputs.passed }).toEqual({ code: 0, passed: 'true' })
    expect(left()).toEqual([])
  })

  it('fails with the migration’s name, its exit code and its log when it exits 1, and runs nothing in the service’s place', async () => {
    const dir = backend({ migrate: 'echo "migrate: relation users already exists" >&2; exit 1' })
    const run = await runAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'app', tags: `${TAG}:app` })
    expect(run.code).toBe(1)
    expect(run.report.error).toMatchObject({ kind: 'dependency' })
    expect(run.report.error.message).toContain('dependency `migrate` (service_completed_successfully, needed by the gated service) exited with code 1')
    expect(run.summary).toContain('## ❌ image-gate: a dependency failed')
    expect(run.summary).toContain('migrate: relation users already exists')
    expect(run.report.runs).toEqual([])
    expect(left()).toEqual([])
  })

  it('fails with the database’s name and its own health output when it goes unhealthy', async () => {
    const dir = backend({ dbHealth: 'echo "db: not accepting connections"; exit 1' })
    const run = await runAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'app', tags: `${TAG}:app` })
    expect(run.code).toBe(1)
    expect(run.report.error.message).toContain('dependency `db` (service_healthy')
    expect(run.summary).toContain('db: not accepting connections')
    expect(left()).toEqual([])
  })

  it('refuses an unknown service in one line, naming the file', async () => {
    const dir = backend()
    const run = await runAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'api', tags: `${TAG}:app` })
    expect(run.code).toBe(1)
    expect(run.report.error.kind).toBe('input')
    expect(run.report.error.message).toMatch(/compose\.yaml.*api/)
    expect(left()).toEqual([])
  })

  it('removes everything on a timeout while it waits for a dependency', async () => {
    // failures inside the start period do not count: the database stays "starting"
    const dir = backend({ dbHealth: 'exit 1', dbStartPeriod: '300s' })
    const run = await runAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'app', tags: `${TAG}:app`, timeout: '8' })
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("::error::image-gate: timed out after 8 s (the timeout input) while starting the compose file's dependencies")
    expect(left()).toEqual([])
  })

  it('a crashed main step (SIGKILL) leaves the dependencies; the post step removes their containers, networks, volumes and the image compose built', async () => {
    const dir = backend({ dbHealth: 'exit 1', dbStartPeriod: '300s' })
    const action = startAction({ context: dir, 'compose-file': path.join(dir, 'compose.yaml'), 'compose-service': 'app', tags: `${TAG}:app` })
    for (let i = 0; i < 240 && !docker(['ps', '--quiet', '--filter', 'label=com.docker.compose.service=db']).trim(); i++) await new Promise(r => setTimeout(r, 250))
    action.child.kill('SIGKILL')
    const run = await action.done
    expect(left().length).toBeGreaterThan(0) // nothing could clean up
    const post = await runPost(run.state)
    expect(post.code).toBe(0)
    expect(left()).toEqual([])
  })
})
