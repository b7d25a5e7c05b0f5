import { EMULATION_ALLOWANCE } from '../rules/emulation.js'
import type { CheckRule } from './check.js'

// platform: shown when the image ran emulated (another architecture than the engine's, under QEMU),
// so every figure below is read as what it is: slower than on the image's own hardware, with health
// limits that allowed for it.

export const platformCheck: CheckRule = (run, inputs) => {
  const { platform, emulatedOn } = run.image
  if (!platform || !emulatedOn) return []
  const limits = [`health-timeout ${inputs.healthTimeout} s`]
  if (inputs.maxStartupTime !== undefined) limits.push(`max-startup-time ${inputs.maxStartupTime} s`)
  if (inputs.maxProbeTime !== undefined) limits.push(`max-probe-time ${inputs.maxProbeTime} ms`)
  return [
    {
      name: 'platform',
      status: 'pass',
      value: `${platform}, emulated`,
      limit: 'runs',
      detail: `Ran under QEMU emulation on this ${emulatedOn} engine (binfmt), several times slower than on ${platform.split('/')[1]} hardware: the health limits allowed ${EMULATION_ALLOWANCE}× the inputs (${limits.join(', ')}). Gate it on an ${platform.split('/')[1]} runner for native figures.`
    }
  ]
}
