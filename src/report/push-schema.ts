import * as v from 'valibot'
import { firstOf, short, text, wholeNumber } from './fields.js'

/**
 * push: true. Pushed: what the registry serves for every tag (read back after the push), each gated
 * image's manifest and config there. Partly pushed: some tags moved (`moved`, each to the digest it
 * now serves) and then the push failed or the run timed out (`unmoved`: the tags that did not move;
 * `why`, unless the report's error says it). Not pushed: why (a check failed; an error or timeout
 * before any tag moved leaves `why` unset: the report's error says it). Failed: no tag moved, in the
 * registry's words (also the report's error).
 */
export const PushSchema = v.object({
  outcome: v.picklist(['pushed', 'partly-pushed', 'not-pushed', 'failed']),
  tags: firstOf(short(), 50),
  why: v.optional(text(1_000)),
  /** the manifest's or index's digest, media type and size, as the registry serves them */
  digest: v.optional(short()),
  mediaType: v.optional(short()),
  size: v.optional(wholeNumber()),
  images: v.optional(firstOf(v.object({ platform: short(), manifest: short(), config: short() }), 20)),
  /** the tags the registry accepted, in the order they moved, each with the digest it now serves */
  moved: v.optional(firstOf(v.object({ tag: short(), digest: short() }), 50)),
  /** partly pushed: the tags that did not move */
  unmoved: v.optional(firstOf(short(), 50))
})
