// A read-only container registry on 127.0.0.1, serving images the test saved from the local engine,
// so the engine can really pull (compare-to) without any registry on the network. It speaks just
// enough of the registry API v2 for `docker pull`: the version check, manifests and blobs. The
// engine treats 127.0.0.0/8 as an insecure registry, so plain HTTP is enough.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { gunzipSync, gzipSync } from 'node:zlib'
import { extract } from 'tar-stream'

const MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json'

export interface Registry {
  /** "127.0.0.1:PORT" */
  host: string
  /** every request, "METHOD path", in order */
  requests: string[]
  close: () => Promise<void>
}

interface Served {
  manifest: Buffer
  blobs: Map<string, Buffer>
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`

/** The image as a registry holds it: gzipped layers, the config, a schema 2 manifest. */
async function fromEngine(image: string): Promise<Served> {
  const saved = execFileSync('docker', ['save', image], { maxBuffer: 1 << 30 })
  const files = new Map<string, Buffer>()
  const parser = extract()
  Readable.from([saved]).pipe(parser)
  for await (const entry of parser) {
    const chunks: Buffer[] = []
    for await (const chunk of entry) chunks.push(chunk as Buffer)
    files.set(entry.header.name, Buffer.concat(chunks))
  }
  // manifest.json names the config and the layers in both layouts (classic and OCI)
  const [top] = JSON.parse(files.get('manifest.json')!.toString()) as { Config: string; Layers: string[] }[]
  const config = files.get(top.Config)!
  const blobs = new Map<string, Buffer>([[sha256(config), config]])
  const layers = top.Layers.map(name => {
    const data = files.get(name)!
    const gz = data[0] === 0x1f && data[1] === 0x8b ? data : gzipSync(data)
    gunzipSync(gz) // a layer that does not round-trip would only fail later, inside the engine
    blobs.set(sha256(gz), gz)
    return { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: gz.length, digest: sha256(gz) }
  })
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers
    })
  )
  return { manifest, blobs }
}

/** Serves `images` (local image → "name:tag" in the registry); anything else is 404, as a registry says it. */
export async function startRegistry(images: Record<string, string>): Promise<Registry> {
  const repos = new Map<string, Served>()
  for (const [local, remote] of Object.entries(images)) repos.set(remote, await fromEngine(local))
  const requests: string[] = []

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`)
    const send = (status: number, body: Buffer, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': String(body.length), ...headers })
      res.end(req.method === 'HEAD' ? undefined : body)
    }
    const unknown = (code: string, message: string) =>
      send(404, Buffer.from(JSON.stringify({ errors: [{ code, message }] })), { 'Content-Type': 'application/json' })
    const url = new URL(req.url ?? '/', 'http://registry')
    if (url.pathname === '/v2/') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' })
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname)
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return unknown('UNSUPPORTED', 'not supported by this test registry')
    const [, name, kind, ref] = m
    if (kind === 'manifests') {
      const served = repos.get(`${name}:${ref}`) ?? [...repos.entries()].find(([key, s]) => key.startsWith(`${name}:`) && sha256(s.manifest) === ref)?.[1]
      if (!served) return unknown('MANIFEST_UNKNOWN', 'manifest unknown')
      return send(200, served.manifest, { 'Content-Type': MANIFEST, 'Docker-Content-Digest': sha256(served.manifest) })
    }
    for (const [key, served] of repos) {
      const blob = key.startsWith(`${name}:`) ? served.blobs.get(ref) : undefined
      if (blob) return send(200, blob, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': ref })
    }
    return unknown('BLOB_UNKNOWN', 'blob unknown to registry')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}
