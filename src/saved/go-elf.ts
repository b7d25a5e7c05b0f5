// Whether an executable is a Go program (elf.ts reads which architecture one is for), from the
// start of its file: Go's linker writes a note named "Go" of type 4 (its build ID) into every ELF
// it links, internally or externally, stripped or not, in a PT_NOTE segment near the start (Go's
// own build ID reader looks only in the first 32 KiB). So a prefix of the file is enough, and the
// rest is never read.

/** How much of a file isGoElf needs: Go's own reader's 32 KiB. */
export const ELF_PREFIX_BYTES = 32 * 1024

const PT_NOTE = 4
const GO_BUILD_ID_NOTE = 4

/** True when `prefix` (the first bytes of a file) is an ELF with Go's build ID note in it. */
export function isGoElf(prefix: Buffer): boolean {
  if (prefix.length < 52 || prefix.readUInt32BE(0) !== 0x7f454c46) return false
  const wide = prefix[4] === 2
  const little = prefix[5] !== 2
  const u16 = (at: number) => (little ? prefix.readUInt16LE(at) : prefix.readUInt16BE(at))
  const u32 = (at: number) => (little ? prefix.readUInt32LE(at) : prefix.readUInt32BE(at))
  const addr = (at: number) => (wide ? Number(little ? prefix.readBigUInt64LE(at) : prefix.readBigUInt64BE(at)) : u32(at))
  const inside = (at: number, size: number) => at >= 0 && at + size <= prefix.length
  if (!inside(0, wide ? 64 : 52)) return false
  const phoff = addr(wide ? 32 : 28)
  const phentsize = u16(wide ? 54 : 42)
  const phnum = u16(wide ? 56 : 44)
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize
    if (!inside(ph, wide ? 56 : 32)) return false
    if (u32(ph) !== PT_NOTE) continue
    const offset = addr(ph + (wide ? 8 : 4))
    const size = addr(ph + (wide ? 32 : 16))
    // each note: namesz, descsz, type, then the name and the description, each padded to 4 bytes
    for (let at = offset; at + 12 <= offset + size && inside(at, 12); ) {
      const namesz = u32(at)
      const descsz = u32(at + 4)
      const name = inside(at + 12, namesz) ? prefix.subarray(at + 12, at + 12 + namesz) : undefined
      if (u32(at + 8) === GO_BUILD_ID_NOTE && name?.equals(Buffer.from('Go\0\0'))) return true
      at += 12 + align4(namesz) + align4(descsz)
    }
  }
  return false
}

function align4(n: number): number {
  return (n + 3) & ~3
}
