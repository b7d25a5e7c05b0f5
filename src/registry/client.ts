import { createHash } from 'node:crypto'
import { BlockList, isIP } from 'node:net'
import type { Login } from './credentials.js'

// The registry API (the OCI distribution spec) as far as a push needs it: is a blob there, upload or
// mount one, put a manifest by digest or by tag, read one back. Its login is the one `docker login`
// stored (credentials.ts), used as the engine would: HTTP Basic where the registry asks for it, else
// a bearer token from the registry's token service. Every answer but the expected one is an error in
// the registry's words ("unauthorized: authentication required"), never "not there": a registry that
// cannot be read is not an empty one.

/** What a pull accepts: an index or a manifest, OCI or Docker. */
export const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
]

export class RegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number
  ) {
    super(message)
  }
}

export interface ClientOptions {
  login?: Login
  /** the engine treats it as insecure (plain HTTP allowed): 127.0.0.0/8, or insecure-registries */
  insecure: boolean
  /** how long one request may take (call-timeout); a blob's upload is bounded by the run's timeout only */
  limitMs: number
  fetch?: typeof fetch
}

export interface Manifest {
  bytes: Buffer
  mediaType: string
  digest: string
}

interface Request {
  method: string
  /** an API path ("/v2/...") or an upload's Location */
  url: string
  repository: string
  headers?: Record<string, string>
  /** made again for a request sent a second time (after the registry asked for a login) */
  body?: () => Buffer | AsyncIterable<Uint8Array>
  long?: boolean
}

export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

/** One registry (a host), its scheme and the tokens it gave, per repository. */
export class RegistryClient {
  private base: string | undefined
  private basic = false
  private tokens = new Map<string, string>()
  private readonly fetch: typeof fetch

  constructor(
    readonly host: string,
    private readonly options: ClientOptions
  ) {
    this.fetch = options.fetch ?? fetch
  }

  /** true when the registry has the blob; false when it answers 404. */
  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const res = await this.send({ method: 'HEAD', url: `/v2/${repository}/blobs/${digest}`, repository })
    if (res.status === 200) return true
    if (res.status === 404) return false
    throw await this.refused(res, `reading blob ${digest} of ${repository}`)
  }

  /** Asks the registry to take the blob from another repository it holds it in; false when it will not. */
  async mountBlob(repository: string, digest: string, from: string): Promise<boolean> {
    const res = await this.send({ method: 'POST', url: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, repository })
    if (res.status === 201) return true
    if (res.status === 202) {
      // it started an upload instead: cancel it (a failure to cancel leaves nothing a pull sees)
      await this.send({ method: 'DELETE', url: this.location(res), repository }).catch(() => undefined)
      return false
    }
    throw await this.refused(res, `mounting blob ${digest} into ${repository}`)
  }

  /**
   * Uploads a blob as the engine's own push does: start an upload, stream the bytes in one PATCH,
   * then close it with the digest, which the registry checks against what it received.
   */
  async uploadBlob(repository: string, digest: string, body: () => Buffer | AsyncIterable<Uint8Array>): Promise<void> {
    const started = await this.send({ method: 'POST', url: `/v2/${repository}/blobs/uploads/`, repository })
    if (started.status !== 202) throw await this.refused(started, `starting the upload of ${digest} to ${repository}`)
    const sent = await this.send({ method: 'PATCH', url: this.location(started), repository, headers: { 'Content-Type': 'application/octet-stream' }, body, long: true })
    if (sent.status !== 202) throw await this.refused(sent, `uploading ${digest} to ${repository}`)
    const at = this.location(sent)
    // the registry checks the digest of everything it received before it answers: as long as the upload
    const done = await this.send({ method: 'PUT', url: `${at}${at.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`, repository, body: () => Buffer.alloc(0), long: true })
    if (done.status !== 201) throw await this.refused(done, `closing the upload of ${digest} to ${repository}`)
  }

  /** PUT of a manifest or index under `reference` (a digest or a tag): the digest the registry says it stored. */
  async putManifest(repository: string, reference: string, manifest: { bytes: Buffer; mediaType: string }): Promise<string> {
    const res = await this.send({
      method: 'PUT',
      url: `/v2/${repository}/manifests/${reference}`,
      repository,
      headers: { 'Content-Type': manifest.mediaType },
      body: () => manifest.bytes
    })
    if (res.status !== 201) throw await this.refused(res, `putting ${reference} in ${repository}`)
    return res.headers.get('docker-content-digest') ?? digestOf(manifest.bytes)
  }

  /** What a pull of repository:reference gets; undefined on 404 (and only then). */
  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const res = await this.send({ method: 'GET', url: `/v2/${repository}/manifests/${reference}`, repository, headers: { Accept: MANIFEST_TYPES.join(', ') } })
    if (res.status === 404) return undefined
    if (res.status !== 200) throw await this.refused(res, `reading ${repository}:${reference}`)
    const bytes = Buffer.from(await res.arrayBuffer())
    return { bytes, mediaType: (res.headers.get('content-type') ?? '').split(';')[0], digest: digestOf(bytes) }
  }

  /** A Location header, made absolute against the registry. */
  private location(res: Response): string {
    const at = res.headers.get('location')
    if (!at) throw new RegistryError(`${this.host} answered an upload without a Location`)
    return new URL(at, `${this.base}/`).toString()
  }

  /** Sends the request, logging in and sending it again once when the registry asks (401). */
  private async send(req: Request): Promise<Response> {
    const first = await this.attempt(req)
    if (first.status !== 401) return first
    await this.authenticate(first, req.repository)
    const again = await this.attempt(req)
    // a token or login it gave or took, and then refused: it does not let this login do that
    if (again.status === 401) throw this.loginRefused(401)
    return again
  }

  private async attempt(req: Request): Promise<Response> {
    const base = await this.resolveBase()
    const url = new URL(req.url, `${base}/`)
    const headers: Record<string, string> = { ...req.headers }
    // our login goes only to the registry itself, not to where an upload may be sent on to
    if (url.origin === new URL(base).origin) {
      const token = this.tokens.get(req.repository)
      if (token) headers.Authorization = `Bearer ${token}`
      else if (this.basic && this.options.login?.username !== undefined) headers.Authorization = basic(this.options.login)
    }
    const body = req.body?.()
    const init: RequestInit & { duplex?: 'half' } = { method: req.method, headers, redirect: 'follow' }
    if (body) Object.assign(init, { body, ...(!Buffer.isBuffer(body) && { duplex: 'half' }) })
    if (!req.long) init.signal = AbortSignal.timeout(this.options.limitMs)
    try {
      return await this.fetch(url, init)
    } catch (err) {
      throw new RegistryError(`could not reach ${this.host}: ${unreachable(err, this.options.limitMs)}`)
    }
  }

  /**
   * https, as the engine tries first; a registry the engine treats as insecure that does not speak
   * TLS there is asked over plain HTTP, as the engine falls back to it.
   */
  private async resolveBase(): Promise<string> {
    if (this.base) return this.base
    const https = `https://${this.host}`
    if (!this.options.insecure) return (this.base = https)
    try {
      await this.fetch(`${https}/v2/`, { signal: AbortSignal.timeout(this.options.limitMs) })
      return (this.base = https)
    } catch {
      return (this.base = `http://${this.host}`)
    }
  }

  /** Answers a 401's challenge: Basic takes the login as it is; Bearer a token for the repository. */
  private async authenticate(res: Response, repository: string): Promise<void> {
    const challenge = parseChallenge(res.headers.get('www-authenticate') ?? '')
    const login = this.options.login
    await res.arrayBuffer().catch(() => undefined)
    if (challenge?.scheme === 'basic' && login?.username !== undefined && !this.basic) {
      this.basic = true
      return
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) throw this.loginRefused(res.status)
    const { realm, service } = challenge.params
    const scope = `repository:${repository}:pull,push`
    const tokenRes = await this.tokenRequest(realm, service, scope, login)
    if (!tokenRes.ok) throw await this.refused(tokenRes, `getting a token for ${repository} from ${new URL(realm).host}`)
    const got = (await tokenRes.json()) as { token?: string; access_token?: string }
    const token = got.token ?? got.access_token
    if (!token) throw new RegistryError(`the token service of ${this.host} answered without a token`)
    this.tokens.set(repository, token)
  }

  /** A 401 the login cannot answer: there is none, or the registry refused it. */
  private loginRefused(status: number): RegistryError {
    return this.options.login
      ? new RegistryError(`${this.host} refused the login stored for it (HTTP ${status} unauthorized)`, status)
      : new RegistryError(`${this.host} wants a login (HTTP ${status} unauthorized), and the Docker config holds none for it`, status)
  }

  private async tokenRequest(realm: string, service: string | undefined, scope: string, login: Login | undefined): Promise<Response> {
    const signal = AbortSignal.timeout(this.options.limitMs)
    try {
      if (login?.identityToken) {
        // an OAuth2 refresh token: POSTed for an access token, as the engine does
        const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: login.identityToken, client_id: 'image-gate', scope, ...(service && { service }) })
        return await this.fetch(realm, { method: 'POST', body: form, signal })
      }
      const url = new URL(realm)
      if (service) url.searchParams.set('service', service)
      url.searchParams.set('scope', scope)
      return await this.fetch(url, { headers: login?.username !== undefined ? { Authorization: basic(login) } : {}, signal })
    } catch (err) {
      throw new RegistryError(`could not reach the token service of ${this.host} (${new URL(realm).host}): ${unreachable(err, this.options.limitMs)}`)
    }
  }

  /** The registry's refusal in its own words: "unauthorized: authentication required" (HTTP 401). */
  private async refused(res: Response, doing: string): Promise<RegistryError> {
    const text = await res.text().catch(() => '')
    let said: string
    try {
      const errors = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? []
      said = errors.map(e => [e.code?.toLowerCase().replace(/_/g, ' '), e.message].filter(Boolean).join(': ')).join('; ')
    } catch {
      said = text.trim().split('\n')[0].slice(0, 200)
    }
    return new RegistryError(`${doing}: ${said || res.statusText || 'no reason given'} (HTTP ${res.status})`, res.status)
  }
}

function basic(login: Login): string {
  return `Basic ${Buffer.from(`${login.username ?? ''}:${login.password ?? ''}`).toString('base64')}`
}

/** `Bearer realm="https://auth.example/token",service="registry.example",scope="..."` → its scheme and parameters. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header)
  if (!m) return undefined
  const params: Record<string, string> = {}
  for (const p of m[2].matchAll(/(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]
  return { scheme: m[1].toLowerCase(), params }
}

/** fetch's "fetch failed" with its cause: "connect ECONNREFUSED 127.0.0.1:5999". */
function unreachable(err: unknown, limitMs: number): string {
  const e = err as Error & { cause?: Error & { code?: string } }
  if (e.name === 'TimeoutError') return `no answer within ${limitMs / 1000} s (call-timeout)`
  return e.cause?.message ?? e.message
}

/** Whether the engine treats `host` as insecure, from `docker info`'s RegistryConfig. */
export function insecureRegistry(host: string, config: { InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Secure?: boolean }> }): boolean {
  const indexed = config.IndexConfigs?.[host]
  if (indexed) return indexed.Secure === false
  const name = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1')
  const address = name === 'localhost' ? '127.0.0.1' : name
  const family = isIP(address)
  if (!family) return false
  const list = new BlockList()
  for (const cidr of config.InsecureRegistryCIDRs ?? []) {
    const [net, bits] = cidr.split('/')
    const f = isIP(net)
    if (f) list.addSubnet(net, Number(bits), f === 6 ? 'ipv6' : 'ipv4')
  }
  return list.check(address, family === 6 ? 'ipv6' : 'ipv4')
}
