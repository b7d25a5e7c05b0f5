import { describe, expect, it } from '@jest/globals'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { readSaveStream } from '../../src/saved/saved-image.js'
import { tar, type Entry } from './tar.js'
import { countedLayers } from '../../src/saved/layers.js'
import { contentsOf } from '../../src/stages/size.js'

// One meaning of size on both image stores: each layer's unpacked bytes counted from its files the
// way the classic store counts them (regular files' bytes, a symlink's target length, a hard link
// once, nothing for directories and whiteouts), whether `docker save` gives the layer as a tar
// (classic store) or as the gzip blob the containerd store keeps. Synthetic archives, made here.

const LAYERS: Array<[string, Entry[]]> = [
  [
    'ADD rootfs.tar /',
    [
      { name: 'bin/', type: 'directory' },
      { name: 'bin/busybox', data: 'b'.repeat(3000) },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox' }, // 12 bytes: its target
      { name: 'bin/ash', type: 'link', linkname: 'bin/busybox' } // the same inode: nothing more
    ]
  ],
  ['WORKDIR /app', [{ name: 'app/', type: 'directory' }]],
  ['COPY app/ .', [{ name: 'app/.env', data: 'TOKEN=hunter2-correct-horse\n' }, { name: 'app/index.js', data: 'x'.repeat(700) }]],
  ['RUN rm -f /app/.env', [{ name: 'app/.wh..env' }]]
]

/** A `docker save` archive; gzip: each layer as the gzip blob the containerd store keeps (OCI layout). */
async function archive(gzip: boolean): Promise<Readable> {
  const history = LAYERS.map(([instruction]) => ({ created_by: `${instruction} # buildkit` }))
  const outer: Entry[] = []
  const names: string[] = []
  for (const [i, [, entries]] of LAYERS.entries()) {
    const layer = await tar(entries)
    names.push(gzip ? `blobs/sha256/${i}` : `l${i}/layer.tar`)
    outer.push({ name: names[i], data: gzip ? gzipSync(layer) : layer })
  }
  outer.push({ name: 'cfg.json', data: JSON.stringify({ history }) })
  outer.push({ name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', Layers: names }]) })
  return Readable.from([await tar(outer)])
}

const measure = async (gzip: boolean) => readSaveStream(await archive(gzip), { threads: 1, compress: false, scan: { forbid: () => false } })

describe('the layers\' unpacked sizes, on either store', () => {
  it('counts files, symlink targets and a hard link once; newest first, empty layers left out', async () => {
    expect(countedLayers(await measure(false))).toEqual({
      layers: [
        { size: 28 + 700, instruction: 'COPY app/ .' },
        { size: 3000 + '/bin/busybox'.length, instruction: 'ADD rootfs.tar /' }
      ],
      unread: []
    })
  })

  it('gives the same figures for the gzip blobs the containerd store keeps, an empty layer\'s tiny blob included', async () => {
    const measured = await measure(true)
    expect(measured.alreadyCompressed).toBe(true)
    // the WORKDIR layer's blob is shorter than a tar header
    expect(countedLayers(measured)).toEqual(countedLayers(await measure(false)))
    // and what they hold is read as well: the secret, and the whiteout that does not remove it
    expect(contentsOf(measured, { allowPaths: [] }).findings).toEqual([
      expect.objectContaining({ kind: 'secret', path: '/app/.env', instruction: 'COPY app/ .', deletedBy: 'RUN rm -f /app/.env' })
    ])
  })

  it('counts a layer that could not be read to its end at its blob size, and names it; with none read, nothing', async () => {
    const measured = await measure(true)
    const blob = measured.scanned!.blobSizes[2]
    measured.scanned!.layers[2] = { ...measured.scanned!.layers[2]!, error: 'the layer does not unpack: unexpected end of file' }
    expect(countedLayers(measured)).toEqual({
      layers: [
        { size: blob, instruction: 'COPY app/ .' },
        { size: 3000 + '/bin/busybox'.length, instruction: 'ADD rootfs.tar /' }
      ],
      unread: [{ instruction: 'COPY app/ .', why: 'the layer does not unpack: unexpected end of file', bytes: blob }]
    })
    // the engine's own figures then say more than the archive's bytes (size.ts falls back to them)
    measured.scanned!.layers = measured.scanned!.layers.map(facts => facts && { ...facts, error: 'cut short' })
    expect(countedLayers(measured)).toBeUndefined()
  })
})
