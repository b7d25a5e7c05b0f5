import { readFileSync } from 'node:fs'
import { finalChain, instructionPlace } from './places.js'
import type { Contents } from '../report/report.js'

// Which build tools came with the base image rather than a line of the Dockerfile: a layer no
// instruction of the final stage (or a stage it is built FROM) made came through the FROM line
// (places.ts). Those need a different fix: a build stage on the same base leaves them in the
// final image, so the base itself has to change (advice/findings.ts names its variant).

/** `contents` with each build tool from the base marked with the final stage's FROM image; as it is when the Dockerfile cannot be read. */
export function markFromBase(contents: Contents, file: string | undefined, target = ''): Contents {
  if (!file || !contents.findings.some(f => f.kind === 'build-tool')) return contents
  let dockerfile: string
  try {
    dockerfile = readFileSync(file, 'utf8')
  } catch {
    return contents
  }
  const chain = finalChain(dockerfile, target)
  const base = chain[chain.length - 1]?.base
  // scratch has no tools; a FROM with an unset ARG cannot be named
  if (!base || base === 'scratch' || base.includes('$')) return contents
  const findings = contents.findings.map(f => (f.kind === 'build-tool' && instructionPlace(dockerfile, f.instruction, target)?.instruction === 'FROM' ? { ...f, fromBase: base } : f))
  return { ...contents, findings }
}
