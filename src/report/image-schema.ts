import * as v from 'valibot'
import { firstOf, measured, short, text, wholeNumber } from './fields.js'

// The report's image part (schema.ts holds the rest): the image's facts and sizes, its layers, a
// baseline it was compared with, and what its layers hold. Capped like the rest: a saved report
// is untrusted.

export const LayerSchema = v.object({
  /** the Dockerfile instruction that made it (docker history) */
  instruction: short(),
  size: v.number(),
  /** with compare-to: the size of the baseline's layer made by the same instruction (0: none) */
  before: measured()
})

/** Something in the image's layers that production does not need, or must not ship. Never a file's content. */
export const FindingSchema = v.object({
  kind: v.picklist(['secret', 'dev-dependency', 'build-tool', 'forbidden', 'foreign-binary']),
  /** what it is: "environment file", "private key (PEM)", "devDependency of /app/package.json", "gcc" */
  what: short(),
  /** where, from the image's root: a file, or the folder of a package or a .git */
  path: short(),
  /** bytes it adds to the image */
  size: v.number(),
  /** the Dockerfile instruction of the layer that added it */
  instruction: short(),
  /** the instruction of a later layer that deleted it (a whiteout): it still ships in the layer below */
  deletedBy: v.optional(short()),
  /** later layers that wrote the same path again (a `chown -R`): one finding, shipped once more in each */
  alsoIn: v.optional(firstOf(short(), 10)),
  /** whose dev dependency or build tool it is (the fix is worded for it): npm's, Python's, Go's, Ruby's… */
  ecosystem: v.optional(v.picklist(['node', 'python', 'go', 'ruby', 'php', 'java', 'rust', 'erlang'])),
  /** a build tool that came with the base image (no instruction of the Dockerfile added it): the final stage's FROM image */
  fromBase: v.optional(short())
})

/** The contents check: the final image's layers, read in the same docker save pass as the compressed size. */
export const ContentsSchema = v.object({
  /** why the layers were not read (the containerd store keeps them compressed; docker save failed) */
  notScanned: v.optional(text()),
  /** the layers read (each blob once) and the files in them */
  layers: v.optional(wholeNumber()),
  files: v.optional(wholeNumber()),
  /** secrets first, then forbidden paths, dev dependencies and build tools (the first 100) */
  findings: v.pipe(
    v.array(FindingSchema),
    v.transform(findings => findings.slice(0, 100))
  ),
  /** findings in all, and those allow-paths let through (not listed) */
  count: wholeNumber(),
  allowed: wholeNumber()
})

/** A layer whose files could not be read: it counts at its size in the archive instead. */
export const UnreadLayerSchema = v.object({
  instruction: short(),
  /** why, e.g. "not a tar" or the unpacker's error */
  why: short(),
  /** its bytes in the docker save archive (a compressed blob: compressed bytes) */
  bytes: v.number()
})

/** At most this many unread layers are kept (an image has a few dozen layers at most). */
const unreadLayers = () => v.optional(v.pipe(v.array(UnreadLayerSchema), v.transform(layers => layers.slice(0, 20))))

export const ImageSchema = v.object({
  id: v.optional(text()),
  /** the layers' unpacked bytes, as the classic image store counts them, on either store */
  size: measured(),
  /** the platform it was built for, "linux/arm64" (Os/Architecture/Variant) */
  platform: v.optional(short()),
  /** the engine's platform when the image is for another architecture: it ran emulated (QEMU) */
  emulatedOn: v.optional(short()),
  /** Config.User as written in the image, "" when unset */
  user: v.optional(text()),
  /** Config.Healthcheck.Test, or undefined when the image has none (or HEALTHCHECK NONE) */
  healthcheck: v.optional(firstOf(text(), 100)),
  /** consecutive failed probes after the start period before Docker says unhealthy */
  healthcheckRetries: measured(),
  /** Config.StopSignal, "" when unset (Docker then sends SIGTERM) */
  stopSignal: v.optional(short()),
  /** the HEALTHCHECK's own --interval and --start-period, seconds (Docker's defaults when unset: 30 and 0) */
  healthcheckInterval: measured(),
  healthcheckStartPeriod: measured(),
  /** the HEALTHCHECK's own --start-interval, seconds; undefined when unset (Docker 27 then probes every 5 s in the start period) */
  healthcheckStartInterval: measured(),
  exposedPorts: v.optional(firstOf(text(), 100)),
  /** Config.Entrypoint and Config.Cmd (a shell-form CMD is ["/bin/sh", "-c", "…"]), the first 20 words */
  entrypoint: v.optional(firstOf(text(1_000), 20)),
  cmd: v.optional(firstOf(text(1_000), 20)),
  labels: v.optional(
    v.pipe(
      v.record(v.string(), v.string()),
      // the first 100, each key a line's worth
      v.transform(labels => Object.fromEntries(Object.entries(labels).slice(0, 100).map(([k, value]) => [k.slice(0, 200), value.slice(0, 1_000)])))
    )
  ),
  /** what a push transfers: each layer gzip-compressed (or the store's own compressed blobs) */
  compressedSize: measured(),
  compressedBy: v.optional(v.picklist(['gzip', 'zlib', 'store'])),
  /** the engine's image store: it decides how the sizes were had, not what they mean */
  store: v.optional(v.picklist(['classic', 'containerd'])),
  /** layers `size` could not count file by file (it counts them at their archive size) */
  unreadLayers: unreadLayers(),
  largestLayers: v.optional(
    v.pipe(
      v.array(LayerSchema),
      // listed largest first: the five largest
      v.transform(layers => layers.slice(0, 5))
    )
  )
})

export const BaselineSchema = v.object({
  ref: short(),
  size: measured(),
  compressedSize: measured(),
  /** the instruction whose layers grew the most against the baseline's */
  growth: v.optional(v.object({ instruction: short(), bytes: v.number() })),
  unreadLayers: unreadLayers(),
  error: v.optional(text()),
  /** the registry (or the engine) said the reference does not exist, in its words: no baseline yet */
  missing: v.optional(text())
})
