import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { getPriority, tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { constants, deflateRawSync, gzipSync, inflateRawSync } from 'node:zlib'
import { pack } from 'tar-stream'

// compressedSize runs `docker`; the tests below point that at stand-in scripts. (Changing PATH does
// not work here: jest gives the test its own copy of process.env, and spawn reads the real one.)
const childProcess = await import('node:child_process')
let dockerBinary = 'docker'
jest.unstable_mockModule('node:child_process', () => ({
  ...childProcess,
  spawn: (command: string, args: string[], options: object) => childProcess.spawn(command === 'docker' ? dockerBinary : command, args, options)
}))
const compressed = await import('../../src/saved/saved-image.js')
const { CHUNK, DeflatePool, LayerCount, LEVEL, WINDOW } = await import('../../src/saved/compress-pool.js')
const { Docker, EngineError } = await import('../../src/docker/docker.js')
const { Processes } = await import('../../src/docker/command.js')
const { measureSizes } = await import('../../src/stages/size.js')
const { RunContext } = await import('../../src/context.js')
const { silent } = await import('../../src/sink.js')
type SizeInputs = import('../../src/stages/size.js').SizeInputs
const { readSaveStream } = compressed
const { countedLayers } = await import('../../src/saved/layers.js')
const { globs } = await import('../../src/globs.js')
/** Each call is a run of its own: its own processes and Docker client. */
const compressedSize = (ref: string) => compressed.readSavedImage(new Docker(new Processes()), ref)

// readSaveStream on synthetic `docker save` archives for both layouts, and the chunked count it uses.
// A layer is deflated in 1 MiB chunks on worker threads, each primed with the 32 KiB before it and
// ended with a sync flush (as pigz does). `pigz` below does the same in-process and returns the
// stream: the worker pool must count exactly its length, and that stream must be valid gzip data
// within 0.1% of zlib.gzipSync on the whole layer. A layer up to 1 MiB is one chunk, so its count
// is exactly gzipSync's.

/** The chunked stream, made the way the workers make it: gzip header, chunks, trailer (CRC left 0). */
function pigz(data: Buffer, level = LEVEL): Buffer {
  const parts = [Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff])]
  for (let at = 0; at === 0 || at < data.length; at += CHUNK) {
    const last = at + CHUNK >= data.length
    const dictionary = at > 0 ? data.subarray(at - WINDOW, at) : undefined
    parts.push(deflateRawSync(data.subarray(at, at + CHUNK), { level, dictionary, finishFlush: last ? constants.Z_FINISH : constants.Z_SYNC_FLUSH }))
  }
  parts.push(Buffer.alloc(8))
  return Buffer.concat(parts)
}

type Entry = { name: string; data?: Buffer | string; type?: 'file' | 'symlink' | 'directory'; linkname?: string }

async function tar(entries: Entry[]): Promise<Buffer> {
  const p = pack()
  for (const e of entries) {
    if (e.type === 'symlink' || e.type === 'directory') p.entry({ name: e.name, type: e.type, linkname: e.linkname })
    else p.entry({ name: e.name }, e.data ?? '')
  }
  p.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of p) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Feeds the archive in chunks of `size` bytes, as a pipe would (not aligned to tar blocks). */
function chunked(buffer: Buffer, size = 64 * 1024): Readable {
  const parts: Buffer[] = []
  for (let i = 0; i < buffer.length; i += size) parts.push(buffer.subarray(i, i + size))
  return Readable.from(parts)
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')
/** what the measurement must count for a layer: the chunked stream's length */
const gz = (b: Buffer) => pigz(b).length

// Layer contents: compressible text, incompressible noise, and a blob that is gzip already.
const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i}: the quick brown fox\n`).join(''))
const noise = randomBytes(200_000)
const gzipped = gzipSync(Buffer.from('x'.repeat(500_000) + 'y'.repeat(100_000)))
const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })

describe('readSaveStream, classic docker-archive layout', () => {
  const archive = () =>
    tar([
      { name: 'aaa/', type: 'directory' },
      { name: 'aaa/VERSION', data: '1.0' },
      { name: 'aaa/json', data: '{"id":"aaa"}' },
      { name: 'aaa/layer.tar', data: text },
      { name: 'bbb/layer.tar', data: noise },
      // a repeated layer: docker save writes a symlink to the first copy
      { name: 'ccc/layer.tar', type: 'symlink', linkname: '../aaa/layer.tar' },
      { name: 'cfg.json', data: config },
      { name: 'repositories', data: '{"x":{"1":"ccc"}}' },
      // manifest.json after the layers, as docker writes it
      {
        name: 'manifest.json',
        data: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['x:1'], Layers: ['bbb/layer.tar', 'aaa/layer.tar', 'ccc/layer.tar'] }])
      }
    ])

  it('sums the gzip size of each layer once, in manifest order', async () => {
    const result = await readSaveStream(chunked(await archive()))
    expect(result.layers).toEqual([
      { path: 'bbb/layer.tar', size: noise.length, compressed: gz(noise) },
      { path: 'aaa/layer.tar', size: text.length, compressed: gz(text) }
    ])
    expect(result.compressed).toBe(gz(noise) + gz(text))
    expect(result.alreadyCompressed).toBe(false)
    // sanity: text compresses well, noise does not
    expect(gz(text)).toBeLessThan(text.length / 4)
    expect(gz(noise)).toBeGreaterThan(noise.length)
  })

  it('gives the same answer however the pipe splits the stream', async () => {
    const whole = await readSaveStream(chunked(await archive(), 1 << 30))
    expect(await readSaveStream(chunked(await archive(), 1000))).toEqual(whole)
    // 3-byte chunks (so a layer's first chunk is shorter than the magic bytes) on a small archive
    const small = await tar([
      { name: 'a/layer.tar', data: text.subarray(0, 3000) },
      { name: 'b/layer.tar', data: gzipped },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]) }
    ])
    expect(await readSaveStream(chunked(small, 3))).toEqual(await readSaveStream(chunked(small, 1 << 30)))
    expect((await readSaveStream(chunked(small, 3))).layers).toEqual([
      { path: 'a/layer.tar', size: 3000, compressed: gz(text.subarray(0, 3000)) },
      { path: 'b/layer.tar', size: gzipped.length, compressed: gzipped.length }
    ])
  })

  it('rejects when the manifest names a layer the archive lacks', async () => {
    const bad = await tar([
      { name: 'aaa/layer.tar', data: text },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['aaa/layer.tar', 'zzz/layer.tar'] }]) }
    ])
    await expect(readSaveStream(chunked(bad))).rejects.toThrow('the image archive has no zzz/layer.tar')
  })

  it('rejects a truncated archive', async () => {
    const whole = await archive()
    await expect(readSaveStream(chunked(whole.subarray(0, 100_000)))).rejects.toThrow('Unexpected end of data')
  })
})

describe('readSaveStream, OCI layout (Docker 25+)', () => {
  const blob = (b: Buffer | string) => `blobs/sha256/${sha(Buffer.from(b))}`

  it('counts a blob that is gzip already as its own size, and a repeated layer once', async () => {
    const manifest = [{ Config: blob(config), RepoTags: ['x:1'], Layers: [blob(text), blob(gzipped), blob(text)] }]
    const archive = await tar([
      { name: 'blobs/', type: 'directory' },
      { name: 'blobs/sha256/', type: 'directory' },
      { name: blob(gzipped), data: gzipped },
      { name: blob(text), data: text },
      { name: blob(config), data: config },
      { name: 'index.json', data: '{"schemaVersion":2,"manifests":[]}' },
      { name: 'manifest.json', data: JSON.stringify(manifest) },
      { name: 'oci-layout', data: '{"imageLayoutVersion":"1.0.0"}' }
    ])
    const result = await readSaveStream(chunked(archive))
    expect(result.layers).toEqual([
      { path: blob(text), size: text.length, compressed: gz(text) },
      { path: blob(gzipped), size: gzipped.length, compressed: gzipped.length }
    ])
    expect(result.compressed).toBe(gz(text) + gzipped.length)
    // one layer was estimated, so the total is not the store's own blobs
    expect(result.alreadyCompressed).toBe(false)
  })

  it('alreadyCompressed when every layer blob is gzip (the containerd image store)', async () => {
    const second = gzipSync(text)
    const archive = await tar([
      { name: 'manifest.json', data: JSON.stringify([{ Layers: [blob(gzipped), blob(second)] }]) },
      { name: blob(gzipped), data: gzipped },
      { name: blob(second), data: second }
    ])
    const result = await readSaveStream(chunked(archive))
    expect(result.layers.map(l => l.path)).toEqual([blob(gzipped), blob(second)])
    expect(result.compressed).toBe(gzipped.length + second.length)
    expect(result.alreadyCompressed).toBe(true)
  })

  it('follows index.json when there is no manifest.json, skipping attestation manifests', async () => {
    const attestation = JSON.stringify({ layers: [{ digest: `sha256:${sha(Buffer.from('{"in-toto":1}'))}` }] })
    const image = JSON.stringify({ config: { digest: `sha256:${sha(Buffer.from(config))}` }, layers: [text, noise].map(b => ({ digest: `sha256:${sha(b)}` })) })
    const list = JSON.stringify({
      manifests: [
        { digest: `sha256:${sha(Buffer.from(image))}`, platform: { os: 'linux', architecture: 'amd64' } },
        { digest: `sha256:${'0'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } }, // not saved
        { digest: `sha256:${sha(Buffer.from(attestation))}`, platform: { os: 'unknown', architecture: 'unknown' } }
      ]
    })
    const archive = await tar([
      { name: blob(text), data: text },
      { name: blob(noise), data: noise },
      { name: blob('{"in-toto":1}'), data: '{"in-toto":1}' },
      { name: blob(config), data: config },
      { name: blob(image), data: image },
      { name: blob(attestation), data: attestation },
      { name: blob(list), data: list },
      { name: 'index.json', data: JSON.stringify({ manifests: [{ digest: `sha256:${sha(Buffer.from(list))}` }] }) }
    ])
    const result = await readSaveStream(chunked(archive))
    expect(result.layers.map(l => l.path)).toEqual([blob(text), blob(noise)])
    expect(result.compressed).toBe(gz(text) + gz(noise))
  })
})

describe('readSaveStream, edge cases', () => {
  it('an image without layers (FROM scratch and nothing else) measures 0', async () => {
    const archive = await tar([{ name: 'manifest.json', data: JSON.stringify([{ Layers: [] }]) }])
    expect(await readSaveStream(chunked(archive))).toMatchObject({ compressed: 0, layers: [], alreadyCompressed: false })
  })

  it('empty and tiny layers still count their gzip framing', async () => {
    const archive = await tar([
      { name: 'a/layer.tar', data: '' },
      { name: 'b/layer.tar', data: 'ab' },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]) }
    ])
    const result = await readSaveStream(chunked(archive))
    // one chunk each, so exactly what gzip makes of them (20 and 22 bytes)
    expect(result.layers).toEqual([
      { path: 'a/layer.tar', size: 0, compressed: gzipSync(Buffer.alloc(0), { level: LEVEL }).length },
      { path: 'b/layer.tar', size: 2, compressed: gzipSync(Buffer.from('ab'), { level: LEVEL }).length }
    ])
    expect(result.layers.map(l => l.compressed)).toEqual([20, 22])
  })

  it('a layer that is gzip or zstd already counts as its own size', async () => {
    const zstd = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), noise]) // a zstd frame's magic bytes
    const archive = await tar([
      { name: 'a/layer.tar', data: gzipped },
      { name: 'b/layer.tar', data: zstd },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]) }
    ])
    const result = await readSaveStream(chunked(archive))
    expect(result.layers.map(l => l.compressed)).toEqual([gzipped.length, zstd.length])
    expect(result.alreadyCompressed).toBe(true)
  })

  it('rejects an archive with no manifest at all', async () => {
    const archive = await tar([{ name: 'aaa/layer.tar', data: text }])
    await expect(readSaveStream(chunked(archive))).rejects.toThrow('the image archive has neither manifest.json nor index.json')
  })
})

/** Threads of this process running at nice 19: the compression workers (Linux). */
function nicedThreads(): number {
  const nice = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16])
  return readdirSync('/proc/self/task').filter(tid => nice(tid) === 19).length
}

/** The count LayerCount gives for `data`, written in pieces of `piece` bytes. */
async function count(data: Buffer, piece = 64 * 1024, pool = new DeflatePool()): Promise<number> {
  const layer = new LayerCount(pool)
  try {
    for (let at = 0; at < data.length; at += piece) await layer.write(data.subarray(at, at + piece))
    return await layer.end()
  } finally {
    await pool.close()
  }
}

const off = (value: number, reference: number) => Math.abs(value - reference) / reference

describe('the chunked count', () => {
  // a real binary (this node), text, and noise: 5 MiB of each kind of layer content
  const binary = readFileSync(process.execPath).subarray(0, 5 * CHUNK)
  const lines = Buffer.from(Array.from({ length: 200_000 }, (_, i) => `${i}\t/usr/lib/node_modules/pkg-${i % 977}/index.js\n`).join('')).subarray(0, 5 * CHUNK)
  const mixed = Buffer.concat([binary, lines, randomBytes(CHUNK + 12_345)])

  it('counts the stream pigz-style chunking makes, which is valid and within 0.1% of one gzip stream', async () => {
    for (const data of [binary, lines, mixed]) {
      const stream = pigz(data)
      expect(await count(data)).toBe(stream.length)
      // the chunks laid end to end inflate to the layer: the count is a real stream's size
      expect(inflateRawSync(stream.subarray(10, -8)).equals(data)).toBe(true)
      expect(off(stream.length, gzipSync(data, { level: LEVEL }).length)).toBeLessThan(0.001)
    }
  })

  it('many chunk boundaries, however the input is split, and layers of exactly n chunks', async () => {
    const data = mixed.subarray(0, 3 * CHUNK)
    const expected = pigz(data).length
    expect(await count(data, 7_777)).toBe(expected)
    expect(await count(data, 1 << 30)).toBe(expected)
    expect(await count(data, CHUNK)).toBe(expected)
    expect(await count(data.subarray(0, 3 * CHUNK - 1))).toBe(pigz(data.subarray(0, 3 * CHUNK - 1)).length)
    expect(await count(mixed.subarray(0, CHUNK + 1))).toBe(pigz(mixed.subarray(0, CHUNK + 1)).length)
    // a single worker thread gives the same count as several
    expect(await count(data, 100_000, new DeflatePool(LEVEL, 1))).toBe(expected)
  })

  it('empty and tiny layers: exactly gzip', async () => {
    expect(await count(Buffer.alloc(0))).toBe(gzipSync(Buffer.alloc(0)).length)
    expect(await count(Buffer.from('a'))).toBe(gzipSync(Buffer.from('a'), { level: LEVEL }).length)
    expect(await count(text.subarray(0, CHUNK))).toBe(gzipSync(text.subarray(0, CHUNK), { level: LEVEL }).length)
  })

  it('runs on worker threads at nice 19, leaving the main thread at its own priority (Linux)', async () => {
    const pool = new DeflatePool(LEVEL, 2)
    try {
      const layer = new LayerCount(pool)
      await layer.write(mixed)
      await layer.end()
      expect(pool.nice).toBe(19)
      expect(nicedThreads()).toBe(2)
      expect(getPriority()).toBe(0) // this thread: setpriority in a worker lowered that thread only
    } finally {
      await pool.close()
    }
    // a terminated worker's OS thread may outlive close() by a moment (seen on a loaded machine)
    for (let i = 0; i < 40 && nicedThreads() > 0; i++) await new Promise(resolve => setTimeout(resolve, 50))
    expect(nicedThreads()).toBe(0)
  })

  it('bounded: at most two chunks per thread in flight, then the writer waits', async () => {
    const pool = new DeflatePool(LEVEL, 1)
    try {
      const sent = [pool.deflate(pool.buffer(), 0, CHUNK, true), pool.deflate(pool.buffer(), 0, CHUNK, true)]
      let roomy = false
      const room = pool.room().then(() => (roomy = true))
      await new Promise(resolve => setImmediate(resolve))
      expect(roomy).toBe(false)
      await Promise.race(sent)
      await room
      expect(roomy).toBe(true)
      await Promise.all(sent)
    } finally {
      await pool.close()
    }
  })
})

describe('compressedSize with a stand-in docker', () => {
  const bin = mkdtempSync(path.join(tmpdir(), 'image-gate-fake-docker-'))
  afterAll(() => {
    dockerBinary = 'docker'
    rmSync(bin, { recursive: true, force: true })
  })
  const fakeDocker = (script: string) => {
    writeFileSync(path.join(bin, 'docker'), `#!/bin/sh\n${script}\n`)
    chmodSync(path.join(bin, 'docker'), 0o755)
    dockerBinary = path.join(bin, 'docker')
  }
  const children = () => execFileSync('ps', ['-o', 'args=', '--ppid', String(process.pid)], { encoding: 'utf8' })

  it('passes the ref as one argument, and measures what docker save writes', async () => {
    const archive = await tar([
      { name: 'a/layer.tar', data: text },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar'] }]) }
    ])
    writeFileSync(path.join(bin, 'image.tar'), archive)
    fakeDocker(`[ "$1" = save ] && [ "$2" = 'x:1; rm -rf /' ] && [ $# = 2 ] || exit 3\nexec cat "${path.join(bin, 'image.tar')}"`)
    expect((await compressedSize('x:1; rm -rf /')).compressed).toBe(gz(text))
  })

  it("rejects with docker's last stderr line when docker save fails", async () => {
    fakeDocker('echo "some progress" >&2\necho "Error response from daemon: fake engine says no" >&2\nexit 1')
    await expect(compressedSize('nope:1')).rejects.toThrow(/^docker save failed: Error response from daemon: fake engine says no$/)
  })

  it('docker failing mid-stream: its message, not the truncated tar', async () => {
    writeFileSync(path.join(bin, 'half.tar'), (await tar([{ name: 'a/layer.tar', data: noise }])).subarray(0, 50_000))
    fakeDocker(`cat "${path.join(bin, 'half.tar')}"\necho "Error response from daemon: layer vanished" >&2\nexit 1`)
    await expect(compressedSize('x:1')).rejects.toThrow(/^docker save failed: Error response from daemon: layer vanished$/)
    // the compression workers were stopped too: no thread is left waiting for input
    expect(nicedThreads()).toBe(0)
  })

  it('kills docker save when its output is not a tar, and reports the tar error', async () => {
    // ignores SIGPIPE and keeps writing: only our kill ends it, else this test would time out
    fakeDocker("trap '' PIPE\nwhile :; do echo not-a-tar-archive-but-text-instead; done 2>/dev/null")
    await expect(compressedSize('x:1')).rejects.toThrow(/invalid tar header/i)
    expect(children()).not.toContain('docker save')
  })

  it('a missing docker binary is the engine error that says so, not a crash', async () => {
    dockerBinary = path.join(bin, 'no-such-docker')
    const err = await compressedSize('x:1').catch((e: Error) => e) as Error
    expect(err).toBeInstanceOf(EngineError)
    expect(err.message).toBe('the docker CLI was not found on PATH. Install Docker, or run on a GitHub-hosted Ubuntu runner, which has it.')
  })

  it('after a Docker call went unanswered, docker save is not even started', async () => {
    fakeDocker('exec sleep 5')
    const docker = new Docker(new Processes(), 50)
    await expect(docker.call(['inspect', 'x'])).rejects.toThrow('did not answer `docker inspect`')
    fakeDocker('exit 7')
    await expect(compressed.readSavedImage(docker, 'x:1')).rejects.toThrow('did not answer `docker inspect`')
  })

  // measureSizes is started with the run-and-wait stage (pipeline.ts), given its promise
  describe('measureSizes, alongside the run', () => {
    const sizeInputs = { compressedSize: true, compareTo: '', compareStages: false, allowPaths: [], forbidPaths: [] } as unknown as SizeInputs
    const measureWith = async (running: Promise<unknown>) => {
      const warnings: string[] = []
      const ctx = new RunContext({ ...silent, warning: (m: string) => void warnings.push(m) })
      return { result: await measureSizes(ctx, sizeInputs, 'x:1', { store: 'classic' }, running), warnings }
    }
    const saved = path.join(bin, 'saved')

    it('docker save starts before the run ends; the rest waits for it', async () => {
      writeFileSync(path.join(bin, 'image.tar'), await tar([{ name: 'a/layer.tar', data: text }, { name: 'manifest.json', data: '[{"Layers":["a/layer.tar"]}]' }]))
      rmSync(saved, { force: true })
      // docker save notes that it ran; history (after the run) say so in the log of calls
      fakeDocker(`echo "$1" >> "${saved}"
case "$1" in save) exec cat "${path.join(bin, 'image.tar')}" ;; esac`)
      let finish = () => undefined as void
      const running = new Promise<void>(resolve => (finish = resolve))
      const measuring = measureWith(running)
      // the shell creates the file before it writes the line: wait for the line (a loaded machine is slow)
      const said = () => (existsSync(saved) ? readFileSync(saved, 'utf8') : '')
      for (let i = 0; i < 500 && !said().endsWith('\n'); i++) await new Promise(resolve => setTimeout(resolve, 10))
      expect(said()).toBe('save\n') // the run is still going: nothing else yet
      finish()
      const { result, warnings } = await measuring
      expect(result.image).toMatchObject({ compressedSize: gz(text), compressedBy: 'zlib', store: 'classic' })
      expect(readFileSync(saved, 'utf8')).toBe('save\nhistory\n')
      expect(warnings).toEqual([])
    })

    it('when the run fails, docker save is stopped and nothing is measured or said', async () => {
      fakeDocker("trap '' PIPE\nexec sleep 30")
      let fail: (error: Error) => void = () => undefined
      const running = new Promise<void>((_, reject) => (fail = reject))
      const measuring = measureWith(running)
      await new Promise(resolve => setTimeout(resolve, 100))
      expect(children()).toContain('sleep 30')
      fail(new Error('the engine went away'))
      expect(await measuring).toEqual({ result: { image: {} }, warnings: [] })
      expect(children()).not.toContain('sleep 30')
      expect(nicedThreads()).toBe(0)
    })
  })
})

describe('every layer counts toward the size', () => {
  /** A valid zstd frame of raw (stored) blocks: what fzstd must unpack, made without a zstd encoder. */
  function zstdRaw(data: Buffer): Buffer {
    const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58])] // magic; no checksum; a 2 MiB window
    for (let at = 0; at === 0 || at < data.length; at += 128 * 1024) {
      const block = data.subarray(at, at + 128 * 1024)
      const last = at + 128 * 1024 >= data.length ? 1 : 0
      const header = (block.length << 3) | last // type 0: raw
      parts.push(Buffer.from([header & 0xff, (header >> 8) & 0xff, (header >> 16) & 0xff]), block)
    }
    return Buffer.concat(parts)
  }

  async function archive(layers: Buffer[], history: string[]): Promise<Buffer> {
    const cfg = JSON.stringify({ history: history.map(created_by => ({ created_by })) })
    return tar([
      ...layers.map((data, i) => ({ name: `l${i}/layer.tar`, data })),
      { name: 'cfg.json', data: cfg },
      { name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', Layers: layers.map((_, i) => `l${i}/layer.tar`) }]) }
    ])
  }

  it("reads the classic store's empty layer (1,024 zero bytes) and a zstd layer, file by file", async () => {
    const files = await tar([{ name: 'bin/app', data: 'a'.repeat(300_000) }, { name: 'app/.env', data: 'TOKEN=x\n' }])
    const measured = await readSaveStream(chunked(await archive([await tar([{ name: 'bin/sh', data: 'b'.repeat(1_000) }]), Buffer.alloc(1024), zstdRaw(files)], ['COPY sh /bin/sh', 'RUN true', 'COPY app /'])), {
      threads: 1,
      scan: { forbid: globs([]) }
    })
    expect(countedLayers(measured)).toEqual({
      layers: [
        { size: 300_008, instruction: 'COPY app /' },
        { size: 1_000, instruction: 'COPY sh /bin/sh' }
      ],
      unread: []
    })
    expect(measured.scanned!.layers[2]!.found.map(f => f.path)).toEqual(['app/.env'])
  })

  it('counts a layer it cannot read at its archive size, and names it', async () => {
    const junk = Buffer.concat([Buffer.from('not a tar at all'), randomBytes(2_000)])
    const broken = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58]), Buffer.from([0xff, 0xff, 0xff]), randomBytes(100)])
    const measured = await readSaveStream(chunked(await archive([await tar([{ name: 'bin/sh', data: 'b'.repeat(1_000) }]), junk, broken], ['COPY sh /bin/sh', 'ADD junk /', 'ADD broken /'])), {
      threads: 1,
      scan: { forbid: globs([]) }
    })
    const counted = countedLayers(measured)!
    expect(counted.layers).toEqual([
      { size: broken.length, instruction: 'ADD broken /' },
      { size: junk.length, instruction: 'ADD junk /' },
      { size: 1_000, instruction: 'COPY sh /bin/sh' }
    ])
    expect(counted.unread.map(l => [l.instruction, l.bytes])).toEqual([
      ['ADD junk /', junk.length],
      ['ADD broken /', broken.length]
    ])
    expect(counted.unread[0].why).toBe('not a tar, nor a gzip or zstd blob')
    expect(counted.unread[1].why).toMatch(/^the zstd layer does not unpack: /)
  })
})
