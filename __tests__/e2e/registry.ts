// A real container registry on 127.0.0.1 for the end-to-end tests: Debian's `docker-registry`
// (CNCF distribution 2.8, installed by scripts/setup-docker.sh), started on a free port with its
// storage in a temp directory, as a user's registry would judge a push or serve a pull. Images a test
// wants served are pushed into it by the engine itself (`docker push`), and what was pushed is read
// back through the registry's own API, as a user's pull would get it. The engine treats 127.0.0.0/8
// as an insecure registry, so plain HTTP is enough. An engine in a network namespace of its own has
// another 127.0.0.1: there the registry is reached through a forwarder (see netnsForwarder).
import bcrypt from 'bcryptjs'
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

const REGISTRY = '/usr/bin/docker-registry'
const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json'
].join(', ')

export interface Registry {
  /** "127.0.0.1:PORT" */
  host: string
  /** every request, "METHOD path", in order (from the registry's access log) */
  requests: string[]
  /** the layer blobs of a pushed image ("name:tag"), as the registry holds them, in manifest order */
  pushedLayers: (ref: string) => Promise<{ digest: string; size: number }[]>
  /** GET of a registry API path (a manifest with every manifest type accepted): status, headers, body */
  get: (apiPath: string) => Promise<{ status: number; headers: Headers; body: string }>
  /** the tags of a repository ([] when it has none) */
  tags: (name: string) => Promise<string[]>
  close: () => Promise<void>
}

/** A manifest the registry holds: an image's layers, or an index of per-platform manifests. */
interface Manifest {
  layers?: { digest: string; size: number }[]
  config?: { digest: string }
  manifests?: { digest: string; platform?: { os?: string; architecture?: string } }[]
}

/** A port on 127.0.0.1 where nothing listens (yet). */
export async function freePort(): Promise<number> {
  const server = createNetServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>(resolve => server.close(() => resolve()))
  return port
}

export interface RegistryOptions {
  /**
   * Refuse every request that does not log in, with nobody allowed to (htpasswd auth with an empty
   * password file): a registry that answers a push "unauthorized", as one does before docker login.
   * `get` and `tags` are refused too (tags then says []).
   */
  refuseAll?: boolean
  /**
   * htpasswd auth with these users (name → password): the registry answers 401 with a Basic
   * challenge until a request logs in as one of them. `get` and `tags` log in as the first.
   */
  users?: Record<string, string>
}

/** Starts the registry and pushes `images` into it (local image → "name:tag" in the registry). */
export async function startRegistry(images: Record<string, string> = {}, options: RegistryOptions = {}): Promise<Registry> {
  if (!existsSync(REGISTRY)) throw new Error(`${REGISTRY} is missing: run scripts/setup-docker.sh (Debian: apt-get install docker-registry)`)
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-registry-'))
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const config = path.join(dir, 'config.yml')
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: { level: warn, accesslog: { disabled: false } }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} }, delete: { enabled: true } }`,
      `http: { addr: "${host}" }`,
      ...(options.refuseAll || options.users ? [`auth: { htpasswd: { realm: image-gate-test, path: ${JSON.stringify(path.join(dir, 'htpasswd'))} } }`] : [])
    ].join('\n') + '\n'
  )
  // the registry reads bcrypt hashes only
  const users = Object.entries(options.users ?? {})
  if (options.refuseAll || options.users) writeFileSync(path.join(dir, 'htpasswd'), users.map(([name, password]) => `${name}:${bcrypt.hashSync(password, 4)}\n`).join(''))
  const login: Record<string, string> = users.length > 0 ? { Authorization: `Basic ${Buffer.from(`${users[0][0]}:${users[0][1]}`).toString('base64')}` } : {}
  const child = spawn(REGISTRY, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  const requests: string[] = []
  let log = ''
  const read = (chunk: Buffer) => {
    log += chunk.toString()
    const lines = log.split('\n')
    log = lines.pop() ?? ''
    // the access log is Apache's combined format: ... "GET /v2/ HTTP/1.1" 200 ...
    for (const line of lines) {
      const m = /"([A-Z]+) (\S+) HTTP\/[\d.]+"/.exec(line)
      if (m) requests.push(`${m[1]} ${m[2]}`)
    }
  }
  child.stdout!.on('data', read)
  child.stderr!.on('data', read)
  const url = (apiPath: string) => `http://${host}${apiPath}`
  const get = async (apiPath: string) => {
    const res = await fetch(url(apiPath), { headers: { Accept: ACCEPT, ...login } })
    return { status: res.status, headers: res.headers, body: await res.text() }
  }
  let stopForwarder = async () => {}
  const close = async () => {
    await stopForwarder()
    child.kill('SIGTERM')
    await exited
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (let tries = 0; ; tries++) {
      // up: it answers (with 401 when it refuses everyone)
      const ok = await fetch(url('/v2/')).then(r => r.ok || ((options.refuseAll === true || users.length > 0) && r.status === 401), () => false)
      if (ok) break
      if (tries > 100 || child.exitCode !== null) throw new Error(`docker-registry did not answer on ${host}`)
      await new Promise(resolve => setTimeout(resolve, 50))
    }
    const netns = engineNetns()
    if (netns) stopForwarder = await netnsForwarder(port, netns)
    for (const [local, remote] of Object.entries(images)) {
      const ref = `${host}/${remote}`
      execFileSync('docker', ['tag', local, ref])
      try {
        execFileSync('docker', ['push', '--quiet', ref], { stdio: 'ignore' })
      } finally {
        execFileSync('docker', ['image', 'rm', ref], { stdio: 'ignore' }) // untags only: the local image stays
      }
    }
  } catch (error) {
    await close()
    throw error
  }
  requests.length = 0 // what the test's own actions ask, not the seeding pushes

  const manifest = async (name: string, ref: string): Promise<Manifest> => {
    const res = await get(`/v2/${name}/manifests/${ref}`)
    if (res.status !== 200) throw new Error(`nothing was pushed as ${name}:${ref} (${res.status})`)
    return JSON.parse(res.body) as Manifest
  }
  return {
    host,
    requests,
    get,
    tags: async name => {
      const res = await get(`/v2/${name}/tags/list`)
      return res.status === 200 ? ((JSON.parse(res.body) as { tags: string[] | null }).tags ?? []) : []
    },
    pushedLayers: async ref => {
      const name = ref.slice(0, ref.lastIndexOf(':'))
      const top = await manifest(name, ref.slice(ref.lastIndexOf(':') + 1))
      // the containerd image store pushes an index: its image manifest beside an attestation
      // manifest (platform unknown/unknown) that holds no layer of the image
      const children = top.manifests
        ? await Promise.all(top.manifests.filter(m => m.platform?.os !== 'unknown').map(m => manifest(name, m.digest)))
        : [top]
      const layers = children.flatMap(({ layers = [] }) => layers)
      // the descriptor's size is what the registry verified on upload; check the blob is there too
      for (const { digest } of layers) {
        const res = await fetch(url(`/v2/${name}/blobs/${digest}`), { method: 'HEAD', headers: login })
        if (!res.ok) throw new Error(`the manifest of ${ref} names ${digest}, which the registry does not have`)
      }
      return layers.map(({ digest, size }) => ({ digest, size }))
    },
    close
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
 * `docker push 127.0.0.1:PORT/...` works on both kinds of engine: a registry-forwarder.mjs on the
 * host pipes a unix socket (a file: every namespace reaches it) to the registry's TCP port, and one
 * started inside the namespace with nsenter (root only, as the engine itself) pipes 127.0.0.1:PORT
 * there to that socket. Returns what stops both.
 */
async function netnsForwarder(port: number, netns: string): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-registry-'))
  const socket = path.join(dir, 'registry.sock')
  const stops: (() => Promise<void>)[] = []
  const stop = async () => {
    for (const s of stops.reverse()) await s()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    stops.push(await forwarder([], socket, String(port), 'on the host'))
    stops.push(await forwarder(['nsenter', `--net=${netns}`], String(port), socket, `in ${netns} (nsenter needs root)`))
  } catch (error) {
    await stop()
    throw error
  }
  return stop
}

/** Starts registry-forwarder.mjs FROM TO (under `prefix`, e.g. nsenter); resolves once it listens. */
async function forwarder(prefix: string[], from: string, to: string, where: string): Promise<() => Promise<void>> {
  const script = new URL('./registry-forwarder.mjs', import.meta.url).pathname
  const [command, ...args] = [...prefix, process.execPath, script, from, to]
  // stdin stays open: the forwarder also exits when this process dies and the pipe closes
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] })
  const exited = new Promise<void>(resolve => child.once('exit', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    child.stdout!.once('data', () => resolve())
    child.once('error', reject)
    exited.then(() => reject(new Error(`the registry forwarder ${where} exited before it listened`)))
  })
  return async () => {
    child.kill('SIGTERM')
    await exited
  }
}
