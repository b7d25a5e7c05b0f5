// node registry-forwarder.mjs PORT SOCKET: listens on 127.0.0.1:PORT and pipes every connection to
// the unix socket SOCKET. Why: an engine in its own network namespace (scripts/second-engine.sh)
// has its own 127.0.0.1, so it cannot reach the test registry on the host's loopback. registry.ts
// starts this inside the engine's namespace (nsenter --net) on the registry's own port, and the
// registry also listens on SOCKET: a unix socket is a file, reachable from every namespace. So
// `docker push 127.0.0.1:PORT/...` means the same registry on both engines.
import { connect, createServer } from 'node:net'

const [port, socket] = process.argv.slice(2)
const server = createServer(client => {
  const upstream = connect(socket)
  client.pipe(upstream).pipe(client)
  const close = () => (client.destroy(), upstream.destroy())
  client.on('error', close).on('close', close)
  upstream.on('error', close).on('close', close)
})
server.listen(Number(port), '127.0.0.1', () => console.log('listening'))
// registry.ts stops it with SIGTERM when the registry closes; it also goes with its parent's stdin
process.on('SIGTERM', () => process.exit(0))
process.stdin.on('end', () => process.exit(0)).resume()
