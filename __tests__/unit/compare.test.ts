import { describe, expect, it } from '@jest/globals'
import type { Docker } from '../../src/docker/docker.js'
import { measureBaseline } from '../../src/stages/compare.js'
import { inputs } from './fixtures.js'

// compare-to that is not on the host is pulled, for the platform gated; one its registry does not
// have is "no baseline yet", anything else a failed pull with Docker's words.

/** An engine without the image, whose pull ends with `stderr`; it records the calls. */
function engine(stderr: string) {
  const calls: string[][] = []
  const docker = {
    call: async (args: string[]) => (calls.push(args), { exitCode: 1, stdout: '', stderr }),
    ok: async () => ''
  } as unknown as Docker
  return { docker, calls }
}

describe('measureBaseline', () => {
  it("pulls for the platform this run gates, and calls a reference the registry does not have no baseline yet", async () => {
    const { docker, calls } = engine('Error response from daemon: manifest for ghcr.io/o/app:latest not found: manifest unknown: manifest unknown\n')
    const { baseline, layers } = await measureBaseline(docker, { ...inputs({ platform: 'linux/arm64' }), compareTo: 'ghcr.io/o/app:latest' })
    expect(calls[1]).toEqual(['pull', '--quiet', '--platform', 'linux/arm64', 'ghcr.io/o/app:latest'])
    expect(layers).toEqual([])
    expect(baseline).toEqual({
      ref: 'ghcr.io/o/app:latest',
      missing: 'Error response from daemon: manifest for ghcr.io/o/app:latest not found: manifest unknown: manifest unknown',
      error: 'it does not exist yet (Error response from daemon: manifest for ghcr.io/o/app:latest not found: manifest unknown: manifest unknown)'
    })
  })

  it('keeps a refusal that may be a missing login a failed pull, and pulls the engine platform when none is given', async () => {
    const { docker, calls } = engine("Error response from daemon: pull access denied for o/app, repository does not exist or may require 'docker login': denied: requested access to the resource is denied\n")
    const { baseline } = await measureBaseline(docker, { ...inputs(), compareTo: 'o/app:1.0' })
    expect(calls[1]).toEqual(['pull', '--quiet', 'o/app:1.0'])
    expect(baseline.missing).toBeUndefined()
    expect(baseline.error).toMatch(/^the pull failed \(.*denied.*\); check the reference, and for a private registry log in before image-gate \(docker\/login-action\)$/)
  })
})
