import { afterAll, describe, expect, it, jest } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { pack } from 'tar-stream'

// compressedSize runs `docker`; the tests below point that at stand-in scripts. (Changing PATH does
// not work here: jest gives the test its own copy of process.env, and spawn reads the real one.)
const childProcess = await import('node:child_process')
let dockerBinary = 'docker'
jest.unstable_mockModule('node:child_process', () => ({
  ...childProcess,
  spawn: (command: string, args: string[], options: object) => childProcess.spawn(command === 'docker' ? dockerBinary : command, args, options)
}))
const compressed = await import('../../src/stages/compressed.js')
const { Docker, EngineError } = await import('../../src/docker/docker.js')
const { Processes } = await import('../../src/docker/command.js')
type Compressor = 'gzip' | 'zlib'
/** Each call is a run of its own: its own processes and Docker client. */
const measureTar = (input: Readable, using: Compressor) => compressed.measureTar(input, new Processes(), using)
const compressedSize = (ref: string, using?: Compressor) => compressed.compressedSize(new Docker(new Processes()), ref, using)

// measureTar on synthetic `docker save` archives for both layouts. The expected sizes come from
// zlib.gzipSync on the whole layer: streaming the same bytes through createGzip in chunks gives the
// identical deflate stream (same level 6, windowBits, memLevel, no flushes between writes, the same
// fixed 10-byte header), so the sizes must match to the byte.

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
const gz = (b: Buffer) => gzipSync(b).length

// Layer contents: compressible text, incompressible noise, and a blob that is gzip already.
const text = Buffer.from(Array.from({ length: 40_000 }, (_, i) => `line ${i}: the quick brown fox\n`).join(''))
const noise = randomBytes(200_000)
const gzipped = gzipSync(Buffer.from('x'.repeat(500_000) + 'y'.repeat(100_000)))
const config = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })

describe('measureTar, classic docker-archive layout', () => {
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
    const result = await measureTar(chunked(await archive()), 'zlib')
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
    const whole = await measureTar(chunked(await archive(), 1 << 30), 'zlib')
    expect(await measureTar(chunked(await archive(), 1000), 'zlib')).toEqual(whole)
    // 3-byte chunks (so a layer's first chunk is shorter than the magic bytes) on a small archive:
    // every chunk is one zlib job, so the big one would take long
    const small = await tar([
      { name: 'a/layer.tar', data: text.subarray(0, 3000) },
      { name: 'b/layer.tar', data: gzipped },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]) }
    ])
    expect(await measureTar(chunked(small, 3), 'zlib')).toEqual(await measureTar(chunked(small, 1 << 30), 'zlib'))
    expect((await measureTar(chunked(small, 3), 'zlib')).layers).toEqual([
      { path: 'a/layer.tar', size: 3000, compressed: gz(text.subarray(0, 3000)) },
      { path: 'b/layer.tar', size: gzipped.length, compressed: gzipped.length }
    ])
  })

  it('rejects when the manifest names a layer the archive lacks', async () => {
    const bad = await tar([
      { name: 'aaa/layer.tar', data: text },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['aaa/layer.tar', 'zzz/layer.tar'] }]) }
    ])
    await expect(measureTar(chunked(bad), 'zlib')).rejects.toThrow('the image archive has no zzz/layer.tar')
  })

  it('rejects a truncated archive', async () => {
    const whole = await archive()
    await expect(measureTar(chunked(whole.subarray(0, 100_000)), 'zlib')).rejects.toThrow('Unexpected end of data')
  })
})

describe('measureTar, OCI layout (Docker 25+)', () => {
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
    const result = await measureTar(chunked(archive), 'zlib')
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
    const result = await measureTar(chunked(archive), 'zlib')
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
    const result = await measureTar(chunked(archive), 'zlib')
    expect(result.layers.map(l => l.path)).toEqual([blob(text), blob(noise)])
    expect(result.compressed).toBe(gz(text) + gz(noise))
  })
})

describe('measureTar, edge cases', () => {
  it('an image without layers (FROM scratch and nothing else) measures 0', async () => {
    const archive = await tar([{ name: 'manifest.json', data: JSON.stringify([{ Layers: [] }]) }])
    expect(await measureTar(chunked(archive), 'zlib')).toEqual({ compressed: 0, layers: [], alreadyCompressed: false })
  })

  it('empty and tiny layers still count their gzip framing', async () => {
    const archive = await tar([
      { name: 'a/layer.tar', data: '' },
      { name: 'b/layer.tar', data: 'ab' },
      { name: 'manifest.json', data: JSON.stringify([{ Layers: ['a/layer.tar', 'b/layer.tar'] }]) }
    ])
    const result = await measureTar(chunked(archive), 'zlib')
    expect(result.layers).toEqual([
      { path: 'a/layer.tar', size: 0, compressed: gz(Buffer.alloc(0)) },
      { path: 'b/layer.tar', size: 2, compressed: gz(Buffer.from('ab')) }
    ])
  })

  it('rejects an archive with no manifest at all', async () => {
    const archive = await tar([{ name: 'aaa/layer.tar', data: text }])
    await expect(measureTar(chunked(archive), 'zlib')).rejects.toThrow('the image archive has neither manifest.json nor index.json')
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
    expect((await compressedSize('x:1; rm -rf /', 'zlib')).compressed).toBe(gz(text))
  })

  it("rejects with docker's last stderr line when docker save fails", async () => {
    fakeDocker('echo "some progress" >&2\necho "Error response from daemon: fake engine says no" >&2\nexit 1')
    await expect(compressedSize('nope:1')).rejects.toThrow(/^docker save failed: Error response from daemon: fake engine says no$/)
  })

  it('docker failing mid-stream: its message, not the truncated tar', async () => {
    writeFileSync(path.join(bin, 'half.tar'), (await tar([{ name: 'a/layer.tar', data: noise }])).subarray(0, 50_000))
    fakeDocker(`cat "${path.join(bin, 'half.tar')}"\necho "Error response from daemon: layer vanished" >&2\nexit 1`)
    await expect(compressedSize('x:1', 'gzip')).rejects.toThrow(/^docker save failed: Error response from daemon: layer vanished$/)
    // the layer's gzip process was stopped too: nothing is left waiting for input
    await new Promise(resolve => setTimeout(resolve, 100))
    expect(children()).not.toMatch(/^gzip /m)
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
    await expect(compressed.compressedSize(docker, 'x:1')).rejects.toThrow('did not answer `docker inspect`')
  })
})
