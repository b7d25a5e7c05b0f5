import { EngineError } from '../docker/docker.js'
import type { Engine } from '../docker/engine.js'
import { inputError } from '../inputs/parse.js'
import { runsNatively } from '../rules/emulation.js'

// Can this engine run the platform asked for: natively, or emulated under QEMU where binfmt handlers
// are registered (docker/setup-qemu-action on GitHub's runners)? Where none is, the app would crash
// with "exec format error" and look broken: that is said before anything is built, with the fix.
// A platform of another OS (windows/amd64 on a Linux engine) is the input's mistake, not the
// engine's: BuildKit's own "failed to solve: operating system is not supported" names neither the
// input nor what the engine builds, so that is said first, from the builder's list.

/**
 * The architectures BuildKit looks for an emulator of when it lists a builder's platforms: for
 * these, a builder that does not list one has no handler for it. Others it does not look for, so
 * their absence says nothing.
 */
const PROBED = new Set(['amd64', 'arm64', 'arm', 'riscv64', 'ppc64le', 's390x', 'mips64le', 'mips64', 'loong64'])

/** Refuses, in one line with the fix, a platform the builder has no emulator for. */
export function checkPlatform(engine: Pick<Engine, 'arch' | 'builder'>, platform: string): void {
  const [os = 'linux', arch = ''] = platform.split('/')
  checkOs(engine.builder, platform, os)
  if (!platform || !engine.arch || runsNatively(engine.arch, arch) || !PROBED.has(arch)) return
  const listed = engine.builder.platforms
  if (listed.length === 0 || listed.some(p => p.split('/').slice(0, 2).join('/') === `${os}/${arch}`)) return
  throw new EngineError(
    `${platform} cannot be built or run on this ${os}/${engine.arch} engine: no QEMU emulator is registered for ${arch} (binfmt_misc; the builder "${engine.builder.name}" lists ${listed.join(', ')}). Add the step docker/setup-qemu-action before image-gate, or gate ${platform} on an ${arch} runner (a matrix).`
  )
}

/** Refuses, as the platforms input's error, a platform of an OS the builder lists none of. */
function checkOs(builder: Engine['builder'], platform: string, os: string): void {
  const listed = builder.platforms
  const systems = [...new Set(listed.map(p => p.split('/')[0]))]
  if (!platform || listed.length === 0 || systems.includes(os)) return
  throw inputError(
    'platforms',
    `names ${platform}, but this engine builds ${systems.join(' and ')} images only: the builder "${builder.name}" lists ${listed.join(', ')}. Name the platforms it lists (e.g. ${listed[0]}), or gate ${platform} on an engine that builds ${os} images.`
  )
}
