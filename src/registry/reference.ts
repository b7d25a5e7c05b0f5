// A tag as Docker reads it, split into what the registry API needs: the registry's host, the
// repository's name there, and the tag. The default registry (a tag with no host, "app:1") is the one
// the engine names (`docker info`'s IndexServerAddress), so no registry's host is written here.

export interface Target {
  /** "ghcr.io", "127.0.0.1:5000": where the API is */
  host: string
  /** "o/app"; on the default registry a one-part name is under "library/" */
  name: string
  tag: string
  /** the tag as the user wrote it */
  ref: string
  /** the key its login is stored under in the Docker config (the default registry's is a URL) */
  loginKey: string
}

/** The default registry, as the engine names it (`docker info`): where its API is, its login key, the names a tag may give it. */
export interface DefaultRegistry {
  host: string
  loginKey: string
  /** the official index's name (IndexConfigs) and the host: a tag naming either means this registry */
  names: string[]
}

/** From `docker info`: IndexServerAddress (a URL: its host and the login key) and the official entry of RegistryConfig.IndexConfigs. */
export function defaultRegistry(indexServerAddress: string, indexConfigs: Record<string, { Name?: string; Official?: boolean }> = {}): DefaultRegistry {
  const host = new URL(indexServerAddress).host
  const official = Object.values(indexConfigs).filter(c => c.Official && c.Name).map(c => c.Name!)
  return { host, loginKey: indexServerAddress, names: [...new Set([...official, host])] }
}

/** Splits `ref` ("ghcr.io/o/app:1", "app", "localhost:5000/app:dev") as Docker does. */
export function target(ref: string, hub: DefaultRegistry): Target {
  if (ref.includes('@')) throw new Error(`${ref} names a digest: a push needs a tag`)
  const slash = ref.indexOf('/')
  const first = slash < 0 ? '' : ref.slice(0, slash)
  // Docker's rule: the first part is a host when it has a "." or ":", is localhost, or has capitals
  const hasHost = first !== '' && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase())
  const rest = hasHost ? ref.slice(slash + 1) : ref
  const colon = rest.lastIndexOf(':')
  const [path, tag] = colon > rest.lastIndexOf('/') ? [rest.slice(0, colon), rest.slice(colon + 1)] : [rest, 'latest']
  const onHub = !hasHost || hub.names.includes(first)
  if (onHub) return { host: hub.host, name: path.includes('/') ? path : `library/${path}`, tag, ref, loginKey: hub.loginKey }
  return { host: first, name: path, tag, ref, loginKey: first }
}

/** Where the same content must be: one entry per registry and repository, in the order first named. */
export function repositories(targets: Target[]): { host: string; name: string; loginKey: string }[] {
  const seen = new Map<string, { host: string; name: string; loginKey: string }>()
  for (const t of targets) if (!seen.has(`${t.host}/${t.name}`)) seen.set(`${t.host}/${t.name}`, { host: t.host, name: t.name, loginKey: t.loginKey })
  return [...seen.values()]
}
