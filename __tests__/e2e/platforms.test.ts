import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { checkRow, docker, dockerSucceeds, multiArch, removeImages, row, runAction, takeLeftovers } from './action.js'

// Images for another platform than the host's, built here and run under QEMU (binfmt handlers:
// scripts/setup-test-tools.sh where none is registered, docker/setup-qemu-action on GitHub), from
// Debian's static busybox for each architecture (setup-test-tools.sh puts the arm64 one in place).

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/platforms'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

describe('an image for another platform', () => {
  it('builds for linux/arm64, runs it emulated, and finds no binary of another architecture in it', async () => {
    const run = await runAction({ context: multiArch([]), tags: `${TAG}:arm64`, platforms: 'linux/arm64' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', uid: '10001' })
    expect(run.report.runs[0].image).toMatchObject({ platform: 'linux/arm64', emulatedOn: 'linux/amd64' })
    expect(checkRow(run, 'contents')).toMatchObject({ status: 'pass', value: 'clean' })
    // emulated, and said so: its health limits were 5× the inputs
    expect(checkRow(run, 'platform')).toMatchObject({ status: 'pass', value: 'linux/arm64, emulated', limit: 'runs' })
    expect(row(run.summary, 'platform')).toContain(
      'Ran under QEMU emulation on this linux/amd64 engine (binfmt), several times slower than on arm64 hardware: the health limits allowed 5× the inputs (health-timeout 600 s).'
    )
    expect(checkRow(run, 'health').limit).toBe('healthy within 600 s')
  })

  it('gates linux/amd64 and linux/arm64 in one run, each its own image, arm64 emulated, both in the summary', async () => {
    const run = await runAction({ context: multiArch([]), tags: `${TAG}:both`, platforms: 'linux/amd64,linux/arm64' })
    expect(run.code).toBe(0)
    expect(run.outputs).toMatchObject({ passed: 'true', health: 'healthy', 'failed-platforms': '' })
    expect(run.report.runs.map(p => [p.platform, p.passed, p.image.platform, p.image.emulatedOn])).toEqual([
      ['linux/amd64', true, 'linux/amd64', undefined],
      ['linux/arm64', true, 'linux/arm64', 'linux/amd64']
    ])
    // each platform is an image of its own on the engine, with tags of its own
    const [amd64, arm64] = run.report.runs.map(p => p.image.id)
    expect(amd64).not.toBe(arm64)
    expect(docker(['image', 'inspect', '--format', '{{.Architecture}}', `${TAG}:both-linux-arm64`])).toBe('arm64')
    expect(docker(['image', 'inspect', '--format', '{{.Architecture}}', `${TAG}:both-linux-amd64`])).toBe('amd64')
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      expect(run.report.runs.filter(r => r.platform === platform).flatMap(r => r.checks.filter(c => c.name === 'health')).map(c => c.status)).toEqual(['pass'])
    }
    expect(run.summary).toContain('| | Platform | Check | Result | Limit | Detail |')
    expect(run.summary).toMatch(/\| ✅ \| linux\/amd64 \| health \| healthy after /)
    expect(run.summary).toMatch(/\| ✅ \| linux\/arm64 \| health \| healthy after /)
    expect(run.summary).toContain('| ✅ | linux/arm64 | platform | linux/arm64, emulated | runs |')
    // the builds ran at once, and each build's log is in one piece, in platform order: the arm64
    // build's group opens after the amd64 one's closed, and holds buildx's lines for arm64 only
    const groups = run.stdout.split('\n').filter(l => /^::(end)?group::/.test(l))
    expect(groups.slice(0, 4)).toEqual(['::group::Build (linux/amd64)', '::endgroup::', '::group::Build (linux/arm64)', '::endgroup::'])
    const [, amd64Log = '', arm64Log = ''] = run.stdout.split(/^::group::Build \(linux\/(?:amd64|arm64)\)$/m)
    const [amd64Build, arm64Build] = [amd64Log, arm64Log].map(log => log.split('::endgroup::')[0])
    expect(amd64Build).toContain('COPY busybox-amd64 /bin/busybox')
    expect(amd64Build).toContain(`naming to docker.io/${TAG}:both-linux-amd64`)
    expect(amd64Build).not.toContain('arm64')
    expect(arm64Build).toContain('COPY busybox-arm64 /bin/busybox')
    expect(arm64Build).toContain(`naming to docker.io/${TAG}:both-linux-arm64`)
    expect(arm64Build).not.toContain('amd64')
  })

  it('fails the arm64 platform only when an amd64 binary is copied into every platform, naming the file, its architecture and its line', async () => {
    const context = multiArch(['COPY busybox-amd64 /usr/local/bin/tool'])
    const run = await runAction({ context, tags: `${TAG}:foreign`, platforms: 'linux/amd64,linux/arm64' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', 'failed-platforms': 'linux/arm64' })
    const contents = (platform: string) => run.report.runs.find(r => r.platform === platform)!.checks.find(c => c.name === 'contents')!
    expect(contents('linux/amd64')).toMatchObject({ status: 'pass', value: 'clean' })
    expect(contents('linux/arm64')).toMatchObject({ status: 'fail', value: '1 foreign binary' })
    expect(contents('linux/arm64').detail).toContain('/usr/local/bin/tool (x86-64 binary in a linux/arm64 image, ')
    expect(contents('linux/arm64').detail).toContain(', from COPY busybox-amd64 /usr/local/bin/tool)')
    expect(contents('linux/arm64').detail).toContain('ARG TARGETARCH')
    // the findings under the table are the arm64 image's, titled with it
    expect(run.summary).toContain('<details><summary>Contents findings (linux/arm64) (1)</summary>')
    expect(run.summary).not.toContain('Contents findings (linux/amd64)')
    expect(run.summary).toContain('<details><summary>Largest layers (linux/amd64) (')
    expect(run.summary).toMatch(/\| ❌ \| linux\/arm64 \| contents \| 1 foreign binary \| .*\/usr\/local\/bin\/tool \(x86-64 binary in a linux\/arm64 image/)
    // annotated on the Dockerfile line that added it (line 6: after FROM, ARG, COPY, RUN, COPY), the platform in its title
    expect(run.stdout).toMatch(
      /::error title=image-gate%3A this COPY puts a binary of another architecture into the image \(linux\/arm64\),file=[^,]*Dockerfile,line=6::\/usr\/local\/bin\/tool \(x86-64 binary in a linux\/arm64 image, /
    )
    expect(run.stdout).not.toMatch(/this COPY puts .* \(linux\/amd64\)/)
  })
})

describe('a platform of an OS this engine does not build', () => {
  it('windows/amd64: the platforms input is named, with what the builder lists, before anything is built', async () => {
    const context = multiArch([])
    // Docker itself: the builder lists its platforms, and refuses windows/amd64 ("operating system is not supported")
    const inspect = docker(['buildx', 'inspect'])
    const builder = /^Name:\s*(\S+)$/m.exec(inspect)![1]
    const listed = /^Platforms:\s*(.+)$/m.exec(inspect)![1].split(/,\s*/)
    expect(listed.every(p => p.startsWith('linux/'))).toBe(true)
    expect(dockerSucceeds(['buildx', 'build', '--platform', 'windows/amd64', context])).toBe(false)
    const run = await runAction({ context, tags: `${TAG}:windows`, platforms: 'linux/amd64,windows/amd64' })
    expect(run.code).toBe(1)
    const errors = run.stdout.split('\n').filter(line => line.startsWith('::error::'))
    expect(errors).toEqual([
      `::error::Input "platforms" names windows/amd64, but this engine builds linux images only: the builder "${builder}" lists ${listed.join(', ')}. Name the platforms it lists (e.g. ${listed[0]}), or gate windows/amd64 on an engine that builds windows images.`
    ])
    expect(run.report.runs).toEqual([])
    expect(run.stdout + run.stderr).not.toContain('operating system is not supported')
  })
})
