import type { Ecosystem, Manifest } from './contents-rules.js'
import type { PythonDist } from './python-rules.js'

// What one layer's scan (layer-scan.ts) keeps of its files: facts, never a file's content.

/** A file the rules flagged: a secret, or a path forbid-paths refuses. */
export interface Found {
  kind: 'secret' | 'forbidden'
  what: string
  path: string
  size: number
}

export interface LayerFacts {
  /** regular files in the layer */
  files: number
  /**
   * the layer's unpacked size as the classic image store counts it (`docker image inspect` .Size,
   * `docker history`): regular files' bytes plus symlink targets' lengths (a symlink's st_size);
   * a hard link adds nothing (one inode), directories and whiteouts nothing
   */
  bytes: number
  /** secrets (every one), and forbid-paths matches up to MAX_FORBIDDEN */
  found: Found[]
  /** forbid-paths matches past MAX_FORBIDDEN: counted, not listed */
  unlisted: number
  /** forbid-paths matches that allow-paths lets through: counted, not listed */
  allowed: number
  /** .git directories: path → what, and the bytes of their files */
  dirs: Map<string, { what: string; size: number }>
  /** paths a whiteout deletes from the layers below (OCI `.wh.<name>`), and opaque directories */
  deleted: string[]
  opaque: string[]
  /** installed packages: "app/node_modules/typescript" → bytes of its files in this layer */
  packages: Map<string, number>
  /** the app's package.json files: path → its dependencies and its devDependencies */
  manifests: Map<string, Manifest>
  /** installed packages' own dependencies: "app/node_modules/jsonwebtoken" → ["semver", …] */
  packageDeps: Map<string, string[]>
  /**
   * npm's hidden lockfiles (node_modules/.package-lock.json, written by every npm install): the
   * folder holding node_modules → the package folders npm marked dev-only ("dev": true)
   */
  lockfiles: Map<string, Set<string>>
  /** build tools: name → where its program is, the bytes of its files in this layer, whose tool it is */
  tools: Map<string, { path?: string; size: number; ecosystem?: Ecosystem }>
  /** what the image runs, as an app manifest or a runtime in this layer says */
  ecosystems: { app: Set<Ecosystem>; runtime: Set<Ecosystem> }
  /** installed Python distributions: their metadata folder → what it says (and RECORD's bytes, for dev tools) */
  pythonDists: Map<string, PythonDist>
  /** the bytes of each top-level entry of a site-packages ("…/site-packages/_pytest"), to size an egg-info's packages */
  siteEntries: Map<string, number>
  /** with ScanRules.arch: ELF programs and libraries built for another architecture (up to MAX_FOREIGN), and how many more */
  foreign: { path: string; arch: string; name: string; size: number }[]
  foreignUnlisted: number
  /** why the layer could not be read to its end */
  error?: string
}
