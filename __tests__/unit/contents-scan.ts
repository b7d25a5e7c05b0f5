import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { judge } from '../../src/checks/index.js'
import { globs } from '../../src/globs.js'
import { readSaveStream } from '../../src/saved/saved-image.js'
import { contentsOf } from '../../src/stages/size.js'
import { inputs, measuredRun } from './fixtures.js'
import { tar, type Entry } from './tar.js'

// The contents check's tests read synthetic `docker save` archives: layers made here as tars, with
// a config whose history names the instruction of each layer.

/** A classic `docker save` archive: each layer made by the instruction beside it (empty ones: no tar). */
export async function image(layers: Array<[string, Entry[] | 'empty']>): Promise<Readable> {
  const history = layers.map(([created_by, entries]) => ({ created_by: `${created_by} # buildkit`, ...(entries === 'empty' && { empty_layer: true }) }))
  const real = layers.filter(([, entries]) => entries !== 'empty') as Array<[string, Entry[]]>
  const outer: Entry[] = []
  for (const [i, [, entries]] of real.entries()) outer.push({ name: `l${i}/layer.tar`, data: await tar(entries) })
  outer.push({ name: 'cfg.json', data: JSON.stringify({ history }) })
  outer.push({ name: 'manifest.json', data: JSON.stringify([{ Config: 'cfg.json', Layers: real.map((_, i) => `l${i}/layer.tar`) }]) })
  const archive = await tar(outer)
  const parts: Buffer[] = []
  for (let i = 0; i < archive.length; i += 10_000) parts.push(archive.subarray(i, i + 10_000)) // not aligned to tar blocks
  return Readable.from(parts)
}

/** `dockerfile`: the Dockerfile that built it, written to a file of its own (which build tools came with its base). */
export async function scan(layers: Array<[string, Entry[] | 'empty']>, options: { allowPaths?: string[]; forbidPaths?: string[]; compress?: boolean; dockerfile?: string } = {}) {
  const measured = await readSaveStream(await image(layers), { threads: 1, compress: options.compress ?? false, scan: { forbid: globs(options.forbidPaths ?? []), allow: globs(options.allowPaths ?? []) } })
  let file: string | undefined
  if (options.dockerfile !== undefined) {
    file = path.join(mkdtempSync(path.join(tmpdir(), 'contents-')), 'Dockerfile')
    writeFileSync(file, options.dockerfile)
  }
  return contentsOf(measured, { allowPaths: options.allowPaths ?? [], file })
}

/** measuredRun with these contents, judged. */
export function judgedWith(contents: ReturnType<typeof contentsOf>, overrides: Parameters<typeof inputs>[0] = {}) {
  const report = measuredRun()
  report.contents = contents
  Object.assign(report, judge(report, inputs(overrides)))
  return report
}
