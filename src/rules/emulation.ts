import type { Engine } from '../docker/engine.js'
import type { Inputs } from '../inputs/inputs.js'

// An image for another architecture than the engine's runs under QEMU (binfmt): several times
// slower, so its health limits allow for it. Pure: the run stage decides with it, and the platform
// row says it.

/** How many times the health inputs an emulated run may take: QEMU runs code several times slower. */
export const EMULATION_ALLOWANCE = 5

/** What an engine's processor runs without an emulator: an amd64 kernel runs 386 programs (not every builder lists it). */
const NATIVE: Record<string, string[]> = { amd64: ['amd64', '386'] }

export function runsNatively(engineArch: string, arch: string): boolean {
  return (NATIVE[engineArch] ?? [engineArch]).includes(arch)
}

/** The engine's platform when the image is for another architecture, so it ran emulated; else undefined. */
export function emulatedOn(engine: Pick<Engine, 'arch'>, imagePlatform: string | undefined): string | undefined {
  const arch = imagePlatform?.split('/')[1]
  return arch && engine.arch && !runsNatively(engine.arch, arch) ? `linux/${engine.arch}` : undefined
}

type HealthLimits = Pick<Inputs, 'healthTimeout' | 'healthStartPeriod' | 'maxStartupTime' | 'maxProbeTime'>

/** The health limits an emulated run gets: EMULATION_ALLOWANCE times the inputs. */
export function allowForEmulation<T extends HealthLimits>(inputs: T): T {
  const times = (n: number | undefined) => (n === undefined ? undefined : n * EMULATION_ALLOWANCE)
  return {
    ...inputs,
    healthTimeout: inputs.healthTimeout * EMULATION_ALLOWANCE,
    healthStartPeriod: inputs.healthStartPeriod * EMULATION_ALLOWANCE,
    maxStartupTime: times(inputs.maxStartupTime),
    maxProbeTime: times(inputs.maxProbeTime)
  }
}
