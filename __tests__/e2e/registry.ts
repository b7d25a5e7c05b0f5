// A container registry on 127.0.0.1 for the end-to-end tests, speaking just enough of the
// registry API v2 for the engine. It serves images the test saved from the local engine, so the
// engine can really pull (compare-to) without any registry on the network; and it accepts a
// `docker push` (blob uploads: POST, PATCH, PUT ?digest=; HEAD of blobs; PUT of manifests),
// keeping every blob it received, so a test can see exactly what a push sends. The engine treats
// 127.0.0.0/8 as an insecure registry, so plain HTTP is enough.
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
  /** the layer blobs of a pushed image ("name:tag"), as received, in manifest order */
  pushedLayers: (ref: string) => { digest: string; size: number }[]
  close: () => Promise<void>
}

interface Served {
  manifest: Buffer
  blobs: Map<string, Buffer>
  /** the manifest's media type, when pushed (else a schema 2 manifest) */
  type?: string
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
export async function startRegistry(images: Record<string, string> = {}): Promise<Registry> {
  const repos = new Map<string, Served>()
  for (const [local, remote] of Object.entries(images)) repos.set(remote, await fromEngine(local))
  const requests: string[] = []
  const pushed = new Map<string, Buffer>() // digest -> blob, from every push
  const uploads = new Map<string, Buffer[]>() // upload id -> the parts received so far
  let nextUpload = 0

  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${req.url}`)
    const parts: Buffer[] = []
    for await (const part of req) parts.push(part as Buffer)
    const body = Buffer.concat(parts)
    const send = (status: number, data: Buffer = Buffer.alloc(0), headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'Docker-Distribution-API-Version': 'registry/2.0', 'Content-Length': String(data.length), ...headers })
      res.end(req.method === 'HEAD' ? undefined : data)
    }
    const error = (status: number, code: string, message: string) =>
      send(status, Buffer.from(JSON.stringify({ errors: [{ code, message }] })), { 'Content-Type': 'application/json' })
    const url = new URL(req.url ?? '/', 'http://registry')
    if (url.pathname === '/v2/') return send(200, Buffer.from('{}'), { 'Content-Type': 'application/json' })

    // A push: start an upload, send its data (PATCH, or with the closing PUT), close it with its digest.
    const upload = /^\/v2\/(.+)\/blobs\/uploads\/([^/]*)$/.exec(url.pathname)
    if (upload) {
      const [, name, id] = upload
      const at = (uuid: string) => `/v2/${name}/blobs/uploads/${uuid}`
      if (req.method === 'POST' && id === '') {
        // a cross-repository mount (?mount=) is answered as a plain upload: the client then sends the blob
        const uuid = String(++nextUpload)
        uploads.set(uuid, [])
        return send(202, undefined, { Location: at(uuid), 'Docker-Upload-UUID': uuid, Range: '0-0' })
      }
      const received = uploads.get(id)
      if (!received) return error(404, 'BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry')
      received.push(body)
      const length = received.reduce((n, b) => n + b.length, 0)
      if (req.method === 'PATCH') return send(202, undefined, { Location: at(id), 'Docker-Upload-UUID': id, Range: `0-${Math.max(length - 1, 0)}` })
      if (req.method !== 'PUT') return error(405, 'UNSUPPORTED', 'not supported by this test registry')
      const blob = Buffer.concat(received)
      uploads.delete(id)
      const digest = url.searchParams.get('digest') ?? ''
      if (sha256(blob) !== digest) return error(400, 'DIGEST_INVALID', `received ${sha256(blob)}, not ${digest}`)
      pushed.set(digest, blob)
      return send(201, undefined, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest })
    }

    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname)
    if (!m) return error(404, 'UNSUPPORTED', 'not supported by this test registry')
    const [, name, kind, ref] = m
    if (kind === 'manifests' && req.method === 'PUT') {
      const type = String(req.headers['content-type'] ?? MANIFEST)
      const served: Served = { manifest: body, blobs: pushed, type }
      repos.set(`${name}:${ref}`, served)
      repos.set(`${name}:${sha256(body)}`, served)
      return send(201, undefined, { Location: `/v2/${name}/manifests/${sha256(body)}`, 'Docker-Content-Digest': sha256(body) })
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return error(405, 'UNSUPPORTED', 'not supported by this test registry')
    if (kind === 'manifests') {
      const served = repos.get(`${name}:${ref}`) ?? [...repos.entries()].find(([key, s]) => key.startsWith(`${name}:`) && sha256(s.manifest) === ref)?.[1]
      if (!served) return error(404, 'MANIFEST_UNKNOWN', 'manifest unknown')
      return send(200, served.manifest, { 'Content-Type': served.type ?? MANIFEST, 'Docker-Content-Digest': sha256(served.manifest) })
    }
    const blob = pushed.get(ref) ?? [...repos].find(([key, s]) => key.startsWith(`${name}:`) && s.blobs.has(ref))?.[1].blobs.get(ref)
    if (blob) return send(200, blob, { 'Content-Type': 'application/octet-stream', 'Docker-Content-Digest': ref })
    return error(404, 'BLOB_UNKNOWN', 'blob unknown to registry')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    host: `127.0.0.1:${port}`,
    requests,
    pushedLayers: ref => {
      const served = repos.get(ref)
      if (!served) throw new Error(`nothing was pushed as ${ref}`)
      const { layers = [] } = JSON.parse(served.manifest.toString()) as { layers?: { digest: string }[] }
      return layers.map(({ digest }) => {
        const blob = pushed.get(digest)
        if (!blob) throw new Error(`the manifest of ${ref} names ${digest}, which was not pushed`)
        return { digest, size: blob.length }
      })
    },
    close: () => new Promise<void>(resolve => server.close(() => resolve()))
  }
}
