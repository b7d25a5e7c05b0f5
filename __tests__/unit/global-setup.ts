import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

// The unit tests make run directories, fixtures and fake docker binaries in the temp directory:
// give them one of their own (the workers inherit TMPDIR), removed again by global-teardown.ts, so
// a test run leaves nothing in /tmp.
export default function globalSetup(): void {
  process.env.IMAGE_GATE_UNIT_TMP = mkdtempSync(path.join(tmpdir(), 'image-gate-unit-'))
  process.env.TMPDIR = process.env.IMAGE_GATE_UNIT_TMP
}
