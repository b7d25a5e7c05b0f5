import * as path from 'node:path'
import { stop as stopChild } from '../docker/command.js'
import type { Container } from '../docker/handle.js'
import { ELF_PREFIX_BYTES, isGoElf } from './go-elf.js'

// Whether the program a container ran is a Go binary (a Go program as PID 1 exits 2 on a signal it
// does not handle: that is its runtime, not the app, and the stop check says so). The program is
// the container's Path (its ENTRYPOINT or CMD's first word), found as the runtime finds it: as
// written when it has a slash, else on the image's PATH. Only the start of the file is read
// (elf.ts): streamed out with docker cp, which works on a stopped container and needs nothing in the
// image, and cut once there is enough.

const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

interface ContainerInspect {
  Path?: string
  Config?: { Env?: string[] | null; WorkingDir?: string }
}

/** true or false when the program could be read; undefined when it could not be found or read. */
export async function isGoProgram(container: Container): Promise<boolean | undefined> {
  const r = await container.docker.call(['container', 'inspect', container.name], { raw: true })
  if (r.exitCode !== 0) return undefined
  // read for paths only, never shown
  const [inspected] = JSON.parse(r.stdout) as ContainerInspect[]
  for (const candidate of programPaths(inspected?.Path ?? '', inspected?.Config?.Env ?? [], inspected?.Config?.WorkingDir ?? '')) {
    const start = await fileStart(container, candidate)
    if (start) return isGoElf(start)
  }
  return undefined
}

/** Where the runtime looks for `program`: as written (from the working directory) with a slash, else each PATH entry. */
export function programPaths(program: string, env: string[], workdir: string): string[] {
  if (!program) return []
  if (program.includes('/')) return [path.posix.resolve('/', workdir || '/', program)]
  const PATH = env.find(e => e.startsWith('PATH='))?.slice(5) ?? DEFAULT_PATH
  return PATH.split(':')
    .filter(dir => dir.startsWith('/'))
    .map(dir => path.posix.join(dir, program))
}

/** The first bytes of a file in the container (symlinks followed), or undefined when there is none. */
async function fileStart(container: Container, file: string): Promise<Buffer | undefined> {
  // docker cp writes a tar: a 512-byte header (after a PAX header for a long name), then the file
  const want = ELF_PREFIX_BYTES + 4 * 512
  const { child, exited } = container.copyOut(file)
  const chunks: Buffer[] = []
  let have = 0
  child.stdout!.on('data', (chunk: Buffer) => {
    chunks.push(chunk)
    have += chunk.length
    if (have >= want) stopChild(child)
  })
  child.stderr!.resume()
  await exited
  return tarFileStart(Buffer.concat(chunks))
}

/** The content (as far as it goes) of the first regular file in a tar stream's start. */
export function tarFileStart(tar: Buffer): Buffer | undefined {
  for (let at = 0; at + 512 <= tar.length; ) {
    const header = tar.subarray(at, at + 512)
    if (header.every(b => b === 0)) return undefined
    const size = parseInt(header.subarray(124, 136).toString('latin1').replace(/\0.*$/s, '').trim() || '0', 8)
    const type = String.fromCharCode(header[156] || 0x30)
    const data = at + 512
    if (type === '0' || type === '7') return tar.subarray(data, Math.min(tar.length, data + size))
    // PAX and GNU long-name headers come before the file's own
    if (!'xgLK'.includes(type)) return undefined
    at = data + Math.ceil(size / 512) * 512
  }
  return undefined
}
