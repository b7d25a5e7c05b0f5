// Shared test data: inputs with their defaults, and a platform run as the stages leave it for a
// healthy non-root image (reportOf puts runs into a report).
import { defaultInputs, type Inputs } from '../../src/inputs/inputs.js'
import { newRun, type PlatformRun, type Report } from '../../src/report/report.js'

/** Every input at its default (parsed from the input table), the app at /src/app; one run's platform ('': the engine's). */
export function inputs(overrides: Partial<Inputs & { platform: string }> = {}): Inputs & { platform: string } {
  return { ...defaultInputs('/src/app'), context: '/src/app', file: '/src/app/Dockerfile', platform: '', ...overrides }
}

/** A report of `runs` (one platform's by default), passed when every run passed; tag as measuredRun's image. */
export function reportOf(...runs: PlatformRun[]): Report {
  return { schema: 2, tag: 'image-gate/app:0123456789ab', runs, passed: runs.every(run => run.passed) }
}

/** A platform run as the stages leave it for a healthy non-root image (not yet judged: see judged.ts). */
export function measuredRun(): PlatformRun {
  const report = newRun()
  report.build = { ok: true, seconds: 3.2 }
  report.image = {
    id: 'sha256:0aaa3c74809320922f3f459391bef696f92291cf8b79948ddf1ab328c8087f22',
    size: 123_456_789,
    user: 'nodejs',
    healthcheck: ['CMD-SHELL', 'wget -q --spider http://localhost:3001/health || exit 1'],
    healthcheckRetries: 3,
    healthcheckInterval: 30,
    healthcheckStartPeriod: 0,
    exposedPorts: ['3001/tcp']
  }
  report.health = {
    verdict: 'healthy',
    source: 'image',
    command: 'wget -q --spider http://localhost:3001/health || exit 1',
    startupSeconds: 1.4,
    waitedSeconds: 1.6,
    timeoutSeconds: 120
  }
  report.user = { uid: 1001, gid: 1001, process: 'node' }
  report.stop = { outcome: 'exited', signal: 'SIGTERM', exitCode: 0, seconds: 0.05, pid1: 'node' }
  report.contents = { layers: 4, files: 1_234, findings: [], count: 0, allowed: 0 }
  return report
}
