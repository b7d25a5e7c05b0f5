import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

// What the tests expect of sizes, found without image-gate's code. `size` is the layers' unpacked
// bytes as the classic image store counts a layer it unpacks (a pulled or loaded image's
// `docker image inspect` .Size): regular files' bytes, a symlink's target length (its st_size),
// nothing for hard links (one inode), directories and whiteouts. Counted here from `docker save`
// with GNU tar, on either store: the containerd store's inspect counts its compressed blobs instead,
// and the classic store leaves symlinks out of the layers BuildKit builds there.

const env = (host?: string) => (host ? { ...process.env, DOCKER_HOST: host } : process.env)
const run = (args: string[], host?: string) => execFileSync('docker', args, { encoding: 'utf8', env: env(host), maxBuffer: 64 << 20 }).trim()

/** The image store of the engine at `host` (default: the tests' engine). */
export function imageStore(host?: string): 'classic' | 'containerd' {
  return /io\.containerd\.snapshotter/.test(run(['info', '--format', '{{json .DriverStatus}}'], host)) ? 'containerd' : 'classic'
}

/** The unpacked size of `ref`, on either store. */
export function unpackedSize(ref: string, host?: string): number {
  return countedSize(ref, host)
}

/** What the engine itself says of the size (on the containerd store, its compressed content). */
export function engineSize(ref: string, host?: string): number {
  return Number(run(['image', 'inspect', '--format', '{{.Size}}', ref], host))
}

/** The layers' unpacked bytes counted from `docker save`, each layer listed with GNU tar. */
function countedSize(ref: string, host?: string): number {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-save-'))
  try {
    const archive = path.join(dir, 'image.tar')
    execFileSync('docker', ['save', '--output', archive, ref], { env: env(host) })
    const [manifest] = JSON.parse(execFileSync('tar', ['-xOf', archive, 'manifest.json'], { encoding: 'utf8' })) as { Layers: string[] }[]
    let total = 0
    for (const layer of manifest.Layers) {
      execFileSync('tar', ['-xf', archive, '-C', dir, layer])
      // -tv names a symlink "path -> target" and a hard link "path link to target"
      const listing = execFileSync('tar', ['-tvf', path.join(dir, layer), '--numeric-owner', '--quoting-style=literal'], { encoding: 'utf8', maxBuffer: 256 << 20 })
      for (const line of listing.split('\n').filter(Boolean)) {
        const [mode, , size] = line.split(/\s+/)
        if (mode.startsWith('-')) total += Number(size)
        else if (mode.startsWith('l')) total += Buffer.byteLength(line.slice(line.lastIndexOf(' -> ') + 4))
      }
    }
    return total
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
