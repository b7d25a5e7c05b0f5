import { pack } from 'tar-stream'

// Tars made here for the tests that read `docker save` archives and the layers in them.

export type Entry = { name: string; data?: string | Buffer; type?: 'symlink' | 'link' | 'directory'; linkname?: string }

export async function tar(entries: Entry[]): Promise<Buffer> {
  const p = pack()
  for (const e of entries) {
    if (e.type) p.entry({ name: e.name, type: e.type, linkname: e.linkname })
    else p.entry({ name: e.name }, e.data ?? '')
  }
  p.finalize()
  const chunks: Buffer[] = []
  for await (const chunk of p) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}
