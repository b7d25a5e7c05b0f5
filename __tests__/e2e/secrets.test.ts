import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { checkRow, fixture, removeImages, row, runAction, SERVE, startCli, takeLeftovers } from './action.js'

// A secret is never shown, whole or in part: not in the report, the summary, the outputs, the
// action's log or the command line's output. The builds print the secrets the way a failing
// script does (`set -x`, an error message quoting a token), on the real engine.

jest.setTimeout(180_000)
const TAG = 'image-gate-e2e/secrets'
const NON_ROOT = ["RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001']
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

/** A 47-character secret, its own for this test run. */
const secret = (name: string) => `s3cr3t${name.toUpperCase()}${process.pid}`.padEnd(47, 'abcdefghijklmnopqrstuvwxyz0123456789').slice(0, 47)

/** Every piece of `secret` of `size` characters found in `text`: none, when the secret is masked in whole and in part. */
function pieces(text: string, value: string, size = 6): string[] {
  const found: string[] = []
  for (let i = 0; i + size <= value.length; i++) if (text.includes(value.slice(i, i + size))) found.push(value.slice(i, i + size))
  return found
}

/** The action's log without the runner's instructions to mask: those must hold the value. */
const shown = (stdout: string) =>
  stdout
    .split('\n')
    .filter(line => !line.startsWith('::add-mask::'))
    .join('\n')

describe('a build secret the build prints', () => {
  it('after 260 characters of a failing RUN: the build row masks it, and no piece of it is anywhere', async () => {
    const value = secret('tok')
    const run = await runAction({
      context: fixture([`RUN --mount=type=secret,id=tok echo "error: $(printf '%0260d' 0) $(cat /run/secrets/tok) was refused"; exit 1`, ...NON_ROOT, ...SERVE]),
      tags: `${TAG}:build-cause`,
      secrets: `tok=${value}`
    })
    expect(run.report.runs[0].build.ok).toBe(false)
    // masked before the cause is cut to a cell: the whole line fits once the secret is ***
    expect(run.report.runs[0].build.cause).toBe(`error: ${'0'.repeat(260)} *** was refused`)
    expect(checkRow(run, 'build').detail).toContain(`: error: ${'0'.repeat(260)} *** was refused (exit code 1). The end of the build log is below.`)
    expect(row(run.summary, 'build')).toContain(`| ❌ | build | failed |  | failed at`)
    for (const text of [shown(run.stdout), run.stderr, run.summary, ...Object.values(run.outputs)]) expect(pieces(text, value)).toEqual([])
    expect(run.stdout).toContain(`::add-mask::${value}`)
  })

  it('in a health probe cut by Docker at 4,096 bytes: what the cut leaves of it is masked too', async () => {
    const value = secret('probe')
    // the app was given the token at build time and its probe prints it, after 4,080 bytes: Docker
    // keeps 4,096 bytes of a probe's output, so 16 of the secret's 47 characters end the output
    const probe = `HEALTHCHECK --interval=1s --timeout=5s --retries=2 CMD printf '%04080d' 0; cat /tok; exit 1`
    const run = await runAction({
      context: fixture(['RUN --mount=type=secret,id=tok cp /run/secrets/tok /tok && chmod 444 /tok', ...NON_ROOT, probe, SERVE[1]]),
      tags: `${TAG}:probe`,
      secrets: `tok=${value}`,
      // a cached layer would hold another run's secret
      'no-cache': 'true',
      'health-timeout': '20'
    })
    expect(checkRow(run, 'health').status).toBe('fail')
    const outputs = run.report.runs[0].health.probes.map(p => p.output)
    expect(outputs.length).toBeGreaterThan(0)
    // what Docker kept: the zeros, then the 16 characters it left of the secret, masked, then its "..."
    for (const output of outputs) expect(output.replace(/^0{4080}/, `[4080 zeros]`)).toBe(`[4080 zeros]***...`)
    for (const text of [shown(run.stdout), run.stderr, run.summary, ...Object.values(run.outputs)]) expect(pieces(text, value)).toEqual([])
  })
})

describe("what BuildKit's and Docker's own cuts leave of a secret", () => {
  it('a step printing faster than its log limit: the line the limit stops ends in a masked piece', async () => {
    const value = secret('clip')
    // BuildKit passes 200 KiB of a step's output a second: the secret starts 20 bytes before the limit
    const run = await runAction({
      context: fixture([`RUN --mount=type=secret,id=tok head -c 204780 /dev/zero | tr '\\0' 0; cat /run/secrets/tok; echo; exit 1`, ...NON_ROOT, ...SERVE]),
      tags: `${TAG}:clip`,
      secrets: `tok=${value}`
    })
    expect(run.report.runs[0].build.ok).toBe(false)
    const clipped = run.report.runs[0].build.logTail.findIndex(l => /^#\d+ \d+\.\d+ \[output clipped, log limit .* reached\]$/.test(l))
    expect(clipped).toBeGreaterThan(0)
    // the line before it (its middle cut to fit the report output): the zeros and the 20 characters of the secret the limit let through, masked
    expect(run.report.runs[0].build.logTail[clipped - 1]).toMatch(/^#\d+ \d+\.\d+ 0+ …\[\d+ characters cut\]… 0+\*\*\*$/)
    for (const text of [shown(run.stdout), run.stderr, run.summary, ...Object.values(run.outputs)]) expect(pieces(text, value)).toEqual([])
  })

  it('a secret printed in two writes by a failing step: the excerpt buildx repeats starts with a masked piece', async () => {
    const value = secret('split')
    const run = await runAction({
      context: fixture([`RUN --mount=type=secret,id=tok head -c 20 /run/secrets/tok; sleep 1; printf '%s\\n' "$(tail -c 27 /run/secrets/tok)"; exit 1`, ...NON_ROOT, ...SERVE]),
      tags: `${TAG}:split`,
      secrets: `tok=${value}`
    })
    const tail = run.report.runs[0].build.logTail
    // the step's own line has both writes, masked as one; the excerpt has only the second, masked as a piece
    expect(tail.filter(l => /^#\d+ \d+\.\d+ \*\*\*$/.test(l))).toHaveLength(1)
    // buildx 0.13 on Docker 20.10 names the step [3/5], later ones [stage-0 3/5]
    const excerpt = tail.findIndex(l => /^ > \[(stage-0 )?\d\/\d\] RUN --mount=type=secret,id=tok/.test(l))
    expect(excerpt).toBeGreaterThan(0)
    expect(tail[excerpt + 1]).toBe('***')
    for (const text of [shown(run.stdout), run.stderr, run.summary, ...Object.values(run.outputs)]) expect(pieces(text, value)).toEqual([])
  })

  it("a container's line over 16 KiB, which Docker logs in pieces: the line is whole again, and masked", async () => {
    const value = secret('long')
    // 16,380 zeros, then the secret: Docker's first 16 KiB message ends 4 characters into it
    const run = await runAction({
      context: fixture([
        'RUN --mount=type=secret,id=tok cp /run/secrets/tok /tok && chmod 444 /tok',
        ...NON_ROOT,
        `CMD ["sh", "-c", "head -c 16380 /dev/zero | tr '\\\\0' 0; cat /tok; echo; echo bye; exit 3"]`
      ]),
      tags: `${TAG}:long`,
      secrets: `tok=${value}`,
      'no-cache': 'true'
    })
    expect(checkRow(run, 'health').status).toBe('fail')
    expect(run.report.runs[0].health.logTail.map(l => l.replace(/^0{16380}/, '[16380 zeros]'))).toEqual(['[16380 zeros]***', 'bye'])
    for (const text of [shown(run.stdout), run.stderr, run.summary, ...Object.values(run.outputs)]) expect(pieces(text, value)).toEqual([])
  })
})

describe('the command line', () => {
  it('masks the build secrets and the secret files it was given in everything it prints', async () => {
    const value = secret('cli')
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-secret-'))
    const file = path.join(dir, 'npmrc')
    const fileLine = `//npm.example/:_authToken=${secret('file')}`
    writeFileSync(file, `${fileLine}\n`)
    const context = fixture([
      'RUN --mount=type=secret,id=tok --mount=type=secret,id=npmrc echo "token: $(cat /run/secrets/tok)"; echo "npmrc: $(cat /run/secrets/npmrc)"',
      `RUN --mount=type=secret,id=tok echo "error: $(printf '%0260d' 0) $(cat /run/secrets/tok)"; exit 1`
    ])
    const run = await startCli(['--no-cache', '--secrets', `tok=${value}`, '--secret-files', `npmrc=${file}`, '--tags', `${TAG}:cli`, context]).done
    expect(run.code).toBe(1)
    // the streamed build log shows both RUN steps' lines, each secret as ***
    expect(run.stdout).toMatch(/^#\d+ \d+\.\d+ token: \*\*\*$/m)
    expect(run.stdout).toMatch(/^#\d+ \d+\.\d+ npmrc: \*\*\*$/m)
    expect(run.stdout).toContain(`error: ${'0'.repeat(260)} ***`)
    for (const text of [run.stdout, run.stderr]) {
      expect(pieces(text, value)).toEqual([])
      expect(pieces(text, secret('file'))).toEqual([])
    }
  })
})
