import { Transform } from 'node:stream'
import { Decompress } from 'fzstd'

// A zstd layer (the containerd store keeps layers pushed or pulled with zstd so) unpacked as a
// stream, like zlib's createGunzip. Node 20's zlib has no zstd; fzstd is a small pure-JS decoder
// with no dependencies, so the bundle stays one file and runs on every Node the action runs on.

export function createUnzstd(): Transform {
  const decoder = new Decompress()
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      try {
        decoder.push(chunk)
        done()
      } catch (error) {
        done(error as Error)
      }
    },
    flush(done) {
      try {
        decoder.push(new Uint8Array(0), true)
        done()
      } catch (error) {
        done(error as Error)
      }
    }
  })
  decoder.ondata = data => void stream.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))
  return stream
}
