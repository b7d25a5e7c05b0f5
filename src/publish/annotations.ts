import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { userPlace } from '../docker/dockerfile.js'
import type { Inputs } from '../inputs/inputs.js'
import type { Report } from '../report/report.js'
import type { Sink } from '../sink.js'

// A failed user check becomes an error annotation on the Dockerfile line that decides the user, so
// the pull request's diff shows it where it can be fixed.

export function annotateUser(report: Report, inputs: Pick<Inputs, 'file' | 'target'>, sink: Sink, workspace = process.env.GITHUB_WORKSPACE || process.cwd()): void {
  const check = report.checks.find(c => c.name === 'user')
  if (check?.status !== 'fail') return
  let content: string
  try {
    content = readFileSync(inputs.file, 'utf8')
  } catch {
    return
  }
  const where = userPlace(content, inputs.target)
  if (!where) return
  sink.error(check.detail, {
    title: where.instruction === 'USER' ? 'image-gate: this USER runs as root' : 'image-gate: no USER in the final stage, so it runs as root',
    file: path.relative(workspace, inputs.file),
    line: where.line
  })
}
