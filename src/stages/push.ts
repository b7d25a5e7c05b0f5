import { createReadStream, mkdirSync, readFileSync, rmSync } from 'node:fs'
import * as path from 'node:path'
import { dockerSays, EngineError, type Docker } from '../docker/docker.js'
import type { Engine } from '../docker/engine.js'
import { digestOf, insecureRegistry, RegistryClient } from '../registry/client.js'
import { loginFor } from '../registry/credentials.js'
import { defaultRegistry, repositories, target, type Target } from '../registry/reference.js'
import { annotationsAt, type Annotation } from '../rules/annotations.js'
import { OCI_INDEX, readGated, type Content, type Descriptor, type LocalImage } from '../registry/push-content.js'

// The last stage, after judge (push: true): the gated images themselves, read from the engine by the
// ids every stage ran (registry/push-content.ts), go to every tag. Nothing here decides whether to push:
// pipeline.ts calls it only when every check passed.
//
// No tag the user named serves anything but what it is to serve, and the registry is left with no
// tag the user did not name. So the push goes through the registry's API (registry/client.ts, with
// the login `docker login` stored) rather than `docker push`, which can only push to a tag, and
// leaves the engine's tags as the build made them:
//   1. everything under the tags (blobs, each platform's manifest, attestations) goes to every
//      repository the tags name, by digest: no tag moves, and a registry that is down or refuses
//      stops the push here, with nothing moved;
//   2. each tag is put once, straight to the one image or the index of the gated platform images;
//   3. each tag is read back: it must serve exactly what was put.
// Each tag the registry accepted is told as it moves (`moved`), so a failure or a timeout after that
// says which tags moved, and to what.

/** One gated image: its platform ("linux/arm64") and the id every stage ran. */
export interface GatedImage {
  platform: string
  image: string
}

/** What the registry serves for the tags: the same manifest (or index) for each. */
export interface Pushed {
  digest: string
  mediaType: string
  size: number
  /** per gated image, in input order: its platform manifest and that manifest's config */
  images: { platform: string; manifest: string; config: string }[]
}

export interface PushOptions {
  store: Engine['store']
  annotations?: Annotation[]
  /** called as each tag moves: the registry now serves `pushed` under it */
  moved?: (tag: string, pushed: Pushed) => void
  /** the registry transport (tests) */
  fetch?: typeof fetch
  /** where the Docker config is found (DOCKER_CONFIG, HOME) */
  env?: NodeJS.ProcessEnv
}

/** What the push uses of the run. */
export interface PushRun {
  docker: Pick<Docker, 'call' | 'read' | 'callLimitMs' | 'secrets'>
  tempDir: (purpose: string) => string
}

/** A push the registry or the engine refused: one line, in the registry's words. */
export class PushError extends EngineError {}

const DESCRIPTION = 'org.opencontainers.image.description'

export async function pushGated(run: PushRun, images: GatedImage[], tags: string[], options: PushOptions): Promise<Pushed> {
  if (images.length === 0 || tags.length === 0) throw new PushError('nothing to push: no gated image or no tag')
  const where = await registryConfig(run.docker)
  const targets = await Promise.all(tags.map(tag => attempt(tag, () => target(tag, where.hub))))
  const dir = run.tempDir('push')
  try {
    const local: LocalImage[] = []
    for (const [i, image] of images.entries()) {
      const into = path.join(dir, `image-${i}`)
      mkdirSync(into)
      const annotations = options.store === 'classic' ? annotationsAt(options.annotations ?? [], 'manifest', image.platform) : {}
      local.push(await attempt(tags[0], () => readGated(run.docker, image.image, image.platform, options.store, into, annotations)))
    }
    const top = topOf(local, options.annotations ?? [])
    const pushed: Pushed = { digest: top.digest, mediaType: top.mediaType, size: top.bytes.length, images: local.map(l => ({ platform: l.platform, manifest: l.manifest, config: l.config })) }
    const clients = new Map<string, RegistryClient>()
    for (const t of targets) {
      if (clients.has(t.host)) continue
      const login = await attempt(t.ref, () => loginFor(t.loginKey, options.env, run.docker.callLimitMs))
      clients.set(t.host, new RegistryClient(t.host, { login, insecure: insecureRegistry(t.host, where.config), limitMs: run.docker.callLimitMs, fetch: options.fetch }))
    }
    // 1. by digest, into every repository: no tag moves
    const children = isIndex(top) ? unique(local.flatMap(l => l.manifests).filter(m => m.digest !== top.digest)) : []
    const blobs = unique(local.flatMap(l => l.blobs))
    const holders = new Map<string, string>() // host digest → a repository there that holds it
    for (const repo of repositories(targets)) {
      const client = clients.get(repo.host)!
      await attempt(`${repo.host}/${repo.name}`, async () => {
        for (const blob of blobs) {
          const key = `${repo.host} ${blob.digest}`
          const from = holders.get(key)
          if (!(await client.hasBlob(repo.name, blob.digest)) && !(from && (await client.mountBlob(repo.name, blob.digest, from)))) {
            await client.uploadBlob(repo.name, blob.digest, () => (blob.size < 1 << 20 ? readFileSync(blob.file) : createReadStream(blob.file)))
          }
          holders.set(key, repo.name)
        }
        for (const manifest of children) await client.putManifest(repo.name, manifest.digest, manifest)
      }, '; no tag was moved')
    }
    // 2. each tag once, straight to what it serves from now on
    for (const t of targets) {
      await attempt(t.ref, () => clients.get(t.host)!.putManifest(t.name, t.tag, top))
      options.moved?.(t.ref, pushed)
    }
    // 3. what a pull of each tag gets now
    for (const t of targets) await readBack(clients.get(t.host)!, t, top)
    return pushed
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** `docker info`: the default registry, and which registries the engine treats as insecure. */
async function registryConfig(docker: Pick<Docker, 'call'>) {
  // one JSON array: no newline in the template, which not every CLI version turns into one
  const r = await docker.call(['info', '--format', '[{{json .RegistryConfig}},{{json .IndexServerAddress}}]'])
  if (r.exitCode !== 0) throw new PushError(`could not ask the engine about registries (docker info): ${dockerSays(r.stderr || r.stdout)}`)
  type RegistryConfig = { InsecureRegistryCIDRs?: string[]; IndexConfigs?: Record<string, { Name?: string; Official?: boolean; Secure?: boolean }> }
  const [config, index] = JSON.parse(r.stdout) as [RegistryConfig, string]
  return { config, hub: defaultRegistry(index, config.IndexConfigs) }
}

/** What the tags are put to: the one image as it is, else an index of every gated image. */
function topOf(local: LocalImage[], annotations: Annotation[]): Content {
  const index = annotationsAt(annotations, 'index')
  if (local.length === 1 && Object.keys(index).length === 0) return local[0].top
  let doc: { schemaVersion: number; mediaType: string; manifests: Descriptor[]; annotations?: Record<string, string> }
  if (local.length === 1 && isIndex(local[0].top)) {
    // the store's own index (the image and its attestations), with the index annotations added
    doc = JSON.parse(local[0].top.bytes.toString('utf8')) as typeof doc
  } else {
    doc = { schemaVersion: 2, mediaType: OCI_INDEX, manifests: local.flatMap(l => entriesOf(l, annotations)) }
    // what GHCR shows as the description of a multi-platform image is the index's annotation
    const description = local[0].labels[DESCRIPTION]
    if (local.length > 1 && description && !(DESCRIPTION in index)) index[DESCRIPTION] = description
  }
  if (Object.keys(index).length > 0) doc.annotations = { ...doc.annotations, ...index }
  const bytes = Buffer.from(JSON.stringify(doc, null, 2))
  return { bytes, mediaType: OCI_INDEX, digest: digestOf(bytes) }
}

/** An image's entries in an index, its manifest's with the manifest-descriptor annotations for its platform. */
function entriesOf(l: LocalImage, annotations: Annotation[]): Descriptor[] {
  const extra = annotationsAt(annotations, 'manifest-descriptor', l.platform)
  return l.entries.map(e => (e.digest === l.manifest && Object.keys(extra).length > 0 ? { ...e, annotations: { ...e.annotations, ...extra } } : e))
}

function isIndex(c: Content): boolean {
  return c.mediaType === OCI_INDEX || c.mediaType === 'application/vnd.docker.distribution.manifest.list.v2+json'
}

function unique<T extends { digest: string }>(items: T[]): T[] {
  return [...new Map(items.map(i => [i.digest, i])).values()]
}

/** The tag must now serve exactly what was put under it. */
async function readBack(client: RegistryClient, t: Target, top: Content): Promise<void> {
  let served
  try {
    served = await client.getManifest(t.name, t.tag)
  } catch (err) {
    throw new PushError(`pushed ${t.ref}, but could not read it back from the registry: ${(err as Error).message}`)
  }
  if (!served) throw new PushError(`pushed ${t.ref}, but the registry serves nothing under it`)
  if (served.digest !== top.digest) throw new PushError(`the registry serves ${t.ref} as ${served.digest}, not the ${top.digest} pushed: another push moved the tag meanwhile`)
}

/** Runs `step`; its failure is "push of WHAT failed: …", with the fix where the registry wants a login. */
async function attempt<T>(what: string, step: () => T | Promise<T>, after = ''): Promise<T> {
  try {
    return await step()
  } catch (err) {
    if (err instanceof PushError) throw err
    const said = (err as Error).message
    const login = /unauthorized|authentication required|denied|no basic auth|HTTP 40[13]\b/i.test(said) ? ' (log in to the registry before this step: docker/login-action)' : ''
    throw new PushError(`push of ${what} failed: ${said}${login}${after}`)
  }
}
