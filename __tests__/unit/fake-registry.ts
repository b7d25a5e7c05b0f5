import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { Readable } from 'node:stream'
import { Secrets } from '../../src/secrets.js'
import { tar, type Entry } from './tar.js'

// A registry in memory behind a fetch function, and an engine whose `docker save` gives an image of
// either store, for the push stage's unit tests (the real registry and engines are in
// __tests__/e2e/push-*.test.ts). The registry answers as the distribution spec says: uploads by
// POST, PATCH and PUT?digest (the digest checked), manifests by digest or tag.

export const sha = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json'
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

export interface FakeRegistryOptions {
  /** answer this request (method, path) with the status instead (e.g. 503); undefined: as the spec says */
  refuse?: (method: string, path: string) => number | undefined
  /** Basic user:password it wants, or a bearer token it wants (given by its token service for that login) */
  basic?: string
  bearer?: { login: string; token: string }
}

export function fakeRegistry(options: FakeRegistryOptions = {}) {
  const blobs = new Map<string, Buffer>() // "repo digest" → bytes
  const manifests = new Map<string, { bytes: Buffer; type: string }>() // "repo ref" → manifest
  const uploads = new Map<string, Buffer[]>()
  const log: string[] = []
  let n = 0
  const answer = (status: number, body = '', headers: Record<string, string> = {}) => new Response(status === 204 || body === '' ? null : body, { status, headers })
  const fetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input))
    const method = init.method ?? 'GET'
    const headers = new Headers(init.headers)
    if (url.pathname === '/token') {
      log.push(`TOKEN ${url.searchParams.get('scope')}`)
      const ok = headers.get('authorization') === `Basic ${Buffer.from(options.bearer!.login).toString('base64')}`
      return ok ? answer(200, JSON.stringify({ token: options.bearer!.token })) : answer(401, JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad login' }] }))
    }
    log.push(`${method} ${url.pathname}${url.search}`)
    const auth = headers.get('authorization')
    if (options.basic && auth !== `Basic ${Buffer.from(options.basic).toString('base64')}`) return answer(401, '', { 'WWW-Authenticate': 'Basic realm="fake"' })
    if (options.bearer && auth !== `Bearer ${options.bearer.token}`) return answer(401, '', { 'WWW-Authenticate': `Bearer realm="${url.origin}/token",service="fake"` })
    const refused = options.refuse?.(method, url.pathname)
    if (refused) return answer(refused, JSON.stringify({ errors: [{ code: 'UNAVAILABLE', message: 'service unavailable' }] }))
    const body = init.body ? await read(init.body) : Buffer.alloc(0)
    if (url.pathname === '/v2/') return answer(200)
    let m = /^\/v2\/(.+)\/blobs\/uploads\/(\d*)$/.exec(url.pathname)
    if (m && method === 'POST') {
      const from = url.searchParams.get('from')
      const mount = url.searchParams.get('mount')
      if (from && mount && blobs.has(`${from} ${mount}`)) return (blobs.set(`${m[1]} ${mount}`, blobs.get(`${from} ${mount}`)!), answer(201))
      const id = String(++n)
      uploads.set(id, [])
      return answer(202, '', { Location: `/v2/${m[1]}/blobs/uploads/${id}?state=x` })
    }
    if (m && method === 'PATCH') return (uploads.get(m[2])!.push(body), answer(202, '', { Location: `/v2/${m[1]}/blobs/uploads/${m[2]}?state=y` }))
    if (m && method === 'PUT') {
      const data = Buffer.concat([...uploads.get(m[2])!, body])
      const digest = url.searchParams.get('digest')!
      if (sha(data) !== digest) return answer(400, JSON.stringify({ errors: [{ code: 'DIGEST_INVALID', message: 'digest did not match' }] }))
      return (blobs.set(`${m[1]} ${digest}`, data), answer(201))
    }
    if (m && method === 'DELETE') return answer(204)
    m = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]+)$/.exec(url.pathname)
    if (m) return answer(blobs.has(`${m[1]} ${m[2]}`) ? 200 : 404)
    m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname)
    if (m && method === 'PUT') {
      const type = headers.get('content-type')!
      const doc = JSON.parse(body.toString()) as { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] }
      // as a registry checks: what a manifest names must be there
      const named = doc.manifests ? doc.manifests.map(d => manifests.has(`${m![1]} ${d.digest}`)) : [doc.config!, ...(doc.layers ?? [])].map(d => blobs.has(`${m![1]} ${d.digest}`))
      if (named.includes(false)) return answer(400, JSON.stringify({ errors: [{ code: 'MANIFEST_BLOB_UNKNOWN', message: 'blob unknown to registry' }] }))
      manifests.set(`${m[1]} ${m[2]}`, { bytes: body, type })
      manifests.set(`${m[1]} ${sha(body)}`, { bytes: body, type })
      return answer(201, '', { 'Docker-Content-Digest': sha(body) })
    }
    if (m) {
      const found = manifests.get(`${m[1]} ${m[2]}`)
      return found ? new Response(new Uint8Array(found.bytes), { status: 200, headers: { 'Content-Type': found.type } }) : answer(404)
    }
    return answer(404)
  }
  const tagsOf = (repo: string) => [...manifests.keys()].filter(k => k.startsWith(`${repo} `) && !k.includes(' sha256:')).map(k => k.slice(repo.length + 1))
  const served = (repo: string, ref: string) => manifests.get(`${repo} ${ref}`)
  return { fetch: fetch as typeof globalThis.fetch, log, blobs, tagsOf, served }
}

async function read(body: BodyInit | AsyncIterable<Uint8Array>): Promise<Buffer> {
  if (Buffer.isBuffer(body)) return body
  if (body instanceof URLSearchParams) return Buffer.from(body.toString())
  const chunks: Buffer[] = []
  for await (const c of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(c))
  return Buffer.concat(chunks)
}

/** An image as `docker save` gives it from each store: its id, its config, and the archive's entries. */
export function savedImage(store: 'classic' | 'containerd', arch: string, options: { labels?: Record<string, string>; attest?: boolean; layer?: string } = {}) {
  const config = Buffer.from(JSON.stringify({ architecture: arch, os: 'linux', config: { Labels: options.labels ?? null }, rootfs: { type: 'layers', diff_ids: [] } }))
  const layer = Buffer.from(options.layer ?? `files of ${arch}`)
  if (store === 'classic') {
    const entries: Entry[] = [
      { name: 'manifest.json', data: JSON.stringify([{ Config: `${sha(config).slice(7)}.json`, Layers: ['l1/layer.tar'] }]) },
      { name: `${sha(config).slice(7)}.json`, data: config },
      { name: 'l1/layer.tar', data: layer }
    ]
    return { id: sha(config), config: sha(config), entries, manifest: undefined as string | undefined }
  }
  const blob = (data: Buffer) => ({ name: `blobs/sha256/${sha(data).slice(7)}`, data })
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length }, layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha(layer), size: layer.length }] }))
  const statement = Buffer.from(`provenance of ${arch}`)
  const attConfig = Buffer.from('{"architecture":"unknown","os":"unknown"}')
  const attestation = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(attConfig), size: attConfig.length }, layers: [{ mediaType: 'application/vnd.in-toto+json', digest: sha(statement), size: statement.length }] }))
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        { mediaType: OCI_MANIFEST, digest: sha(manifest), size: manifest.length, platform: { os: 'linux', architecture: arch } },
        { mediaType: OCI_MANIFEST, digest: sha(attestation), size: attestation.length, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.digest': sha(manifest), 'vnd.docker.reference.type': 'attestation-manifest' } }
      ]
    })
  )
  const top = options.attest === false ? manifest : index
  const entries: Entry[] = [
    { name: 'index.json', data: JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: options.attest === false ? OCI_MANIFEST : OCI_INDEX, digest: sha(top), size: top.length }] }) },
    ...[config, layer, manifest, ...(options.attest === false ? [] : [statement, attConfig, attestation, index])].map(blob)
  ]
  return { id: sha(top), config: sha(config), entries, manifest: sha(manifest) }
}

/** An engine holding `images` (by id): `docker save` gives each one's archive, `docker info` its registry settings. */
/** `saveFails`: what `docker save` writes on stderr before it exits 1; `secrets`: the run's. */
export async function fakeEngine(images: ReturnType<typeof savedImage>[], { saveFails, secrets = new Secrets() }: { saveFails?: string; secrets?: Secrets } = {}) {
  const archives = new Map<string, Buffer>()
  for (const image of images) archives.set(image.id, await tar(image.entries))
  const calls: string[] = []
  const call = async (args: string[]) => {
    calls.push(args.join(' '))
    if (args[0] === 'info') return { exitCode: 0, stdout: `${JSON.stringify([{ InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: { 'hub.example': { Name: 'hub.example', Official: true, Secure: true } } }, 'https://index.hub.example/v1/'])}\n`, stderr: '' }
    throw new Error(`unexpected docker ${args.join(' ')}`)
  }
  const read = (args: string[]) => {
    calls.push(args.join(' '))
    if (saveFails !== undefined) {
      const child = Object.assign(new EventEmitter(), { stdout: Readable.from([]), stderr: Readable.from([saveFails]) })
      return { child, exited: new Promise(resolve => setTimeout(() => resolve({ code: 1, signal: null }), 20)) }
    }
    const child = Object.assign(new EventEmitter(), { stdout: Readable.from([archives.get(args[1])!]), stderr: Readable.from([]) })
    return { child, exited: Promise.resolve({ code: 0, signal: null }) }
  }
  return { calls, docker: { call, read, callLimitMs: 5000, secrets } as never }
}
