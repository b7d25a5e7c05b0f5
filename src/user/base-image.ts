import { lstatSync, readFileSync, readlinkSync } from 'node:fs'
import * as path from 'node:path'
import type { Container } from '../docker/handle.js'
import type { PlatformRun } from '../report/report.js'

// What the image is built on, for advice that has to work there: a RUN needs /bin/sh (FROM scratch
// and distroless have none, so there the fix is a numeric USER, a static init copied in), and the
// commands differ by family (apk and busybox adduser on Alpine, apt-get and useradd on Debian).
// Read with docker cp, which needs nothing in the image and works on a stopped container too:
// /etc/os-release (followed, Debian's is a symlink) and /bin/sh itself (not followed, so a symlink
// to busybox says what it is, and a shell is not copied whole when it is one).

export type Base = NonNullable<PlatformRun['user']['base']>
type Copied = 'copied' | 'absent' | 'unknown'

/** Copies `from` (a path in the container) to `to`; absent when the image has no such file. */
async function copy(container: Container, from: string, to: string, follow: boolean): Promise<Copied> {
  const r = await container.copy(from, to, follow)
  if (r.exitCode === 0) return 'copied'
  return /could not find the file|no such file or directory/i.test(`${r.stderr}\n${r.stdout}`) ? 'absent' : 'unknown'
}

/** The container `name`'s base, its files copied into `dir` (the caller removes it). */
export async function readBase(container: Container, dir: string): Promise<Base> {
  const [release, sh] = await Promise.all([
    copy(container, '/etc/os-release', path.join(dir, 'os-release'), true),
    copy(container, '/bin/sh', path.join(dir, 'sh'), false)
  ])
  const osRelease = release === 'copied' ? readFileSync(path.join(dir, 'os-release'), 'utf8') : ''
  const shLink = sh === 'copied' && lstatSync(path.join(dir, 'sh')).isSymbolicLink() ? readlinkSync(path.join(dir, 'sh')) : ''
  return baseOf(osRelease, sh === 'unknown' ? undefined : sh === 'copied', shLink)
}

/** The family from os-release's ID and ID_LIKE; busybox when there is none and /bin/sh links to busybox. */
export function baseOf(osRelease: string, shell: boolean | undefined, shLink = ''): Base {
  const field = (key: string) => new RegExp(`^${key}=["']?([^"'\\n]*)`, 'm').exec(osRelease)?.[1].toLowerCase().split(/\s+/) ?? []
  const ids = [...field('ID'), ...field('ID_LIKE')]
  const os = ids.includes('alpine')
    ? 'alpine'
    : ids.some(id => id === 'debian' || id === 'ubuntu')
      ? 'debian'
      : ids.some(id => ['rhel', 'fedora', 'centos'].includes(id))
        ? 'rhel'
        : shell && path.basename(shLink) === 'busybox'
          ? 'busybox'
          : undefined
  return { ...(shell !== undefined && { shell }), ...(os && { os }) }
}
