import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { activeCommands, docker, fixture, removeImages, row, runAction, SERVE, takeLeftovers } from './action.js'
import { unpackedSize } from './store.js'

// One real image per verdict, built with buildx and run on the real engine by dist/index.js.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/verdicts'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd && echo 'app:x:10001:' > /etc/group", 'USER app']

describe('image-gate end to end', () => {
  it('passes a healthy non-root image, and knows within seconds despite a 30 s interval', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:healthy`, 'max-size': '5MB' })
    expect(run.code).toBe(0)
    const [inspect] = JSON.parse(docker(['image', 'inspect', `${TAG}:healthy`]))
    // the layers' unpacked bytes (store.ts counts them from docker save on its own)
    const size = unpackedSize(`${TAG}:healthy`)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', user: 'app', uid: '10001', imageid: inspect.Id, size: String(size) })
    const startup = Number(run.outputs['startup-seconds'])
    expect(startup).toBeGreaterThan(0)
    expect(startup).toBeLessThan(10) // the image's own interval would take 30 s
    expect(run.summary).toContain('## ✅ image-gate: passed')
    expect(row(run.summary, 'health')).toMatch(/^\| ✅ \| health \| healthy after [\d.]+ s \| healthy within 120 s \| HEALTHCHECK: wget/)
    expect(row(run.summary, 'size')).toMatch(new RegExp(`\\(${size.toLocaleString('en-US')} bytes\\), compressed [\\d.]+ [kM]B \\| ≤ 5MB`))
    expect(row(run.summary, 'user')).toContain('| ✅ | user | UID 10001, GID 10001 | non-root | USER app (UID 10001 in the image); PID 1 (sh) runs as UID 10001.')
    expect(run.summary).toContain(`image \`${TAG}:healthy\``)
  })

  it('fails an image that runs as root on the user check only', async () => {
    const run = await runAction({ context: fixture(SERVE), tags: `${TAG}:root` })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'healthy', user: '', uid: '0' })
    expect(run.report.runs[0].checks.map(c => [c.name, c.status])).toEqual([
      ['build', 'pass'],
      ['health', 'pass'],
      ['size', 'skip'],
      ['user', 'fail'],
      ['contents', 'pass'],
      ['stop', 'pass']
    ])
    expect(row(run.summary, 'user')).toContain('| ❌ | user | UID 0, GID 0 | non-root | no USER: root by default; PID 1 (sh) runs as UID 0.')
    expect(run.stdout).toContain('::error::image-gate: 1 of 6 checks failed: user (UID 0, GID 0)')
  })

  it('judges the UID the process runs as, not the USER string', async () => {
    // USER names an account whose UID is 0: the string looks harmless, the process is root.
    const run = await runAction({
      context: fixture(["RUN echo 'deploy:x:0:0::/:/bin/sh' > /etc/passwd", 'USER deploy', ...SERVE]),
      tags: `${TAG}:alias-root`
    })
    expect(run.outputs).toMatchObject({ passed: 'false', user: 'deploy', uid: '0' })
    expect(row(run.summary, 'user')).toContain('USER deploy (UID 0 in the image); PID 1 (sh) runs as UID 0.')
  })

  it('fails on health when the HEALTHCHECK always fails, with Docker\'s verdict and the probe output', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK --interval=30s CMD echo "db connection refused" && exit 1', SERVE[1]]),
      tags: `${TAG}:unhealthy`,
      'health-timeout': '3'
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'unhealthy', uid: '10001' })
    expect(row(run.summary, 'health')).toContain('| ❌ | health | unhealthy | healthy within 3 s | Docker marked the container unhealthy')
    expect(run.summary).toContain('Last probe exited 1: db connection refused.')
    // 3 s start period, then 3 failed probes 1 s apart; not 3 × 30 s
    expect(run.report.runs[0].health.waitedSeconds).toBeLessThan(15)
  })

  it('reports a container that exits at start as exited within seconds, with exit code and logs', async () => {
    const run = await runAction({
      context: fixture([...NON_ROOT, 'HEALTHCHECK CMD true', 'CMD ["sh", "-c", "echo \\"config missing: DATABASE_URL\\" >&2; exit 3"]']),
      tags: `${TAG}:exits`
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'exited' })
    expect(run.report.runs[0].health.exitCode).toBe(3)
    expect(run.report.runs[0].health.waitedSeconds).toBeLessThan(5)
    expect(row(run.summary, 'health')).toContain('| ❌ | health | exited (code 3) |')
    expect(run.summary).toContain('<details><summary>Container log (last 1 line)</summary>')
    expect(run.summary).toContain('config missing: DATABASE_URL')
    // it died before it could be looked at: judged from USER, resolved in the image's /etc/passwd
    expect(row(run.summary, 'user')).toContain('| ✅ | user | UID 10001 (from USER) | non-root | USER app (UID 10001 in the image). Runtime user not read')
  })

  it('fails on size when the image is over max-size', async () => {
    const run = await runAction({ context: fixture([...NON_ROOT, ...SERVE]), tags: `${TAG}:fat`, 'max-size': '1MB' })
    expect(run.code).toBe(1)
    expect(Number(run.outputs.size)).toBeGreaterThan(1_000_000)
    expect(run.report.runs[0].checks.filter(c => c.status === 'fail').map(c => c.name)).toEqual(['size'])
    expect(row(run.summary, 'size')).toMatch(/^\| ❌ \| size \| [\d.]+ MB \([\d,]+ bytes\), compressed [\d.]+ [kM]B \| ≤ 1MB \| [\d.]+ kB over the budget/)
  })

  it('fails a Dockerfile that does not build, and still writes the summary with the failed step', async () => {
    const run = await runAction({
      context: fixture(['RUN echo "compiling..." && echo "::error::forged by the build" && exit 3', ...SERVE]),
      tags: `${TAG}:broken`
    })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'skipped', imageid: '' })
    expect(row(run.summary, 'build')).toMatch(/^\| ❌ \| build \| failed \| +\| failed at &#91;\d\/\d&#93; RUN echo/)
    expect(run.summary).toContain('<details><summary>Build log')
    expect(run.summary).toContain('compiling...')
    expect(row(run.summary, 'health')).toContain('not run: the build failed')
    // the build's own "::error::" line reached the log only while workflow commands were stopped
    expect(run.stdout).toContain('::error::forged by the build')
    expect(activeCommands(run.stdout).filter(l => l.startsWith('::error::'))).toEqual([
      expect.stringMatching(/^::error::image-gate: 1 of 6 checks failed: build \(failed\)$/)
    ])
  })

  it('passes env and command to the container, without a shell', async () => {
    const context = fixture(NON_ROOT)
    const command = `sh -c 'test "$MODE" = worker && exec sleep 600'`
    // sleep as PID 1 ignores SIGTERM: its stop is reported, not judged, here
    const ok = await runAction({ context, tags: `${TAG}:worker`, env: 'MODE=worker', command, 'require-healthcheck': 'false', 'require-graceful-stop': 'false', 'stop-timeout': '1' })
    expect(ok.outputs).toMatchObject({ passed: 'true', health: 'missing', uid: '10001' })
    expect(row(ok.summary, 'health')).toMatch(/^\| ✅ \| health \| kept running for [\d.]+ s \(watched\) \| keeps running for 3 s \|/)
    const wrong = await runAction({ context, tags: `${TAG}:worker`, env: 'MODE=api', command, 'require-healthcheck': 'false' })
    expect(wrong.outputs).toMatchObject({ passed: 'false', health: 'exited' })
  })

  it("says a command Docker cannot start did not start, with Docker's words apart from the app's log", async () => {
    const run = await runAction({ context: fixture(NON_ROOT), tags: `${TAG}:worker`, command: '/no/such/app', 'smoke-commands': '/no/such/worker' })
    expect(run.outputs).toMatchObject({ passed: 'false', health: 'exited' })
    expect(run.report.error).toBeUndefined()
    const h = run.report.runs[0].health
    expect(h).toMatchObject({ exitCode: 127, startError: expect.stringContaining('exec: "/no/such/app": stat /no/such/app: no such file or directory') })
    expect(h.logTail).toBeUndefined()
    expect(row(run.summary, 'health')).toContain('| ❌ | health | did not start (docker run exited 127) |')
    expect(row(run.summary, 'smoke')).toContain('| ❌ | smoke | did not start (docker run exited 127) |')
    expect(run.summary).not.toContain("Run 'docker run --help'")
  })

  it('explains bad input in one line, without a stack trace, and says so in the summary', async () => {
    const run = await runAction({ context: fixture(SERVE), 'max-size': '500XB' })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(l => l.startsWith('::error::'))
    expect(errors).toEqual([
      '::error::Input "max-size" must be a byte count or a number with a unit: B, kB, MB, GB (powers of 10) or KiB, MiB, GiB (powers of 2), e.g. 500MB, 250MiB, 1.5GB; got "500XB".'
    ])
    expect(run.stdout + run.stderr).not.toMatch(/\n\s+at /)
    expect(run.summary).toContain('## ❌ image-gate: did not run')
    expect(run.outputs.passed).toBe('false')
  })
})
