import { rmSync } from 'node:fs'

// See global-setup.ts.
export default function globalTeardown(): void {
  const dir = process.env.IMAGE_GATE_UNIT_TMP
  if (dir) rmSync(dir, { recursive: true, force: true })
}
