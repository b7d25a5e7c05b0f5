import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { gzipSync } from 'node:zlib'
import { Processes } from '../../src/docker/command.js'
import { Docker } from '../../src/docker/docker.js'
import { LEVEL } from '../../src/saved/compress-pool.js'
import { readSavedImage as measure } from '../../src/saved/saved-image.js'
import { imageStore } from './store.js'

const compressedSize = (ref: string) => measure(new Docker(new Processes()), ref)
const store = imageStore()

// compressedSize against a real engine, checked against references measured independently the
// slow way: `docker save` to a file, unpack it with tar, then for every layer manifest.json lists,
// zlib.gzipSync at the level compressedSize uses (LEVEL) on the extracted layer file. compressedSize
// deflates in 1 MiB chunks on worker threads (as pigz does), which costs a few bytes per chunk: each
// layer must be within 0.1% of one gzip stream, and a layer of one chunk (up to 1 MiB) exact, which
// checks the streaming, the tar parsing and the layer selection. `gzip -c` (GNU gzip -6) is only
// logged: a push (Go's gzip) sends ~2-3% more than it does, and compressedSize follows the push
// (push.test.ts checks that against a real `docker push`). On the containerd image store the
// layers are the gzip blobs it keeps, counted as they are.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/compressed:1'
let work: string

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'image-gate-compressed-'))
  const context = path.join(work, 'context')
  mkdirSync(context)
  copyFileSync('/bin/busybox', path.join(context, 'busybox'))
  // Two layers: the static busybox (a binary, compresses about 2:1) and ~3.4 MB of text (compresses well).
  writeFileSync(
    path.join(context, 'Dockerfile'),
    ['FROM scratch', 'COPY busybox /bin/busybox', 'RUN ["/bin/busybox", "sh", "-c", "/bin/busybox seq 1 500000 > /numbers.txt"]', ''].join('\n')
  )
  execFileSync('docker', ['buildx', 'build', '--load', '--tag', TAG, context], { stdio: 'ignore' })
})

afterAll(() => {
  execFileSync('docker', ['image', 'rm', '--force', TAG], { stdio: 'ignore' })
  rmSync(work, { recursive: true, force: true })
})

/** Per distinct layer: gzip CLI size and zlib size, or the file's own size for both if it is gzip already. */
function reference(ref: string): { cli: number[]; zlib: number[] } {
  const dir = mkdtempSync(path.join(work, 'save-'))
  try {
    execFileSync('docker', ['save', '--output', path.join(dir, 'image.tar'), ref])
    execFileSync('tar', ['-xf', path.join(dir, 'image.tar'), '-C', dir])
    rmSync(path.join(dir, 'image.tar'))
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[]
    const files = [...new Set(manifest[0].Layers.map(layer => realpathSync(path.join(dir, layer))))] // symlinked repeats once
    const cli = files.map(file => (isGzip(file) ? statSync(file).size : execFileSync('gzip', ['-c', file], { maxBuffer: 1 << 30 }).length))
    const zlib = files.map(file => (isGzip(file) ? statSync(file).size : gzipSync(readFileSync(file), { level: LEVEL }).length))
    return { cli, zlib }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)
const off = (value: number, reference: number) => Math.abs(value - reference) / reference

function isGzip(file: string): boolean {
  const fd = openSync(file, 'r')
  const head = Buffer.alloc(2)
  readSync(fd, head, 0, 2, 0)
  closeSync(fd)
  return head[0] === 0x1f && head[1] === 0x8b
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = process.hrtime.bigint()
  const result = await work()
  return [result, Number(process.hrtime.bigint() - started) / 1e9]
}

describe('compressedSize on a real engine', () => {
  it('the fixture: each layer within 0.1% of one gzip stream at the same level, a one-chunk layer exactly', async () => {
    const [measured, seconds] = await timed(() => compressedSize(TAG))
    const ref = reference(TAG)
    console.log(
      `${TAG}: compressed ${measured.compressed} B (${measured.layers.map(l => l.compressed).join(' + ')}) in ${seconds.toFixed(2)} s; ` +
        `zlib ${sum(ref.zlib)} B (${ref.zlib.join(' + ')}); gzip -c ${sum(ref.cli)} B (${ref.cli.join(' + ')})`
    )
    expect(measured.layers).toHaveLength(2)
    if (store === 'containerd') {
      // that store keeps the layers gzip-compressed, as a push sends them: counted as they are
      expect(measured.alreadyCompressed).toBe(true)
      expect(measured.layers.map(l => l.compressed)).toEqual(ref.zlib)
      return
    }
    expect(measured.alreadyCompressed).toBe(false)
    measured.layers.forEach((layer, i) => expect(off(layer.compressed, ref.zlib[i])).toBeLessThan(0.001))
    expect(off(measured.compressed, sum(ref.zlib))).toBeLessThan(0.001)
    // busybox is under 1 MiB compressed but ~2 MB raw: two chunks; the text layer: ~3.4 MB raw, far smaller gzipped
    expect(measured.layers[1].size).toBeGreaterThan(3_000_000)
    expect(measured.layers[1].compressed).toBeLessThan(measured.layers[1].size / 3)
  })

  it('node:18-alpine (~120 MB): within 0.1% of one gzip stream, in seconds', async () => {
    const [measured, seconds] = await timed(() => compressedSize('node:18-alpine'))
    const started = Date.now()
    const ref = reference('node:18-alpine')
    const refSeconds = (Date.now() - started) / 1000
    const raw = sum(measured.layers.map(l => l.size))
    console.log(
      `node:18-alpine: ${measured.layers.length} layer(s), ${raw} B raw, compressed ${measured.compressed} B in ${seconds.toFixed(2)} s ` +
        `(level ${measured.level}, ${measured.threads} threads at nice ${measured.nice}); zlib ${sum(ref.zlib)} B ` +
        `(${((measured.compressed / sum(ref.zlib) - 1) * 100).toFixed(3)}%); gzip -c ${sum(ref.cli)} B; references took ${refSeconds.toFixed(2)} s`
    )
    expect(off(measured.compressed, sum(ref.zlib))).toBeLessThan(0.001)
    expect(seconds).toBeLessThan(60)
  })

  it('an image that does not exist: docker\'s own message, and no docker save left running', async () => {
    await expect(compressedSize('image-gate-e2e/compressed:does-not-exist')).rejects.toThrow(
      /^docker save failed: .*(No such image|not found|does not exist)/i
    )
    const children = execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
    expect(children).not.toContain('docker save')
  })
})
