// A real HTTP server on 127.0.0.1 that speaks the GitHub REST endpoints image-gate uses:
// GET /user, and list (paginated, with Link headers) / create / update issue comments.
// Failures can be scripted per method and path. Tests point the action at it via GITHUB_API_URL.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface Comment {
  id: number
  body: string
  user: { login: string; type: 'User' | 'Bot' }
  html_url: string
}

interface Failure {
  method: string
  path: RegExp
  status: number
  times: number
  headers?: Record<string, string>
  message: string
  /** do the work first, then answer the failure (GitHub saved the comment, the answer got lost) */
  afterSaving?: boolean
}

export const TOKEN = 'test-token-1234'
const BOT = { login: 'github-actions[bot]', type: 'Bot' as const }

export class FakeGitHub {
  comments: Comment[] = []
  requests: { method: string; path: string }[] = []
  /** the head commit GET /repos/.../pulls/7 reports */
  headSha = 'f00dfeedbeef0123456789abcdef0123456789ab'
  /** what GET /user answers: a login (a personal token) or 403 (an Actions token, the default) */
  self: string | undefined
  private failures: Failure[] = []
  private server?: Server
  private nextId = 1000
  url = ''

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res))
    await new Promise<void>(resolve => this.server!.listen(0, '127.0.0.1', resolve))
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
    return this
  }

  async stop(): Promise<void> {
    await new Promise(resolve => this.server?.close(resolve))
  }

  /** Answer the next `times` requests matching method and path with `status`. */
  fail(method: string, path: RegExp, status: number, times: number, message = 'Server Error', headers?: Record<string, string>): void {
    this.failures.push({ method, path, status, times, message, headers })
  }

  /** Like fail(), but each of those requests is carried out before the failure is answered. */
  failAfterSaving(method: string, path: RegExp, status: number, times: number, message = 'Bad Gateway'): void {
    this.failures.push({ method, path, status, times, message, afterSaving: true })
  }

  addComment(body: string, user: Comment['user'] = { login: 'octocat', type: 'User' }): Comment {
    const id = this.nextId++
    const comment = { id, body, user, html_url: `https://github.example/octo-org/shop-api/pull/7#issuecomment-${id}` }
    this.comments.push(comment)
    return comment
  }

  writes(): string[] {
    return this.requests.filter(r => r.method !== 'GET').map(r => `${r.method} ${r.path.replace(/\?.*/, '')}`)
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url)
    const method = req.method ?? 'GET'
    this.requests.push({ method, path: url.pathname + url.search })
    let raw = ''
    for await (const chunk of req) raw += chunk
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers })
      res.end(JSON.stringify(body))
    }
    if (req.headers.authorization !== `token ${TOKEN}` && req.headers.authorization !== `Bearer ${TOKEN}`) {
      return send(401, { message: 'Bad credentials' })
    }
    const failure = this.failures.find(f => f.times > 0 && f.method === method && f.path.test(url.pathname))
    if (failure) {
      failure.times--
      if (!failure.afterSaving) return send(failure.status, { message: failure.message }, failure.headers)
      return this.answer(method, url, raw, () => send(failure.status, { message: failure.message }, failure.headers))
    }
    return this.answer(method, url, raw, send)
  }

  private answer(method: string, url: URL, raw: string, send: (status: number, body: unknown, headers?: Record<string, string>) => void): void {
    if (method === 'GET' && url.pathname === '/user') {
      return this.self ? send(200, { login: this.self, type: 'User' }) : send(403, { message: 'Resource not accessible by integration' })
    }
    let m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname)
    if (m && method === 'GET') {
      const perPage = Number(url.searchParams.get('per_page') ?? 30)
      const page = Number(url.searchParams.get('page') ?? 1)
      const last = Math.max(1, Math.ceil(this.comments.length / perPage))
      const link = (p: number) => `<${this.url}${url.pathname}?per_page=${perPage}&page=${p}>`
      const headers: Record<string, string> = {}
      if (page < last) headers.link = `${link(page + 1)}; rel="next", ${link(last)}; rel="last"`
      return send(200, this.comments.slice((page - 1) * perPage, page * perPage), headers)
    }
    if (m && method === 'POST') {
      const body = JSON.parse(raw).body as string
      return send(201, this.addComment(body, this.self ? { login: this.self, type: 'User' } : BOT))
    }
    m = /^\/repos\/([^/]+)\/([^/]+)\/pulls\/(\d+)$/.exec(url.pathname)
    if (m && method === 'GET') return send(200, { number: Number(m[3]), head: { sha: this.headSha } })
    m = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)
    if (m && method === 'PATCH') {
      const comment = this.comments.find(c => c.id === Number(m![3]))
      if (!comment) return send(404, { message: 'Not Found' })
      comment.body = JSON.parse(raw).body as string
      return send(200, comment)
    }
    send(404, { message: `Not Found: ${method} ${url.pathname}` })
  }
}
