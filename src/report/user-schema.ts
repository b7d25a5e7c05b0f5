import * as v from 'valibot'
import { firstOf, short, text, wholeNumber } from './fields.js'

// Who the container runs as (user/measure.ts), as the report holds it: the schema's user.

export const UserSchema = v.object({
  /** the UIDs PID 1 of the container really runs as, inside the container's user namespace */
  uid: v.optional(wholeNumber()),
  gid: v.optional(wholeNumber()),
  process: v.optional(text()),
  /** PID 1's process id as the host sees it (only to tell it from the rest: never shown) */
  pid: v.optional(wholeNumber()),
  /**
   * the engine's userns-remap: the host UID and GID the container's root is. uid, gid and the
   * processes' are the container's own (docker top's host IDs minus these)
   */
  remap: v.optional(v.object({ uid: wholeNumber(), gid: wholeNumber() })),
  /** every process in the container, as docker top saw it after the health wait (host PIDs) */
  processes: v.optional(
    firstOf(
      v.object({
        pid: wholeNumber(),
        uid: wholeNumber(),
        gid: wholeNumber(),
        command: text(),
        /** uid's account in the image's /etc/passwd ("www-data"), when it has one */
        user: v.optional(short())
      }),
      100
    )
  ),
  /**
   * an nginx master running as root (its workers as another account): what running it all as that
   * account needs, from nginx itself (nginx -V -T): the directories of its temp paths, its pid file,
   * the ports it listens on (user/server-facts.ts)
   */
  server: v.optional(v.object({ program: v.picklist(['nginx']), tempDirs: firstOf(short(), 10), pidFile: v.optional(short()), ports: firstOf(wholeNumber(), 20) })),
  /** USER resolved through the image's /etc/passwd and /etc/group */
  resolvedUid: v.optional(wholeNumber()),
  resolvedGid: v.optional(wholeNumber()),
  unresolved: v.optional(text()),
  /** the non-root account to switch to: one the Dockerfile creates, else one the base image has */
  suggested: v.optional(v.object({ name: short(), uid: wholeNumber(), gid: v.optional(wholeNumber()), from: v.picklist(['dockerfile', 'image']) })),
  /**
   * what the image is built on, read with docker cp, so advice is written for it (the user and the
   * stop check): whether it has /bin/sh (unset: not known), which every RUN needs, and its family
   * from /etc/os-release (busybox: no os-release, /bin/sh is busybox)
   */
  base: v.optional(v.object({ shell: v.optional(v.boolean()), os: v.optional(v.picklist(['alpine', 'debian', 'rhel', 'busybox'])) })),
  /** why the runtime user could not be read */
  unknownReason: v.optional(text())
})
