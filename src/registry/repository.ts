// Image references, read as Docker reads them.

/** ghcr.io/o/app:1.2.0 → ghcr.io/o/app; 127.0.0.1:5000/app@sha256:… → 127.0.0.1:5000/app (a port in the host stays). */
export function repository(ref: string): string {
  const noDigest = ref.split('@')[0]
  const slash = noDigest.lastIndexOf('/')
  const colon = noDigest.lastIndexOf(':')
  return colon > slash ? noDigest.slice(0, colon) : noDigest
}
