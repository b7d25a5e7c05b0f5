// node registry-forwarder.mjs FROM TO: listens on FROM and pipes every connection to TO, each a TCP
// port on 127.0.0.1 or a unix socket path. Why: an engine in its own network namespace
// (scripts/second-engine.sh) has its own 127.0.0.1, so it cannot reach the test registry on the
// host's loopback. registry.ts starts two of these: one on the host, from a unix socket to the
// registry's port, and one inside the engine's namespace (nsenter --net), from the registry's port
// there to that socket: a unix socket is a file, reachable from every namespace. So
// `docker push 127.0.0.1:PORT/...` means the same registry on both engines. A process of its own,
// not a server in the test's process, so a test may call docker synchronously.
import { connect, createServer } from 'node:net'

const [from, to] = process.argv.slice(2)
const address = spec => (/^\d+$/.test(spec) ? { port: Number(spec), host: '127.0.0.1' } : { path: spec })
const server = createServer(client => {
  const upstream = connect(address(to))
  client.pipe(upstream).pipe(client)
  const close = () => (client.destroy(), upstream.destroy())
  client.on('error', close).on('close', close)
  upstream.on('error', close).on('close', close)
})
server.listen(address(from), () => console.log('listening'))
// registry.ts stops it with SIGTERM when the registry closes; it also goes with its parent's stdin
process.on('SIGTERM', () => process.exit(0))
process.stdin.on('end', () => process.exit(0)).resume()
