// Deflate on worker threads, keeping only the byte count: how compressed-size counts what a push
// sends. A layer is cut into 1 MiB chunks, each deflated on its own but primed with the 32 KiB
// before it as its dictionary and ended with a sync flush, as pigz does: the chunks' outputs, laid
// end to end, are one valid deflate stream, within ~0.02% of the size one zlib stream makes, and
// the chunks of one large layer (the base image's, most of an image) compress on every core.
//
// The workers lower their own CPU priority (nice 19) first: the compression runs while the
// container starts, and must take only what the app's startup leaves. On Linux, setpriority() on
// "this process" changes only the calling thread, so the main thread (the health wait) and the
// app keep theirs; elsewhere it would lower the whole process, so it is done on Linux only.
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'

export const CHUNK = 1 << 20
/** deflate's window: what a chunk can refer back to, so what primes the next one */
export const WINDOW = 32 * 1024
/** gzip's 10-byte header (no name, no time, as a push writes it) and 8-byte trailer (CRC-32, length) */
export const GZIP_FRAMING = 18

/**
 * The zlib level that tracks what `docker push` sends. A push gzips each layer with Go's
 * compress/gzip at its default level, which is not zlib's level 6 (Go hashes 4 bytes to find
 * matches, zlib 3, and Go cuts blocks differently). Measured by pushing to a registry and
 * comparing blob by blob (__tests__/e2e/push.test.ts; Docker 20.10), against the pushed total:
 * GNU gzip -6 -2.8% / -1.8% (the examples / a 680 MB mix of binaries, text, man pages and noise),
 * zlib 4 +2.3% / +1.5%, zlib 5 +0.2% / +0.0%, zlib 6 -0.4% / -0.4%. Level 5 is the closest, and
 * ~1.4× faster than 6 (58 against 41 MB/s per core on the examples' 120 MB base layer).
 */
export const LEVEL = 5

// The worker: CommonJS and node builtins only, passed as a string (eval), because a bundle made
// by ncc has no separate worker file to point at. It deflates each chunk synchronously on its own
// thread (async zlib would run on libuv's shared pool, at normal priority), and hands the buffer
// back so it is reused.
const SOURCE = `
const { parentPort } = require('node:worker_threads')
const os = require('node:os')
const zlib = require('node:zlib')
let nice = 0
try {
  if (process.platform === 'linux') os.setPriority(19)
  nice = os.getPriority()
} catch {}
parentPort.postMessage({ nice })
parentPort.on('message', ({ id, buffer, window, dict, length, last, level }) => {
  const all = Buffer.from(buffer)
  const options = { level, finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH }
  if (dict > 0) options.dictionary = all.subarray(window - dict, window)
  let bytes = 0
  let error
  try {
    bytes = zlib.deflateRawSync(all.subarray(window, window + length), options).length
  } catch (e) {
    error = String((e && e.message) || e)
  }
  parentPort.postMessage({ id, bytes, error, buffer }, [buffer])
})
`

interface Job {
  resolve: (bytes: number) => void
  reject: (error: Error) => void
  worker: Worker
}

/** Worker threads that deflate chunks and count the output; at most two chunks queued per thread. */
export class DeflatePool {
  readonly threads: number
  /** the workers' own nice value, once they have said (19 on Linux) */
  nice: number | undefined
  private readonly workers: Worker[] = []
  private readonly load = new Map<Worker, number>()
  private readonly jobs = new Map<number, Job>()
  private readonly free: ArrayBuffer[] = []
  private waiting: (() => void)[] = []
  private nextId = 0
  private failure: Error | undefined
  private closed = false

  constructor(
    readonly level = LEVEL,
    threads = Math.min(availableParallelism(), 8)
  ) {
    this.threads = Math.max(1, threads)
    for (let i = 0; i < this.threads; i++) {
      const worker = new Worker(SOURCE, { eval: true })
      worker.unref() // only a chunk in flight keeps the process alive (ref below)
      worker.on('message', (m: { nice?: number; id?: number; bytes: number; error?: string; buffer: ArrayBuffer }) => this.done(worker, m))
      worker.on('error', error => this.fail(error))
      worker.on('exit', code => this.closed || this.fail(new Error(`a compression worker stopped (exit code ${code})`)))
      this.workers.push(worker)
      this.load.set(worker, 0)
    }
  }

  /** Resolves when another chunk may be queued: until then the caller stops reading (backpressure). */
  async room(): Promise<void> {
    while (!this.failure && this.jobs.size >= this.threads * 2) await new Promise<void>(resolve => this.waiting.push(resolve))
    if (this.failure) throw this.failure
  }

  /** A chunk buffer: WINDOW bytes for the dictionary, then CHUNK bytes of data. */
  buffer(): Buffer {
    return Buffer.from(this.free.pop() ?? new ArrayBuffer(WINDOW + CHUNK))
  }

  /**
   * The deflated size of `length` bytes at WINDOW in `buffer`, primed with the `dict` bytes before
   * them; `last` ends the stream (Z_FINISH), else it ends with a sync flush. The buffer is handed
   * to the worker: the caller must not touch it again.
   */
  deflate(buffer: Buffer, dict: number, length: number, last: boolean): Promise<number> {
    if (this.failure) return Promise.reject(this.failure)
    const worker = this.workers.reduce((a, b) => ((this.load.get(b) ?? 0) < (this.load.get(a) ?? 0) ? b : a))
    const id = this.nextId++
    const counted = new Promise<number>((resolve, reject) => this.jobs.set(id, { resolve, reject, worker }))
    this.load.set(worker, (this.load.get(worker) ?? 0) + 1)
    worker.ref()
    const ab = buffer.buffer as ArrayBuffer
    worker.postMessage({ id, buffer: ab, window: WINDOW, dict, length, last, level: this.level }, [ab])
    return counted
  }

  /** Stops the workers. Chunks still in flight are rejected. */
  async close(): Promise<void> {
    this.closed = true
    this.fail(new Error('the compression was stopped'))
    await Promise.all(this.workers.map(w => w.terminate()))
  }

  private done(worker: Worker, m: { nice?: number; id?: number; bytes: number; error?: string; buffer: ArrayBuffer }): void {
    if (m.id === undefined) {
      this.nice = Math.min(this.nice ?? m.nice ?? 0, m.nice ?? 0)
      return
    }
    const job = this.jobs.get(m.id)
    if (!job) return
    this.jobs.delete(m.id)
    const load = (this.load.get(worker) ?? 1) - 1
    this.load.set(worker, load)
    if (load === 0) worker.unref()
    if (m.buffer.byteLength === WINDOW + CHUNK && this.free.length < this.threads * 2 + 2) this.free.push(m.buffer)
    if (m.error) job.reject(new Error(`compression failed: ${m.error}`))
    else job.resolve(m.bytes)
    this.waiting.shift()?.()
  }

  private fail(error: Error): void {
    this.failure ??= error
    for (const job of this.jobs.values()) job.reject(this.failure)
    this.jobs.clear()
    for (const wake of this.waiting.splice(0)) wake()
  }
}

/**
 * One layer's gzip size, written in pieces as the tar stream yields them. Full chunks go to the
 * pool as soon as the next byte shows they are not the last; `end` sends the last one.
 */
export class LayerCount {
  private buffer: Buffer
  private filled = 0
  private dict = 0
  private readonly counts: Promise<number>[] = []

  constructor(private readonly pool: DeflatePool) {
    this.buffer = pool.buffer()
  }

  /** Resolves once the data is taken; waits while the workers are busy, which pauses the reader. */
  async write(data: Buffer): Promise<void> {
    for (let at = 0; at < data.length; ) {
      if (this.filled === CHUNK) await this.send(false)
      const n = data.copy(this.buffer, WINDOW + this.filled, at, at + CHUNK - this.filled)
      this.filled += n
      at += n
    }
  }

  /** The gzip size of everything written: the chunks' deflate output plus the gzip framing. */
  async end(): Promise<number> {
    await this.send(true)
    const counts = await Promise.all(this.counts)
    return counts.reduce((sum, n) => sum + n, GZIP_FRAMING)
  }

  private async send(last: boolean): Promise<void> {
    await this.pool.room()
    const { buffer, filled, dict } = this
    if (!last) {
      // the next chunk is primed with this one's last 32 KiB (a full chunk is longer than that)
      this.buffer = this.pool.buffer()
      buffer.copy(this.buffer, 0, WINDOW + filled - WINDOW, WINDOW + filled)
      this.dict = WINDOW
      this.filled = 0
    }
    const counted = this.pool.deflate(buffer, dict, filled, last)
    counted.catch(() => undefined) // awaited in end(); a failure also surfaces through room()
    this.counts.push(counted)
  }
}
