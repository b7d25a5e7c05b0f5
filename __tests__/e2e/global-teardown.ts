import { rmSync } from 'node:fs'

// See global-setup.ts: the run's temp directory goes.
export default function globalTeardown(): void {
  const dir = process.env.IMAGE_GATE_TEST_TMP
  if (dir) rmSync(dir, { recursive: true, force: true })
}
