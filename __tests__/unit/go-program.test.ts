import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { isGoElf } from '../../src/saved/go-elf.js'
import { baseOf } from '../../src/user/base-image.js'
import { programPaths, tarFileStart } from '../../src/saved/go-program.js'

// Reading what an image is, cheaply: a Go binary from the start of its ELF, the base from
// os-release and /bin/sh, and the file in the start of docker cp's tar stream.

/** An ELF with one PT_NOTE segment holding `notes` ([name, type]), as wide or narrow, little or big endian. */
function elf(notes: [string, number][], { wide = true, little = true } = {}): Buffer {
  const body = Buffer.concat(
    notes.map(([name, type]) => {
      const n = Buffer.alloc(12 + Math.ceil(name.length / 4) * 4 + 8)
      const w = (at: number, v: number) => (little ? n.writeUInt32LE(v, at) : n.writeUInt32BE(v, at))
      w(0, name.length)
      w(4, 8)
      w(8, type)
      n.write(name, 12, 'latin1')
      return n
    })
  )
  const ehsize = wide ? 64 : 52
  const phsize = wide ? 56 : 32
  const file = Buffer.alloc(ehsize + 2 * phsize + body.length)
  file.writeUInt32BE(0x7f454c46, 0)
  file[4] = wide ? 2 : 1
  file[5] = little ? 1 : 2
  const u16 = (v: number, at: number) => (little ? file.writeUInt16LE(v, at) : file.writeUInt16BE(v, at))
  const u32 = (v: number, at: number) => (little ? file.writeUInt32LE(v, at) : file.writeUInt32BE(v, at))
  const addr = (v: number, at: number) => (wide ? (little ? file.writeBigUInt64LE(BigInt(v), at) : file.writeBigUInt64BE(BigInt(v), at)) : u32(v, at))
  addr(ehsize, wide ? 32 : 28)
  u16(phsize, wide ? 54 : 42)
  u16(2, wide ? 56 : 44)
  // a PT_LOAD first, then the PT_NOTE
  u32(1, ehsize)
  const note = ehsize + phsize
  u32(4, note)
  addr(ehsize + 2 * phsize, note + (wide ? 8 : 4))
  addr(body.length, note + (wide ? 32 : 16))
  body.copy(file, ehsize + 2 * phsize)
  return file
}

describe('isGoElf', () => {
  it("finds Go's build ID note, after other notes, in any ELF class and byte order", () => {
    expect(isGoElf(elf([['GNU\0', 3], ['Go\0\0', 4]]))).toBe(true)
    expect(isGoElf(elf([['Go\0\0', 4]], { wide: false, little: false }))).toBe(true)
  })

  it('says no for other notes, other files, and a start cut before the note', () => {
    expect(isGoElf(elf([['GNU\0', 3]]))).toBe(false)
    // a "Go" note of another type is not the build ID
    expect(isGoElf(elf([['Go\0\0', 3]]))).toBe(false)
    expect(isGoElf(Buffer.from('#!/bin/sh\nexec server\n'))).toBe(false)
    expect(isGoElf(elf([['Go\0\0', 4]]).subarray(0, 100))).toBe(false)
    // node is C++: an ELF, but not Go's
    expect(isGoElf(readFileSync(process.execPath).subarray(0, 32 * 1024))).toBe(false)
  })
})

describe('tarFileStart', () => {
  const header = (name: string, size: number, type: string) => {
    const h = Buffer.alloc(512)
    h.write(name, 0)
    h.write(`${size.toString(8).padStart(11, '0')}\0`, 124)
    h.write(type, 156)
    return h
  }
  it('gives the first regular file as far as the stream goes, past a PAX header', () => {
    const pax = Buffer.alloc(512)
    pax.write('30 path=some/long/name/server\n')
    const tar = Buffer.concat([header('PaxHeaders/server', 30, 'x'), pax, header('server', 5000, '0'), Buffer.from('\x7fELF and the rest')])
    expect(tarFileStart(tar)?.toString()).toBe('\x7fELF and the rest')
  })
  it('gives nothing for a symlink or an empty stream (no such file)', () => {
    expect(tarFileStart(Buffer.concat([header('sh', 0, '2'), Buffer.alloc(1024)]))).toBeUndefined()
    expect(tarFileStart(Buffer.alloc(0))).toBeUndefined()
  })
})

describe('programPaths', () => {
  it('looks a bare name up on the image PATH, and resolves a relative one from the working directory', () => {
    expect(programPaths('server', ['HOME=/', 'PATH=/app/bin:/usr/bin:relative'], '/')).toEqual(['/app/bin/server', '/usr/bin/server'])
    expect(programPaths('server', [], '/')).toEqual(['/usr/local/sbin/server', '/usr/local/bin/server', '/usr/sbin/server', '/usr/bin/server', '/sbin/server', '/bin/server'])
    expect(programPaths('./server', [], '/app')).toEqual(['/app/server'])
    expect(programPaths('/server', [], '/app')).toEqual(['/server'])
    expect(programPaths('', [], '/')).toEqual([])
  })
})

describe('baseOf', () => {
  it("reads the family from os-release's ID and ID_LIKE", () => {
    expect(baseOf('NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.20.0\n', true, '/bin/busybox')).toEqual({ shell: true, os: 'alpine' })
    expect(baseOf('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n', true, 'dash')).toEqual({ shell: true, os: 'debian' })
    expect(baseOf('NAME="Ubuntu"\nID=ubuntu\nID_LIKE=debian\n', true, 'dash')).toEqual({ shell: true, os: 'debian' })
    expect(baseOf('ID="rocky"\nID_LIKE="rhel centos fedora"\n', true, 'bash')).toEqual({ shell: true, os: 'rhel' })
    // distroless: Debian's os-release, no shell
    expect(baseOf('PRETTY_NAME="Distroless"\nID=debian\n', false)).toEqual({ shell: false, os: 'debian' })
  })
  it('busybox without os-release (a /bin/sh linked to busybox); nothing known when nothing was read', () => {
    expect(baseOf('', true, '/bin/busybox')).toEqual({ shell: true, os: 'busybox' })
    expect(baseOf('', true, 'bash')).toEqual({ shell: true })
    expect(baseOf('', false)).toEqual({ shell: false })
    expect(baseOf('', undefined)).toEqual({})
  })
})
