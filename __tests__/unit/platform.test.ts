import { describe, expect, it } from '@jest/globals'
import { platformCheck } from '../../src/checks/platform.js'
import { EngineError } from '../../src/docker/docker.js'
import { InputError } from '../../src/inputs/parse.js'
import { allowForEmulation, emulatedOn } from '../../src/rules/emulation.js'
import { checkPlatform } from '../../src/stages/platform.js'
import { platformTags } from '../../src/gate/platforms.js'
import { inputs, measuredRun } from './fixtures.js'

const builder = (platforms: string[]) => ({ name: 'default', driver: 'docker', endpoint: 'default', platforms })
const amd64 = (platforms: string[]) => ({ arch: 'amd64', builder: builder(platforms) })

describe('checkPlatform', () => {
  it('lets the native platform, a listed emulated one, and one BuildKit does not look for through', () => {
    expect(() => checkPlatform(amd64(['linux/amd64', 'linux/386']), '')).not.toThrow()
    expect(() => checkPlatform(amd64(['linux/amd64', 'linux/386']), 'linux/amd64')).not.toThrow()
    expect(() => checkPlatform(amd64(['linux/amd64', 'linux/arm64', 'linux/arm/v7']), 'linux/arm64')).not.toThrow()
    expect(() => checkPlatform(amd64(['linux/amd64', 'linux/arm/v7']), 'linux/arm/v6')).not.toThrow()
    expect(() => checkPlatform(amd64(['linux/amd64']), 'linux/sparc64')).not.toThrow()
    // an amd64 processor runs 386 programs itself, whether or not the builder lists linux/386
    expect(() => checkPlatform(amd64(['linux/amd64', 'linux/arm64']), 'linux/386')).not.toThrow()
    // a builder that lists nothing says nothing
    expect(() => checkPlatform(amd64([]), 'linux/arm64')).not.toThrow()
  })

  it('refuses, in one line with the fix, a platform the builder has no emulator for', () => {
    const refused = () => checkPlatform(amd64(['linux/amd64', 'linux/386']), 'linux/arm64')
    expect(refused).toThrow(EngineError)
    expect(refused).toThrow(
      'linux/arm64 cannot be built or run on this linux/amd64 engine: no QEMU emulator is registered for arm64 (binfmt_misc; the builder "default" lists linux/amd64, linux/386). Add the step docker/setup-qemu-action before image-gate, or gate linux/arm64 on an arm64 runner (a matrix).'
    )
  })
})

describe('a platform of another OS', () => {
  it('is the platforms input\'s error, naming what the builder lists', () => {
    const refused = () => checkPlatform(amd64(['linux/amd64', 'linux/amd64/v2', 'linux/386']), 'windows/amd64')
    expect(refused).toThrow(InputError)
    expect(refused).toThrow(
      'Input "platforms" names windows/amd64, but this engine builds linux images only: the builder "default" lists linux/amd64, linux/amd64/v2, linux/386. Name the platforms it lists (e.g. linux/amd64), or gate windows/amd64 on an engine that builds windows images.'
    )
    // a builder that lists nothing says nothing
    expect(() => checkPlatform(amd64([]), 'windows/amd64')).not.toThrow()
  })
})

describe('emulatedOn', () => {
  it("is the engine's platform when the image is for another architecture", () => {
    expect(emulatedOn({ arch: 'amd64' }, 'linux/arm64')).toBe('linux/amd64')
    expect(emulatedOn({ arch: 'amd64' }, 'linux/amd64')).toBeUndefined()
    expect(emulatedOn({ arch: 'amd64' }, 'linux/386')).toBeUndefined()
    expect(emulatedOn({ arch: '' }, 'linux/arm64')).toBeUndefined()
    expect(emulatedOn({ arch: 'amd64' }, undefined)).toBeUndefined()
  })
})

describe('allowForEmulation', () => {
  it('gives the health limits five times the inputs, and leaves unset budgets unset', () => {
    const given = inputs({ healthTimeout: 120, healthStartPeriod: 30, maxStartupTime: 2 })
    expect(allowForEmulation(given)).toMatchObject({ healthTimeout: 600, healthStartPeriod: 150, maxStartupTime: 10, maxProbeTime: undefined })
    expect(given.healthTimeout).toBe(120)
  })
})

describe('the platform row', () => {
  it('is shown only for an emulated run, saying what the limits allowed', () => {
    const report = measuredRun()
    report.image.platform = 'linux/arm64'
    expect(platformCheck(report, inputs())).toEqual([])
    report.image.emulatedOn = 'linux/amd64'
    expect(platformCheck(report, allowForEmulation(inputs({ healthTimeout: 120, maxStartupTime: 1 })))).toEqual([
      {
        name: 'platform',
        status: 'pass',
        value: 'linux/arm64, emulated',
        limit: 'runs',
        detail:
          'Ran under QEMU emulation on this linux/amd64 engine (binfmt), several times slower than on arm64 hardware: the health limits allowed 5× the inputs (health-timeout 600 s, max-startup-time 5 s). Gate it on an arm64 runner for native figures.'
      }
    ])
  })
})

describe('platformTags', () => {
  it("gives each platform's image tags of its own", () => {
    expect(platformTags(['ghcr.io/o/app:1.2.0', 'app', 'localhost:5000/app'], 'linux/arm/v7')).toEqual([
      'ghcr.io/o/app:1.2.0-linux-arm-v7',
      'app:latest-linux-arm-v7',
      'localhost:5000/app:latest-linux-arm-v7'
    ])
    expect(platformTags([`app:${'x'.repeat(128)}`], 'linux/arm64')[0]).toBe(`app:${'x'.repeat(128 - 12)}-linux-arm64`)
  })
})
