import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { ELF_HEAD, elfArch, mayBeElf, platformArch } from '../../src/saved/elf.js'

// Real binaries of this machine (node, busybox), and headers as other toolchains write them.

/** An ELF header: class (1: 32-bit, 2: 64-bit), byte order (1: little), type, machine. */
function header(bits: 1 | 2, order: 1 | 2, type: number, machine: number): Buffer {
  const head = Buffer.alloc(ELF_HEAD)
  head.writeUInt32BE(0x7f454c46, 0)
  head[4] = bits
  head[5] = order
  head[6] = 1
  if (order === 1) {
    head.writeUInt16LE(type, 16)
    head.writeUInt16LE(machine, 18)
  } else {
    head.writeUInt16BE(type, 16)
    head.writeUInt16BE(machine, 18)
  }
  return head
}

describe('elfArch', () => {
  it("reads this machine's own programs", () => {
    const arch = { x64: 'amd64', arm64: 'arm64' }[process.arch as string]
    expect(elfArch(readFileSync(process.execPath).subarray(0, ELF_HEAD))?.arch).toBe(arch)
    expect(elfArch(readFileSync('/bin/busybox').subarray(0, ELF_HEAD))?.arch).toBe(arch)
  })

  it('names each architecture as OCI platforms do, and as people call it', () => {
    expect(elfArch(header(2, 1, 2, 0x3e))).toEqual({ arch: 'amd64', name: 'x86-64' })
    expect(elfArch(header(2, 1, 3, 0xb7))).toEqual({ arch: 'arm64', name: 'ARM64 (aarch64)' })
    expect(elfArch(header(1, 1, 2, 0x28))?.arch).toBe('arm')
    expect(elfArch(header(1, 1, 3, 0x03))?.arch).toBe('386')
    expect(elfArch(header(2, 1, 2, 0x15))?.arch).toBe('ppc64le')
    expect(elfArch(header(2, 2, 2, 0x15))?.arch).toBe('ppc64')
    expect(elfArch(header(2, 2, 2, 0x16))?.arch).toBe('s390x')
    expect(elfArch(header(2, 1, 3, 0xf3))?.arch).toBe('riscv64')
  })

  it('leaves out what is not a program or a library: object files, scripts, short or unknown headers', () => {
    expect(elfArch(header(2, 1, 1, 0x3e))).toBeUndefined() // ET_REL: a .o
    expect(elfArch(header(2, 1, 4, 0x3e))).toBeUndefined() // ET_CORE
    expect(elfArch(header(2, 1, 2, 0x9999))).toBeUndefined()
    expect(elfArch(Buffer.from('#!/bin/sh\necho hello world\n'))).toBeUndefined()
    expect(elfArch(header(2, 1, 2, 0x3e).subarray(0, 19))).toBeUndefined()
  })
})

describe('mayBeElf', () => {
  it('looks at executables, shared objects and Node addons only', () => {
    expect(mayBeElf('usr/local/bin/tool', 0o755)).toBe(true)
    expect(mayBeElf('usr/lib/libssl.so.3', 0o644)).toBe(true)
    expect(mayBeElf('app/node_modules/bcrypt/build/Release/bcrypt_lib.node', 0o644)).toBe(true)
    expect(mayBeElf('app/dist/index.js', 0o644)).toBe(false)
    expect(mayBeElf('etc/passwd', undefined)).toBe(false)
  })
})

describe('platformArch', () => {
  it('takes the architecture of a platform', () => {
    expect(platformArch('linux/arm64/v8')).toBe('arm64')
    expect(platformArch('linux/amd64')).toBe('amd64')
  })
})
