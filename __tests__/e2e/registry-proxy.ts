// A registry that fails partway, for the tests of a push that cannot finish: a proxy on 127.0.0.1
// in front of a real registry (registry.ts), passing every request on as it is, except those `trap`
// picks, which it answers 503 (as a registry in trouble does) or holds unanswered (as a registry that
// hangs does). The registry's own answers (uploads' Location included: the Host header is passed on)
// come back as they are, so everything else is the real registry's.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export type Trap = 'pass' | 'refuse' | 'hang'

export interface RegistryProxy {
  /** "127.0.0.1:PORT" */
  host: string
  /** every request the proxy saw, "METHOD path", and what it did with it */
  seen: string[]
  close: () => Promise<void>
}

export async function proxyRegistry(registryHost: string, trap: (method: string, path: string) => Trap): Promise<RegistryProxy> {
  const [hostname, port] = registryHost.split(':')
  const seen: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const what = trap(req.method ?? '', req.url ?? '')
    seen.push(`${req.method} ${req.url} ${what}`)
    if (what === 'hang') return void req.resume()
    if (what === 'refuse') {
      req.resume()
      res.writeHead(503, { 'Content-Type': 'application/json' })
      return void res.end(JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }))
    }
    const out = request({ hostname, port: Number(port), method: req.method, path: req.url, headers: req.headers }, upstream => {
      res.writeHead(upstream.statusCode ?? 502, upstream.headers)
      upstream.pipe(res)
    })
    out.on('error', () => res.destroy())
    req.pipe(out)
  })
  server.on('connection', socket => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port: own } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${own}`,
    seen,
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/** A PUT of a manifest under a tag (not a digest): the step that moves a tag. */
export function isTagPut(method: string, path: string): boolean {
  return method === 'PUT' && /\/manifests\/(?!sha256:)[^/]+$/.test(path)
}
