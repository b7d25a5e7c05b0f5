import type { Contents, Finding } from '../report/report.js'
import { betterToolPath, type Ecosystem, type Manifest } from './contents-rules.js'
import { pythonDevTool } from './python-rules.js'
import type { LayerFacts } from './layer-scan.js'

// The contents check's findings, from the facts each layer's scan kept (layer-scan.ts), put together
// in the image's layer order: which layer added a file, and whether a later one deleted it. A file
// deleted in a later layer (a whiteout) still ships: the layer that added it is pushed and pulled
// as it is, so it still counts, and says so. A path written again by a later layer (a `chown -R`
// copies every file it touches) is one finding that names each layer. Dev dependencies are the
// devDependencies of the app's package.json found installed beside it, and Python's dev and test
// tools (pytest, mypy, ruff…) in a site-packages; build tools are the compilers (and a Go
// toolchain) a build stage should keep.

export interface ScannedLayer {
  /** undefined: the layer was not read (not a tar, or the store keeps it compressed) */
  facts?: LayerFacts
  /** the Dockerfile instruction that made it */
  instruction: string
}

/** Listed at most (the report keeps as many); the count says how many there were. */
const LISTED = 100

const ORDER: Finding['kind'][] = ['secret', 'forbidden', 'foreign-binary', 'dev-dependency', 'build-tool']

export function assembleContents(layers: ScannedLayer[], allow: (path: string) => boolean, platform = ''): Contents {
  const ecosystem = imageEcosystem(layers)
  const findings = [...secrets(layers), ...foreignBinaries(layers, platform), ...devDependencies(layers), ...pythonDevTools(layers), ...buildTools(layers, ecosystem)]
  const kept = findings.filter(f => !allow(f.path.slice(1)))
  kept.sort((a, b) => ORDER.indexOf(a.kind) - ORDER.indexOf(b.kind) || (a.kind === 'secret' || a.kind === 'forbidden' ? 0 : b.size - a.size))
  const read = unique(layers).filter(l => l.facts)
  const counted = (key: 'files' | 'unlisted' | 'allowed' | 'foreignUnlisted') => read.reduce((sum, l) => sum + (l.facts?.[key] ?? 0), 0)
  return {
    layers: read.length,
    files: counted('files'),
    findings: kept.slice(0, LISTED),
    // forbid-paths matches the scan counted without listing them (past its cap, or allowed)
    count: kept.length + counted('unlisted') + counted('foreignUnlisted'),
    allowed: findings.length - kept.length + counted('allowed')
  }
}

/** The same layer listed twice in the manifest is one blob: its files are counted once. */
function unique(layers: ScannedLayer[]): ScannedLayer[] {
  const seen = new Set<LayerFacts>()
  return layers.map(l => (l.facts && !seen.has(l.facts) ? (seen.add(l.facts), l) : { instruction: l.instruction }))
}

/**
 * Secrets and forbidden paths, one finding per path: the first layer that wrote it adds it, later
 * ones that wrote it again (RUN chown -R, chmod -R) are named beside it. One .git is one secret.
 */
function* secrets(layers: ScannedLayer[]): Generator<Finding> {
  const byPath = new Map<string, { f: Finding; first: number; last: number }>()
  for (const [i, { facts, instruction }] of unique(layers).entries()) {
    if (!facts) continue
    const seen = [...facts.found.map(f => ({ kind: f.kind, what: f.what, path: f.path, size: f.size })), ...[...facts.dirs].map(([path, { what, size }]) => ({ kind: 'secret' as const, what, path, size }))]
    for (const f of seen) {
      const key = `${f.kind} ${f.path}`
      const known = byPath.get(key)
      if (!known) {
        byPath.set(key, { f: { ...f, instruction }, first: i, last: i })
        continue
      }
      if (known.last !== i && instruction !== known.f.instruction && !(known.f.alsoIn ?? []).includes(instruction)) known.f.alsoIn = [...(known.f.alsoIn ?? []), instruction]
      // its size as it is (a chown leaves it the same; a rewrite may change it)
      known.f.size = Math.max(known.f.size, f.size)
      known.last = i
    }
  }
  // deleted after the last layer that wrote it
  for (const { f, last } of byPath.values()) yield finding(layers, last, f)
}

/**
 * ELF programs and libraries built for another architecture than the image's (an amd64 tool
 * fetched into an arm64 image): they fail with "exec format error" on a machine of the image's
 * architecture, even where QEMU ran them here.
 */
function* foreignBinaries(layers: ScannedLayer[], platform: string): Generator<Finding> {
  for (const [i, { facts, instruction }] of unique(layers).entries()) {
    for (const f of facts?.foreign ?? []) {
      yield finding(layers, i, { kind: 'foreign-binary', what: `${f.name} binary in a ${platform || 'different'} image`, path: f.path, size: f.size, instruction })
    }
  }
}

/**
 * The devDependencies of each app package.json (as the final image has it) installed beside it
 * that only development needs. npm decided that at install time and wrote it down: the hidden
 * lockfile marks dev-only packages. Without one, the production dependency graph decides: a
 * devDependency that a production dependency also needs (semver, under jsonwebtoken) stays after
 * `npm ci --omit=dev`, rightly.
 */
function* devDependencies(layers: ScannedLayer[]): Generator<Finding> {
  const { manifests, lockfiles, packageDeps } = latest(layers)
  for (const [manifest, { dependencies, devDependencies: dev }] of manifests) {
    const root = manifest.slice(0, -'package.json'.length).replace(/\/$/, '')
    const lock = lockfiles.get(root)
    const production = lock ? undefined : reachable(root, dependencies, packageDeps, installedPackages(layers))
    for (const name of dev) {
      const dir = `${root ? `${root}/` : ''}node_modules/${name}`
      if (lock ? !lock.has(dir) : production!.has(dir)) continue
      const installed = packageFinding(layers, dir)
      if (installed) yield { ...installed, kind: 'dev-dependency', what: `devDependency of /${manifest}`, ecosystem: 'node' }
    }
  }
}

/** The manifests, hidden lockfiles and package manifests as the final image has them (the last layer's). */
function latest(layers: ScannedLayer[]) {
  const manifests = new Map<string, Manifest>()
  const lockfiles = new Map<string, Set<string>>()
  const packageDeps = new Map<string, string[]>()
  for (const { facts } of unique(layers)) {
    for (const [path, m] of facts?.manifests ?? []) manifests.set(path, m)
    for (const [root, dev] of facts?.lockfiles ?? []) lockfiles.set(root, dev)
    for (const [dir, deps] of facts?.packageDeps ?? []) packageDeps.set(dir, deps)
  }
  return { manifests, lockfiles, packageDeps }
}

/** Every installed package folder, nested ones too (each has its package.json). */
function installedPackages(layers: ScannedLayer[]): Set<string> {
  return new Set(unique(layers).flatMap(l => [...(l.facts?.packages.keys() ?? []), ...(l.facts?.packageDeps.keys() ?? [])]))
}

/** The package folders `names` reach from `root`, resolved as Node resolves them (nearest node_modules up). */
function reachable(root: string, names: string[], packageDeps: Map<string, string[]>, installed: Set<string>): Set<string> {
  const seen = new Set<string>()
  const queue = names.map(name => ({ from: root, name }))
  while (queue.length > 0) {
    const { from, name } = queue.pop()!
    const dir = resolvePackage(root, from, name, installed)
    if (!dir || seen.has(dir)) continue
    seen.add(dir)
    for (const dep of packageDeps.get(dir) ?? []) queue.push({ from: dir, name: dep })
  }
  return seen
}

/** "app/node_modules/a" needing "b": app/node_modules/a/node_modules/b, else app/node_modules/b. */
function resolvePackage(root: string, from: string, name: string, installed: Set<string>): string | undefined {
  let dir = from
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${name}`
    if (installed.has(candidate)) return candidate
    if (dir === root) return undefined
    // up to the folder holding the node_modules that holds `dir`
    const at = `/${dir}`.lastIndexOf('/node_modules/')
    dir = at <= 0 ? '' : dir.slice(0, at - 1)
  }
}

/**
 * What the image runs: an app's manifest with its runtime beside it says it best, then a manifest,
 * then a runtime alone. Among equals node, go, ruby, php, java, rust, erlang, then python, which
 * many images carry only for their tools (node-gyp, mercurial in golang and the full ruby images).
 */
function imageEcosystem(layers: ScannedLayer[]): Ecosystem | undefined {
  const app = new Set(unique(layers).flatMap(l => [...(l.facts?.ecosystems.app ?? [])]))
  const runtime = new Set(unique(layers).flatMap(l => [...(l.facts?.ecosystems.runtime ?? [])]))
  const order: Ecosystem[] = ['node', 'go', 'ruby', 'php', 'java', 'rust', 'erlang', 'python']
  return order.find(e => app.has(e) && runtime.has(e)) ?? order.find(e => app.has(e)) ?? order.find(e => runtime.has(e))
}

function* buildTools(layers: ScannedLayer[], ecosystem: Ecosystem | undefined): Generator<Finding> {
  const tools = new Map<string, { path?: string; bytes: number[]; ecosystem?: Ecosystem }>()
  for (const [i, { facts }] of unique(layers).entries()) {
    for (const [name, { path, size, ecosystem: own }] of facts?.tools ?? []) {
      const tool = tools.get(name) ?? { bytes: [] }
      // the tool's own name beats an alias in another layer too
      if (path) tool.path = betterToolPath(tool.path, path)
      tool.bytes[i] = size
      tool.ecosystem ??= own
      tools.set(name, tool)
    }
  }
  for (const [name, { path, bytes, ecosystem: own }] of tools) {
    if (!path) continue // only parts (a libgcc): the tool itself is not there
    const most = largest(bytes)
    const whose = own ?? ecosystem
    yield finding(layers, most, { kind: 'build-tool', what: name, path, size: sum(bytes), instruction: layers[most].instruction, ...(whose && { ecosystem: whose }) })
  }
  // TypeScript installed as a dependency, or globally (a devDependency is named as that above)
  const devs = new Set(layers.flatMap(l => [...(l.facts?.manifests ?? [])].flatMap(([m, { devDependencies: names }]) => names.map(n => `${m.slice(0, -12)}node_modules/${n}`))))
  const typescript = new Set(unique(layers).flatMap(l => [...(l.facts?.packages.keys() ?? [])].filter(dir => /(^|\/)node_modules\/typescript$/.test(dir))))
  for (const dir of typescript) {
    const installed = devs.has(dir) ? undefined : packageFinding(layers, dir)
    if (installed) yield { ...installed, kind: 'build-tool', what: 'typescript (tsc)', ecosystem: 'node' }
  }
}

/**
 * Python's dev and test tools (contents-rules.ts: pytest, mypy, black, ruff…) installed in a
 * site-packages, each named by its metadata folder, unless a distribution that is not one needs it
 * at run time (Requires-Dist without an extra): that one rightly stays, as a devDependency that a
 * production dependency needs does with npm. Its size: what its RECORD lists (ruff's binary in bin/
 * too), else its folders' bytes (an egg-info's top_level.txt, or its own name).
 */
function* pythonDevTools(layers: ScannedLayer[]): Generator<Finding> {
  const dists = new Map<string, { name: string; version?: string; requires: string[]; record?: number; topLevel?: string[]; first: number; last: number }>()
  const entries = new Map<string, number>()
  for (const [i, { facts }] of unique(layers).entries()) {
    for (const [dir, d] of facts?.pythonDists ?? []) {
      const known = dists.get(dir) ?? { name: d.name, version: d.version, requires: [], first: i, last: i }
      known.last = i
      if (d.requires) known.requires = d.requires
      known.record = d.record ?? known.record
      known.topLevel = d.topLevel ?? known.topLevel
      dists.set(dir, known)
    }
    for (const [entry, bytes] of facts?.siteEntries ?? []) entries.set(entry, (entries.get(entry) ?? 0) + bytes)
  }
  const needed = new Set([...dists.values()].filter(d => !pythonDevTool(d.name)).flatMap(d => d.requires))
  for (const [dir, d] of dists) {
    const kind = pythonDevTool(d.name)
    if (!kind || needed.has(d.name)) continue
    const site = dir.slice(0, dir.lastIndexOf('/'))
    const names = d.topLevel ?? [d.name.replace(/-/g, '_')]
    const size = d.record ?? [dir, ...names.flatMap(n => [`${site}/${n}`, `${site}/${n}.py`])].reduce((sum, e) => sum + (entries.get(e) ?? 0), 0)
    const what = `Python ${kind} ${d.name}${d.version ? ` ${d.version}` : ''}`
    yield finding(layers, d.last, { kind: 'dev-dependency', what, path: dir, size, instruction: layers[d.first].instruction, ecosystem: 'python' })
  }
}

/** A package folder's bytes over every layer, from the layer that added the most of it. */
function packageFinding(layers: ScannedLayer[], dir: string): Finding | undefined {
  const bytes: number[] = []
  for (const [i, { facts }] of unique(layers).entries()) {
    const size = facts?.packages.get(dir)
    if (size !== undefined) bytes[i] = size
  }
  if (bytes.length === 0) return undefined
  const most = largest(bytes)
  // deleted after the last layer that wrote to it (npm prune in a RUN of its own)
  return finding(layers, bytes.length - 1, { kind: 'dev-dependency', what: '', path: dir, size: sum(bytes), instruction: layers[most].instruction })
}

/** A finding with its path from the root, and the later layer that deleted it, if one did. */
function finding(layers: ScannedLayer[], index: number, f: Finding): Finding {
  const deletedBy = deletedAfter(layers, f.path, index)
  return { ...f, path: `/${f.path}`, ...(deletedBy !== undefined && { deletedBy }) }
}

/** The instruction of the first layer above `index` whose whiteouts delete `path` (or a folder above it). */
export function deletedAfter(layers: ScannedLayer[], path: string, index: number): string | undefined {
  const under = (dir: string) => dir === '' || path === dir || path.startsWith(`${dir}/`)
  for (let j = index + 1; j < layers.length; j++) {
    const facts = layers[j].facts
    if (facts && (facts.deleted.some(under) || facts.opaque.some(dir => dir === '' || path.startsWith(`${dir}/`)))) return layers[j].instruction
  }
  return undefined
}

function sum(bytes: number[]): number {
  return bytes.reduce((a, b) => a + (b ?? 0), 0)
}

/** The index of the largest entry (the first among equals). */
function largest(bytes: number[]): number {
  let best = -1
  bytes.forEach((b, i) => (best < 0 || b > bytes[best] ? (best = i) : undefined))
  return best
}
