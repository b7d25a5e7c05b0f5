import picomatch from 'picomatch'

// Globs as allow-paths and forbid-paths take them: checked when the inputs are read, matched
// against the paths in the image's layers (picomatch: small and well kept, rather than our own).

const GLOB = { dot: true, strictBrackets: true } as const

/** Throws, with picomatch's reason, when a glob cannot be read. */
export function checkGlob(glob: string): void {
  // debug: an invalid regular expression throws instead of silently matching nothing
  picomatch.makeRe(glob.replace(/^\/+/, ''), { ...GLOB, debug: true })
}

/**
 * One matcher for a list of globs (allow-paths, forbid-paths), against paths like "app/.env": a
 * glob with a slash matches the path from the image's root (a leading slash is optional), one
 * without matches the file name anywhere (*.pem, .env.test). (picomatch's own `basename` option
 * also applies to globs with a slash, so the two kinds are told apart here.)
 */
export function globs(list: readonly string[]): (path: string) => boolean {
  const matchers = list.map(glob => {
    const match = picomatch(glob.replace(/^\/+/, ''), GLOB)
    return glob.includes('/') ? match : (path: string) => match(path.slice(path.lastIndexOf('/') + 1))
  })
  return path => matchers.some(match => match(path))
}
