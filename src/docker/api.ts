import * as http from 'node:http'
import { Duplex } from 'node:stream'
import { stop } from './command.js'
import { dockerSays, type Docker } from './docker.js'

// One GET to the engine's API, for what the CLI has no quick command for (stats in one shot: the
// CLI's `docker stats --no-stream` waits for a second sample, about 1.5 s, to compute CPU use).
// It goes through `docker system dial-stdio`, the CLI's own connection to the engine, so it reaches
// whatever the other calls reach (DOCKER_HOST, a context, TLS, ssh); Node's HTTP client speaks
// HTTP over that pipe, so no answer is parsed by hand.

export interface ApiAnswer {
  status: number
  body: string
}

/** What a stats answer may hold at most: a few kB, so anything this large is not one. */
const MAX_ANSWER_BYTES = 1 << 20

export function engineGet(docker: Pick<Docker, 'processes'>, path: string, limitMs: number): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const child = docker.processes.spawn('docker', ['system', 'dial-stdio'], ['pipe', 'pipe', 'pipe'])
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    // the pipe as the client's socket. Node's client does not end its side after the request,
    // which matters: Docker 20.10 takes a client that closed its side for one that left, and
    // answers a stats request with an empty body
    const socket = Duplex.from({ readable: child.stdout!, writable: child.stdin! })
    // ended by finish(): the request's own error handler says what went wrong
    socket.on('error', () => undefined)
    child.stdin!.on('error', () => undefined)
    let settled = false
    const finish = (err: Error | undefined, answer?: ApiAnswer) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      request.destroy()
      stop(child)
      if (err) reject(err)
      else resolve(answer!)
    }
    const timer = setTimeout(() => finish(new Error(`the engine did not answer within ${limitMs / 1000} s`)), limitMs)
    const request = http.get({ path, host: 'docker', createConnection: () => socket as never }, response => {
      const chunks: Buffer[] = []
      let bytes = 0
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk)
        bytes += chunk.length
        if (bytes > MAX_ANSWER_BYTES) finish(new Error('the engine gave an answer far larger than expected'))
      })
      response.on('end', () => finish(undefined, { status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      response.on('error', err => finish(err))
    })
    request.on('error', err => finish(new Error(stderr.trim() ? dockerSays(stderr) : err.message)))
    child.once('error', err => finish((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error('the docker CLI was not found') : err))
  })
}
