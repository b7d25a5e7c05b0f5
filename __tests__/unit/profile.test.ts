import { describe, expect, it } from '@jest/globals'
import { readInputs } from '../../src/inputs/inputs.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { profileLine } from '../../src/render/profile-line.js'
import { renderText } from '../../src/render/text.js'
import { containerFlags } from '../../src/stages/container-flags.js'
import { profileOf } from '../../src/stages/profile.js'
import { memoryReading, parseMemory } from '../../src/units.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

describe('run-profile, read-only, run-memory as docker run flags', () => {
  it('docker: no flag beyond the environment', () => {
    expect(containerFlags(inputs())).toEqual([])
  })

  it("restricted: every capability dropped and no-new-privileges; Docker's default seccomp stays", () => {
    expect(containerFlags(inputs({ runProfile: 'restricted' }))).toEqual(['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'])
  })

  it('openshift: restricted, as a high UID in group 0', () => {
    expect(containerFlags(inputs({ runProfile: 'openshift' }))).toEqual(['--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--user', '1000680000:0'])
  })

  it('read-only with a tmpfs on /tmp; run-memory with swap at the same value, in bytes', () => {
    const given = inputs({ readOnly: true, runMemory: { text: '256m', bytes: 268435456 } })
    expect(containerFlags(given)).toEqual(['--read-only', '--tmpfs', '/tmp:rw,exec,nosuid,nodev,mode=1777', '--memory', '268435456b', '--memory-swap', '268435456b'])
  })
})

describe('run-memory', () => {
  it.each([
    ['256m', 256 * 2 ** 20],
    ['1g', 2 ** 30],
    ['1.5G', 1.5 * 2 ** 30],
    ['512k', 512 * 1024],
    ['256Mi', 256 * 2 ** 20],
    ['256MiB', 256 * 2 ** 20],
    ['300MB', 300e6],
    ['268435456', 268435456],
    ['1Gi', 2 ** 30],
    ['512Ki', 512 * 1024],
    ['1.5Gi', 1.5 * 2 ** 30]
  ])('reads %s as docker run --memory does (k, m, g in powers of 2)', (text, bytes) => {
    expect(parseMemory(text)).toBe(bytes)
  })

  it.each([
    ['256M', '256M = 256 MiB', '256 MiB, as docker run reads M; 256Mi in a pod spec, where 256M is 256,000,000 bytes'],
    ['256m', '256m = 256 MiB', '256 MiB, as docker run reads m; 256Mi in a pod spec, where 256m is 0.256 bytes'],
    ['1.5G', '1.5G = 1.5 GiB', '1.5 GiB, as docker run reads G; 1.5Gi in a pod spec, where 1.5G is 1,500,000,000 bytes'],
    ['512k', '512k = 512 KiB', '512 KiB, as docker run reads k; 512Ki in a pod spec, where 512k is 512,000 bytes'],
    ['1g', '1g = 1 GiB', '1 GiB, as docker run reads g; 1Gi in a pod spec, which has no g']
  ])('says what %s is, as docker run reads it and as a pod spec would', (text, short, long) => {
    expect(memoryReading(text)).toEqual({ short, long })
  })

  it.each(['256Mi', '256MiB', '300MB', '268435456'])('%s says its unit: nothing to add', text => {
    expect(memoryReading(text)).toBeUndefined()
  })

  const read = (env: Record<string, string>) => () => readInputs(name => env[name] ?? '', process.cwd())

  it('a value that is no size is one line naming the input', () => {
    expect(read({ 'run-memory': 'lots' })).toThrow(
      'Input "run-memory" must be a memory size as docker run --memory takes it, e.g. 256m, 512m or 1g (k, m, g are KiB, MiB, GiB, as docker run reads them, in either case), or as a pod spec writes it, e.g. 256Mi or 1Gi (256MiB and 300MB too); got "lots".'
    )
    expect(read({ 'run-memory': '4m' })).toThrow('Input "run-memory" must be at least 6m, the least docker run --memory allows; got "4m".')
  })

  it('a profile that does not exist is one line naming the input and the profiles', () => {
    expect(read({ 'run-profile': 'strict' })).toThrow('Input "run-profile" must be one of docker, restricted, openshift; got "strict".')
  })
})

describe('the profile in the report', () => {
  it('says nothing under Docker defaults', () => {
    const report = measuredRun()
    report.settings = profileOf(inputs())
    expect(profileLine(reportOf(report))).toBeUndefined()
  })

  it('says every setting the rows were measured under, in the summary and the terminal', () => {
    const report = measuredRun()
    report.settings = profileOf(inputs({ runProfile: 'openshift', readOnly: true, runMemory: { text: '256m', bytes: 268435456 } }))
    const line = 'ran under OpenShift (restricted, as UID 1000680000 in group 0), a read-only root filesystem (tmpfs on /tmp) and a 256m memory limit (256 MiB, as docker run reads m; 256Mi in a pod spec, where 256m is 0.256 bytes)'
    expect(profileLine(reportOf(report))).toBe(line)
    expect(renderText(reportOf(report))).toContain(`\n  ${line}`)
    expect(renderMarkdown(reportOf(report))).toContain(line)
  })

  it("a saved report's memory text is shown inert", () => {
    const report = measuredRun()
    report.settings = { profile: 'restricted', readOnly: false, memory: { text: '[x](https://example.com)', bytes: 1 } }
    expect(renderMarkdown(reportOf(report))).not.toContain('](https://example.com)')
  })
})
