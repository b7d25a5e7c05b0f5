import { stop } from './command.js'
import { dockerSays, type Docker } from './docker.js'

// One GET to the engine's API, for what the CLI has no quick command for (stats in one shot: the
// CLI's `docker stats --no-stream` waits for a second sample, about 1.5 s, to compute CPU use).
// It goes through `docker system dial-stdio`, the CLI's own connection to the engine, so it reaches
// whatever the other calls reach (DOCKER_HOST, a context, TLS, ssh). The request is HTTP/1.0: the
// answer then has no chunked encoding, and it ends at its Content-Length or when the engine closes
// the connection.

export interface ApiAnswer {
  status: number
  body: string
}

/** What a stats answer may hold at most: a few kB, so anything this large is not one. */
const MAX_ANSWER_BYTES = 1 << 20

export function engineGet(docker: Pick<Docker, 'processes'>, path: string, limitMs: number): Promise<ApiAnswer> {
  return new Promise((resolve, reject) => {
    const child = docker.processes.spawn('docker', ['system', 'dial-stdio'], ['pipe', 'pipe', 'pipe'])
    const chunks: Buffer[] = []
    let bytes = 0
    let stderr = ''
    let settled = false
    const finish = (err?: Error) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      stop(child)
      const answer = parseAnswer(Buffer.concat(chunks))
      if (err) reject(err)
      else if (answer) resolve(answer)
      else reject(new Error(bytes > 0 ? 'the engine gave an answer that is not HTTP' : dockerSays(stderr)))
    }
    const timer = setTimeout(() => finish(new Error(`the engine did not answer within ${limitMs / 1000} s`)), limitMs)
    child.stdout!.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      bytes += chunk.length
      if (bytes > MAX_ANSWER_BYTES) finish(new Error('the engine gave an answer far larger than expected'))
      else if (answerComplete(Buffer.concat(chunks))) finish()
    })
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', err => finish((err as NodeJS.ErrnoException).code === 'ENOENT' ? new Error('the docker CLI was not found') : err))
    child.once('close', () => finish())
    // stdin stays open until the answer is in: Docker 20.10 takes a client that closed its side of
    // the connection for one that left, and answers a stats request with an empty body
    child.stdin!.on('error', () => undefined)
    child.stdin!.write(`GET ${path} HTTP/1.0\r\nHost: docker\r\n\r\n`)
  })
}

/** The status and body of a whole HTTP answer; undefined when it is not one (yet). */
export function parseAnswer(raw: Buffer): ApiAnswer | undefined {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return undefined
  const head = raw.subarray(0, end).toString('latin1')
  const status = /^HTTP\/\d\.\d (\d{3})/.exec(head)
  if (!status) return undefined
  const body = raw.subarray(end + 4)
  const length = contentLength(head)
  return { status: Number(status[1]), body: body.subarray(0, length ?? body.length).toString('utf8') }
}

/** The headers are in and the body is as long as they say (without a length: only the close ends it). */
export function answerComplete(raw: Buffer): boolean {
  const end = raw.indexOf('\r\n\r\n')
  if (end < 0) return false
  const length = contentLength(raw.subarray(0, end).toString('latin1'))
  return length !== undefined && raw.length - end - 4 >= length
}

function contentLength(head: string): number | undefined {
  const m = /\r\ncontent-length:\s*(\d+)/i.exec(head)
  return m ? Number(m[1]) : undefined
}
