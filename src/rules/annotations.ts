// The annotations input, read as buildx reads `--annotation` (and so as docker/build-push-action and
// docker/metadata-action's `annotations` output write it): `[LEVEL[,LEVEL]][[PLATFORM]]:KEY=VALUE`,
// one per line. A line without a level is a manifest annotation. Where each level goes:
//   manifest             each platform's image manifest
//   manifest-descriptor  each manifest's entry in the index
//   index                the index itself (what GHCR shows as a multi-platform image's description)
//   index-descriptor     the index's entry in an OCI layout's index.json, which a registry does not
//                        have: refused, so it is not silently dropped

export type Level = 'manifest' | 'manifest-descriptor' | 'index' | 'index-descriptor'

export interface Annotation {
  levels: Level[]
  /** manifest levels only: the platform it is for ("linux/arm64"); undefined for every platform */
  platform?: string
  key: string
  value: string
  /** the line as given, for the build's --annotation */
  line: string
}

const LEVELS: Level[] = ['manifest', 'manifest-descriptor', 'index', 'index-descriptor']
// buildx's form: an optional "levels[platform]:" before the key (the key has no space)
const FORM = /^(?:([a-z,-]+)(?:\[([A-Za-z0-9_/-]+)\])?:)?(\S+)$/

/** One line, or the reason it is not one (a sentence for the input's error). */
export function parseAnnotation(line: string): Annotation | string {
  const eq = line.indexOf('=')
  if (eq <= 0) return `"${line}" is not KEY=VALUE (with an optional level: index:KEY=VALUE)`
  const m = FORM.exec(line.slice(0, eq))
  if (!m) return `"${line}" is not [LEVEL:]KEY=VALUE: the key has no spaces`
  const levels = (m[1] ?? 'manifest').split(',')
  const unknown = levels.find(l => !LEVELS.includes(l as Level))
  if (unknown !== undefined) return `"${line}" names the level "${unknown}": the levels are ${LEVELS.join(', ')}`
  if (levels.includes('index-descriptor')) {
    return `"${line}": index-descriptor annotations go on an OCI layout's index.json, which a registry does not have; use index: (the index itself) or manifest-descriptor:`
  }
  if (m[2] && levels.some(l => l.startsWith('index'))) return `"${line}": a platform ([${m[2]}]) applies to manifest levels only, not to the index`
  return { levels: levels as Level[], ...(m[2] && { platform: m[2] }), key: m[3], value: line.slice(eq + 1), line }
}

/** The annotations at `level` for `platform` (one without a platform applies to every one), later lines winning. */
export function annotationsAt(annotations: Annotation[], level: Level, platform?: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const a of annotations) {
    if (!a.levels.includes(level)) continue
    if (a.platform && platform !== undefined && !samePlatform(a.platform, platform)) continue
    out[a.key] = a.value
  }
  return out
}

/** "linux/arm64" and "linux/arm64/v8" are one platform (v8 is arm64's default variant). */
export function samePlatform(a: string, b: string): boolean {
  const norm = (p: string) => p.replace(/^(linux\/arm64)\/v8$/, '$1')
  return norm(a) === norm(b)
}

/** What the build itself writes (the containerd store keeps it): the manifest levels for `platform`, as buildx takes them. */
export function buildAnnotations(annotations: Annotation[], platform: string): string[] {
  return annotations
    .filter(a => a.levels.some(l => l.startsWith('manifest')) && (!a.platform || !platform || samePlatform(a.platform, platform)))
    .map(a => {
      const levels = a.levels.filter(l => l.startsWith('manifest')).join(',')
      return `${levels}${a.platform ? `[${a.platform}]` : ''}:${a.key}=${a.value}`
    })
}
