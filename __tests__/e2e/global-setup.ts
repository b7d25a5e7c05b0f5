import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

// The end-to-end tests need a real engine with buildx and the offline node:18-alpine and
// python:3.11-slim stand-ins (golang:1.19, 460 MB, is made only by the tests that build Go: standin()).
// The engine is installed by scripts/setup-docker.sh (run by `npm run test:all` and .ci/run);
// here we only check it, so a missing engine is one clear message rather than 20 failures.
export default async function globalSetup(): Promise<void> {
  // Fixtures, saved images and the action's own run directories go into one temp directory of this
  // run's (the workers and the action inherit TMPDIR), removed by global-teardown.ts: a test run
  // leaves nothing in /tmp. The tests that check the action removes its own look in there.
  process.env.IMAGE_GATE_TEST_TMP = mkdtempSync(path.join(tmpdir(), 'image-gate-tests-'))
  process.env.TMPDIR = process.env.IMAGE_GATE_TEST_TMP
  // (self-contained: jest's moduleNameMapper does not apply to globalSetup, so no ./action.js here)
  const ok = (args: string[]) => {
    try {
      execFileSync('docker', args, { stdio: 'ignore' })
      return true
    } catch {
      return false
    }
  }
  if (!ok(['info']) || !ok(['buildx', 'version'])) {
    const engine = process.env.DOCKER_HOST ? `DOCKER_HOST=${process.env.DOCKER_HOST}` : 'the default socket'
    throw new Error(`e2e tests need a Docker engine with buildx (${engine} does not answer, or buildx is missing): run \`bash scripts/setup-docker.sh\` first, or set DOCKER_HOST to your engine`)
  }
  if (!existsSync('dist/index.js')) throw new Error('dist/index.js is missing: run `npm run bundle`')
  if (!existsSync('/bin/busybox')) throw new Error('the fixtures need a static busybox at /bin/busybox (Debian: busybox-static)')
  execFileSync('bash', ['scripts/node-standin.sh'], { stdio: 'inherit' })
  execFileSync('bash', ['scripts/python-standin.sh'], { stdio: 'inherit' })
}
