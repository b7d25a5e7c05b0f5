import * as v from 'valibot'
import { firstOf, measured, short, wholeNumber } from './fields.js'

// Why a container failed under run-profile or read-only (stages/profile-rerun.ts), as the report
// holds it: the health schema's profileCause.

/** An error in the log a run-profile setting explains (rules/profile-errors.ts). */
export const ProfileCauseSchema = v.object({
  setting: v.picklist(['read-only', 'restricted', 'openshift']),
  errno: v.picklist(['read-only', 'not-permitted', 'permission-denied', 'no-new-privileges']),
  path: v.optional(short()),
  /** what failed: chown, setgroups, su-exec, bind… */
  operation: v.optional(short()),
  port: v.optional(wholeNumber()),
  /** the capability the profile dropped that the operation needs, e.g. CAP_CHOWN */
  capability: v.optional(short()),
  /** the line alone proves the setting caused it */
  sure: v.boolean(),
  line: short()
})

/**
 * The errors in its log those settings explain, and, unless the log pins them on one setting, how
 * it ran again without them (run-profile: docker, read-only: false; run-memory kept): its health
 * verdict, its startup (healthy) or how long until it failed, and its exit code.
 */
export const ProfileWhySchema = v.object({
  causes: firstOf(ProfileCauseSchema, 5),
  rerun: v.optional(
    v.object({
      // the health verdicts (schema.ts's HealthVerdictSchema, which imports this file)
      verdict: v.picklist(['healthy', 'unhealthy', 'exited', 'missing', 'skipped', 'timeout']),
      seconds: measured(),
      exitCode: v.optional(wholeNumber())
    })
  )
})
