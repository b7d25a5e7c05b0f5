import { describe, expect, it } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, linkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { extract, pack } from 'tar-stream'
import { TarWalk } from '../../src/saved/tar-walk.js'

// The tar walk (src/saved/tar-walk.ts) must read every archive as tar-stream, which it replaces on
// the save pass, reads it: the same entries (name, type, size, link), the same bytes, however the
// stream is split, with readers that take their time; and the same errors.

interface Seen {
  name: string
  type?: string
  size: number
  linkname?: string
  sha?: string
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 16)

/** What tar-stream reads: the oracle. */
async function oracle(archive: Buffer): Promise<Seen[]> {
  const seen: Seen[] = []
  const parser = extract()
  Readable.from([archive]).pipe(parser)
  for await (const entry of parser) {
    const chunks: Buffer[] = []
    for await (const chunk of entry) chunks.push(chunk as Buffer)
    const { name, type, size, linkname } = entry.header
    seen.push({ name, type: type ?? undefined, size: size ?? 0, ...(linkname && { linkname }), ...(chunks.length && { sha: sha(Buffer.concat(chunks)) }) })
  }
  return seen
}

/** What the walk reads, fed in pieces of `size` bytes; `slow`: every reader call waits a turn first. */
async function walked(archive: Buffer, size: number, slow = false): Promise<Seen[]> {
  const seen: Seen[] = []
  const wait = () => new Promise<void>(resolve => setImmediate(resolve))
  const walk = new TarWalk(header => {
    const chunks: Buffer[] = []
    let ended = false
    return {
      data: piece => {
        if (ended) throw new Error('data after end')
        chunks.push(Buffer.from(piece))
        return slow ? wait() : undefined
      },
      end: async () => {
        if (slow) await wait()
        ended = true
        const { name, type, size, linkname } = header
        seen.push({ name, type, size, ...(linkname && { linkname }), ...(chunks.length && { sha: sha(Buffer.concat(chunks)) }) })
      }
    }
  })
  for (let at = 0; at < archive.length; at += size) await walk.write(archive.subarray(at, at + size))
  walk.end()
  return seen
}

async function packed(): Promise<Buffer> {
  const p = pack()
  p.entry({ name: 'app/' , type: 'directory' })
  p.entry({ name: 'app/empty' }, '')
  p.entry({ name: 'app/small.txt' }, 'hello')
  p.entry({ name: 'app/big.bin' }, randomBytes(1_300_000)) // longer than a chunk of the pass
  p.entry({ name: `app/${'deep/'.repeat(40)}long-name.js` }, 'x'.repeat(700)) // a PAX path
  p.entry({ name: 'app/link', type: 'symlink', linkname: `../${'t'.repeat(120)}` }) // a PAX linkpath
  p.entry({ name: 'app/hard', type: 'link', linkname: 'app/small.txt' })
  p.entry({ name: 'app/ünïcode €.txt' }, 'utf8')
  p.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of p) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** An archive GNU tar writes in `format` (gnu: ././@LongLink records; pax; ustar with its prefix field). */
function gnuTar(format: 'gnu' | 'pax' | 'ustar'): Buffer {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-tar-walk-'))
  try {
    const deep = path.join(dir, 'root', ...(format === 'ustar' ? ['a'.repeat(60), 'b'.repeat(60)] : ['d'.repeat(90), 'e'.repeat(90)]))
    mkdirSync(deep, { recursive: true })
    writeFileSync(path.join(deep, 'file.txt'), 'some text\n'.repeat(100))
    writeFileSync(path.join(dir, 'root', 'noise'), randomBytes(70_000))
    symlinkSync('noise', path.join(dir, 'root', 'sym'))
    linkSync(path.join(dir, 'root', 'noise'), path.join(dir, 'root', 'hard'))
    execFileSync('tar', ['-c', `--format=${format}`, '-f', path.join(dir, 'out.tar'), '-C', dir, 'root'])
    return readFileSync(path.join(dir, 'out.tar'))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('TarWalk reads an archive as tar-stream does', () => {
  it('tar-stream archives (PAX names and links, hard links, empty files), split anyhow, readers slow or not', async () => {
    const archive = await packed()
    const expected = await oracle(archive)
    expect(expected.map(e => e.name)).toContain(`app/${'deep/'.repeat(40)}long-name.js`)
    for (const size of [1, 7, 511, 512, 4096, 65_536, archive.length]) expect(await walked(archive, size)).toEqual(expected)
    for (const size of [3, 1000, archive.length]) expect(await walked(archive, size, true)).toEqual(expected)
  })

  it.each(['gnu', 'pax', 'ustar'] as const)('GNU tar, --format=%s', async format => {
    const archive = gnuTar(format)
    const expected = await oracle(archive)
    expect(expected.some(e => e.name.endsWith('/file.txt') && e.name.length > 100)).toBe(true)
    expect(await walked(archive, 777)).toEqual(expected)
    expect(await walked(archive, 5000, true)).toEqual(expected)
  })

  it('a corrupt header and a cut-short archive fail with the words tar-stream uses', async () => {
    const archive = await packed()
    const corrupt = Buffer.from(archive)
    corrupt[10] ^= 0xff // the first entry's name: its checksum no longer matches
    await expect(walked(corrupt, 4096)).rejects.toThrow('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')
    await expect(walked(archive.subarray(0, 100_000), 4096)).rejects.toThrow('Unexpected end of data')
    await expect(walked(Buffer.from('not a tar '.repeat(100)), 64)).rejects.toThrow('Invalid tar header')
  })
})
