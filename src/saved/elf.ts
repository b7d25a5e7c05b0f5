// Which machine an ELF file is built for, from its first 20 bytes: the classic multi-arch bug is an
// x86-64 binary fetched into an arm64 image (`RUN curl …/tool-linux-amd64`). It builds, and under
// QEMU it even runs (binfmt runs any foreign binary), but on an arm64 machine it fails with "exec
// format error". Pure, so each header shape is tested on bytes real toolchains write.

/** The bytes of a file's start that elfArch needs. */
export const ELF_HEAD = 20

/** e_machine → the architecture as OCI platforms name it, and as people call it. */
const MACHINES: Record<number, { arch: string; name: string }> = {
  0x03: { arch: '386', name: 'x86 (32-bit)' },
  0x08: { arch: 'mips', name: 'MIPS' },
  0x14: { arch: 'ppc', name: 'PowerPC (32-bit)' },
  0x15: { arch: 'ppc64', name: 'PowerPC 64' },
  0x16: { arch: 's390x', name: 'IBM Z (s390x)' },
  0x28: { arch: 'arm', name: 'ARM (32-bit)' },
  0x3e: { arch: 'amd64', name: 'x86-64' },
  0xb7: { arch: 'arm64', name: 'ARM64 (aarch64)' },
  0xf3: { arch: 'riscv64', name: 'RISC-V' },
  0x102: { arch: 'loong64', name: 'LoongArch' }
}

export interface ElfArch {
  /** the OCI architecture: amd64, arm64, arm, 386, ppc64le, s390x, riscv64, … */
  arch: string
  /** as people call it: "x86-64", "ARM64 (aarch64)" */
  name: string
}

/** The architecture of an ELF executable or shared object; undefined for anything else. */
export function elfArch(head: Buffer): ElfArch | undefined {
  if (head.length < ELF_HEAD || head.readUInt32BE(0) !== 0x7f454c46) return undefined
  const little = head[5] === 1
  if (!little && head[5] !== 2) return undefined
  const type = little ? head.readUInt16LE(16) : head.readUInt16BE(16)
  // ET_EXEC and ET_DYN (executables, PIEs, .so and .node files); relocatable .o files are build output
  if (type !== 2 && type !== 3) return undefined
  const machine = MACHINES[little ? head.readUInt16LE(18) : head.readUInt16BE(18)]
  if (!machine) return undefined
  // ppc64 and mips come in both byte orders; the platform names the little-endian one apart
  if (machine.arch === 'ppc64' && little) return { arch: 'ppc64le', name: 'PowerPC 64 (little-endian)' }
  if (machine.arch === 'mips' && head[4] === 2) return { arch: little ? 'mips64le' : 'mips64', name: 'MIPS64' }
  if (machine.arch === 'mips' && little) return { arch: 'mipsle', name: 'MIPS (little-endian)' }
  return machine
}

/**
 * Whether a file is worth a look: executable by someone, or a shared object or Node addon by its
 * name (those need not be executable). Everything else is left unread.
 */
export function mayBeElf(path: string, mode: number | undefined): boolean {
  return ((mode ?? 0) & 0o111) !== 0 || /\.(so(\.\d+)*|node)$/.test(path)
}

/** "linux/arm64/v8" → "arm64": the part of a platform an ELF machine can be held against. */
export function platformArch(platform: string): string {
  return platform.split('/')[1] ?? platform
}
