import { createHash } from 'node:crypto'
import { dockerSays, EngineError, type Docker } from '../docker/docker.js'
import type { Engine } from '../docker/engine.js'
import { repository } from '../docker/ref.js'

// The last stage, after judge (push: true): the gated image itself, by the id every stage ran, goes
// to every tag, and what the registry then serves is read back and held against that id. Nothing
// here decides whether to push: pipeline.ts calls it only when every check passed.
//
// What "the same image" means depends on the store. The classic store's image id is the digest of
// the image's config, which a push sends unchanged (the layers are compressed anew, so the manifest
// is the registry's own). The containerd store's id is the digest of the manifest or index it keeps
// (with its attestations), which a push sends byte for byte. So the gated id must be the pushed
// index's, the platform manifest's or the config's digest: a digest names its content, so either
// one proves the config underneath is the one that ran.

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
  /** per gated image, in input order: the registry's manifest for its platform and that manifest's config */
  images: { platform: string; manifest: string; config: string }[]
}

type Call = Pick<Docker, 'call'>

/** A push the registry or the engine refused: one line, in the registry's words. */
export class PushError extends EngineError {}

/**
 * One image: it is pushed to each tag. Several (one per platform): each is pushed in turn to one of
 * the tags (`docker push` pushes only to a tag), which the index then replaces, so no other tag is
 * left in the registry; then one index whose entries are exactly those pushed manifests is written
 * to every tag. Until then that tag serves one platform's image: it is a tag the registry did not
 * serve before (a new release's version, which nobody pulls yet) where there is one.
 */
export async function pushGated(docker: Call, images: GatedImage[], tags: string[], store: Engine['store']): Promise<Pushed> {
  if (images.length === 0 || tags.length === 0) throw new PushError('nothing to push: no gated image or no tag')
  if (images.length === 1) {
    for (const tag of tags) await pushOne(docker, images[0].image, tag)
    return await sameEverywhere(docker, tags, async top => [await gatedIn(docker, top, images[0], store)])
  }
  const staging = await newTag(docker, tags)
  const manifests: Pushed['images'] = []
  const sources: string[] = []
  for (const image of images) {
    await pushOne(docker, image.image, staging)
    const top = await readBack(docker, staging)
    manifests.push(await gatedIn(docker, top, image, store))
    sources.push(`${repository(staging)}@${top.digest}`)
  }
  const args = ['buildx', 'imagetools', 'create', ...tags.flatMap(tag => ['--tag', tag]), ...sources]
  const made = await docker.call(args, { long: true })
  if (made.exitCode !== 0) {
    const left = images[images.length - 1].platform
    throw refused('the index of', tags[0], made.stderr || made.stdout, `; ${staging} is left serving the ${left} image alone: run again to push the index`)
  }
  return await sameEverywhere(docker, tags, async top => {
    const entries = platformEntries(top)
    for (const [i, image] of images.entries()) {
      const entry = entries.find(e => matches(e.platform, image.platform))
      if (entry?.digest !== manifests[i].manifest) throw mismatch(tags[0], image, entry?.digest ?? 'no manifest for it')
    }
    if (entries.length !== images.length) throw new PushError(`the index pushed as ${tags[0]} has ${entries.length} platform manifests, not the ${images.length} gated`)
    return manifests
  })
}

async function pushOne(docker: Call, image: string, tag: string): Promise<void> {
  // the id, not the build's tag: a concurrent build may have moved the tag since
  const tagged = await docker.call(['tag', image, tag])
  if (tagged.exitCode !== 0) throw refused('', tag, tagged.stderr || tagged.stdout)
  const pushed = await docker.call(['push', tag], { long: true })
  if (pushed.exitCode !== 0) throw refused('', tag, pushed.stderr || pushed.stdout)
}

/** The first of `tags` that the registry serves nothing under yet, else the first. */
async function newTag(docker: Call, tags: string[]): Promise<string> {
  for (const tag of tags) {
    // a failure to read it (not found, or not allowed: the push then says why) counts as new
    const r = await docker.call(['buildx', 'imagetools', 'inspect', '--raw', tag], { raw: true })
    if (r.exitCode !== 0) return tag
  }
  return tags[0]
}

/** "push of ghcr.io/o/app:1 refused: unauthorized: …", with the fix where the registry wants a login. */
function refused(what: string, tag: string, output: string, after = ''): PushError {
  const said = dockerSays(output).replace(/^ERROR: /, '') // buildx's prefix
  const login = /unauthorized|authentication required|denied|no basic auth|403 Forbidden/i.test(said)
    ? ' (log in to the registry before this step: docker/login-action)'
    : ''
  return new PushError(`push of ${what ? `${what} ` : ''}${tag} failed: ${said}${login}${after}`)
}

interface Manifest {
  mediaType?: string
  config?: { digest: string }
  manifests?: { digest: string; platform?: { os?: string; architecture?: string; variant?: string } }[]
}

interface ReadBack {
  digest: string
  size: number
  doc: Manifest
  ref: string
}

/** What a pull of `ref` gets: the registry's bytes, their digest (as the registry names them) and size. */
async function readBack(docker: Call, ref: string): Promise<ReadBack> {
  const r = await docker.call(['buildx', 'imagetools', 'inspect', '--raw', ref], { raw: true })
  if (r.exitCode !== 0) throw new PushError(`pushed ${ref}, but could not read it back from the registry: ${dockerSays(r.stderr || r.stdout)}`)
  const digest = `sha256:${createHash('sha256').update(r.stdout, 'utf8').digest('hex')}`
  return { digest, size: Buffer.byteLength(r.stdout, 'utf8'), doc: JSON.parse(r.stdout) as Manifest, ref }
}

/** Every tag must serve the same bytes; `check` holds the first against the gated images. */
async function sameEverywhere(docker: Call, tags: string[], check: (top: ReadBack) => Promise<Pushed['images']>): Promise<Pushed> {
  const tops: ReadBack[] = []
  for (const tag of tags) tops.push(await readBack(docker, tag))
  const other = tops.find(t => t.digest !== tops[0].digest)
  if (other) throw new PushError(`${tags[0]} and ${other.ref} serve different images (${tops[0].digest}, ${other.digest}): another push moved one meanwhile`)
  const images = await check(tops[0])
  const mediaType = tops[0].doc.mediaType ?? (tops[0].doc.manifests ? 'application/vnd.oci.image.index.v1+json' : 'application/vnd.oci.image.manifest.v1+json')
  return { digest: tops[0].digest, mediaType, size: tops[0].size, images }
}

/** The manifest and config the registry serves for `image`'s platform under `top`, checked against its id. */
async function gatedIn(docker: Call, top: ReadBack, image: GatedImage, store: Engine['store']): Promise<Pushed['images'][number]> {
  let manifest = top
  if (top.doc.manifests) {
    const entry = platformEntries(top).find(e => matches(e.platform, image.platform))
    if (!entry) throw mismatch(top.ref, image, 'no manifest for it')
    manifest = await readBack(docker, `${repository(top.ref)}@${entry.digest}`)
  }
  const config = manifest.doc.config?.digest
  if (!config) throw new PushError(`the manifest pushed as ${top.ref} names no config`)
  // classic: the id is the config's digest; containerd: the index's or the manifest's (see the top)
  const same = store === 'classic' ? [config] : [top.digest, manifest.digest, config]
  if (!same.includes(image.image)) throw mismatch(top.ref, image, `config ${config}`)
  return { platform: image.platform, manifest: manifest.digest, config }
}

function mismatch(ref: string, image: GatedImage, found: string): PushError {
  return new PushError(`the registry serves ${ref} (${image.platform}) as ${found}, not the gated image ${image.image}: another push moved the tag meanwhile`)
}

/** An index's image manifests, without attestations (platform unknown/unknown). */
function platformEntries(top: ReadBack) {
  return (top.doc.manifests ?? []).filter(m => m.platform?.os !== 'unknown')
}

/** "linux/arm64" against an index entry's platform; arm64's variant v8 is its default. */
function matches(entry: { os?: string; architecture?: string; variant?: string } | undefined, platform: string): boolean {
  const [os, architecture, variant] = platform.split('/')
  if (!entry || entry.os !== os || entry.architecture !== architecture) return false
  const norm = (v: string | undefined) => (architecture === 'arm64' && v === 'v8' ? undefined : v || undefined)
  return norm(entry.variant) === norm(variant)
}
