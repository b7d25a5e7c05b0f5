// A container registry on 127.0.0.1 for the end-to-end tests, speaking just enough of the
// registry API v2 for the engine. It serves images the test saved from the local engine, so the
// engine can really pull (compare-to) without any registry on the network; and it accepts a
// `docker push` (blob uploads: POST, PATCH, PUT ?digest=; HEAD of blobs; PUT of manifests),
// keeping every blob it received, so a test can see exactly what a push sends. The engine treats
// 127.0.0.0/8 as an insecure registry, so plain HTTP is enough. An engine in a network namespace of
// its own has another 127.0.0.1: there the registry is reached through a forwarder (see netnsForwarder).
import { execFileSync, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
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

/** A pushed image manifest (layers), or an index of manifests (manifests). */
interface PushedManifest {
  layers?: { digest: string }[]
  manifests?: { digest: string; platform?: { os?: string } }[]
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
  const netns = engineNetns()
  const stopForwarder = netns ? await netnsForwarder(server, port, netns) : async () => {}
  return {
    host: `127.0.0.1:${port}`,
    requests,
    pushedLayers: ref => {
      const served = repos.get(ref)
      if (!served) throw new Error(`nothing was pushed as ${ref}`)
      const name = ref.slice(0, ref.lastIndexOf(':'))
      const top = JSON.parse(served.manifest.toString()) as PushedManifest
      // the containerd image store pushes an index: its image manifest (pushed by digest before it),
      // beside an attestation manifest (platform unknown/unknown) that holds no layer of the image
      const manifests = top.manifests
        ? top.manifests
            .filter(m => m.platform?.os !== 'unknown')
            .map(m => {
              const child = repos.get(`${name}:${m.digest}`)
              if (!child) throw new Error(`the index of ${ref} names ${m.digest}, which was not pushed`)
              return JSON.parse(child.manifest.toString()) as PushedManifest
            })
        : [top]
      return manifests.flatMap(({ layers = [] }) => layers).map(({ digest }) => {
        const blob = pushed.get(digest)
        if (!blob) throw new Error(`the manifest of ${ref} names ${digest}, which was not pushed`)
        return { digest, size: blob.length }
      })
    },
    close: async () => {
      await stopForwarder()
      await new Promise<void>(resolve => server.close(() => resolve()))
    }
  }
}

/**
 * The network namespace the engine runs in when it is not this process's: IMAGE_GATE_ENGINE_NETNS
 * (a name under /run/netns, or a path; scripts/test.sh sets it), else the namespace
 * scripts/second-engine.sh names after its socket's folder (DOCKER_HOST=unix:///run/NAME/docker.sock
 * runs in /run/netns/NAME), so a test run by hand against that engine needs nothing more.
 */
function engineNetns(): string | undefined {
  const given = process.env.IMAGE_GATE_ENGINE_NETNS
  if (given) return given.startsWith('/') ? given : `/run/netns/${given}`
  const m = /^unix:\/\/\/run\/([^/]+)\/docker\.sock$/.exec(process.env.DOCKER_HOST ?? '')
  return m && existsSync(`/run/netns/${m[1]}`) ? `/run/netns/${m[1]}` : undefined
}

/**
 * Makes the registry reachable as 127.0.0.1:PORT inside the engine's namespace too, so the same
 * `docker push 127.0.0.1:PORT/...` works on both kinds of engine: the registry also listens on a unix
 * socket (a file: every namespace reaches it), and registry-forwarder.mjs, started inside the
 * namespace with nsenter (root only, as the engine itself), pipes 127.0.0.1:PORT there to it.
 * Returns what stops both.
 */
async function netnsForwarder(server: Server, port: number, netns: string): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-registry-'))
  const socket = path.join(dir, 'registry.sock')
  const unix = createNetServer(connection => server.emit('connection', connection))
  await new Promise<void>((resolve, reject) => unix.once('error', reject).listen(socket, resolve))
  const script = new URL('./registry-forwarder.mjs', import.meta.url).pathname
  // stdin stays open: the forwarder also exits when this process dies and the pipe closes
  const child = spawn('nsenter', [`--net=${netns}`, process.execPath, script, String(port), socket], { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout!.once('data', () => resolve())
      child.once('error', reject)
      exited.then(() => reject(new Error(`the registry forwarder in ${netns} exited before it listened (nsenter needs root)`)))
    })
  } catch (error) {
    unix.close()
    rmSync(dir, { recursive: true, force: true })
    throw error
  }
  return async () => {
    child.kill('SIGTERM')
    await exited
    unix.close()
    rmSync(dir, { recursive: true, force: true })
  }
}
