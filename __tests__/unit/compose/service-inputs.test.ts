import { describe, expect, it } from '@jest/globals'
import type { ServiceSettings } from '../../../src/compose/config.js'
import { serviceInputs } from '../../../src/compose/service-inputs.js'
import { defaultInputs, type InputName } from '../../../src/inputs/inputs.js'

// The gated service's settings over the inputs: what the file says is taken where no input was
// given, an input given wins (env by variable), and compose's $$ escape is undone as compose does.

const service: ServiceSettings = {
  name: 'api',
  environment: { DATABASE_URL: 'postgres://db/app', PRICE: '$$5', PASSED_THROUGH: null },
  command: ['serve', '--port', '8080'],
  healthcheck: { test: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8080/health'], startPeriodMs: 4500 },
  stopGracePeriodMs: 90_000,
  readOnly: true,
  memLimit: 256 * 1048576,
  networks: [
    { key: 'default', name: 'p_default', aliases: ['api', 'web'], external: false },
    { key: 'edge', name: 'p_edge', aliases: ['api'], external: false }
  ],
  dependsOn: []
}

const given = (...names: InputName[]) => new Set(names)

describe('serviceInputs', () => {
  it('runs the image as the service says where no input was given', () => {
    const { inputs, settings, notes } = serviceInputs(service, service.networks, defaultInputs(), given())
    expect(inputs).toMatchObject({
      runNetwork: 'p_default',
      networkAliases: ['api', 'web'],
      env: ['DATABASE_URL=postgres://db/app', 'PRICE=$5'],
      command: ['serve', '--port', '8080'],
      healthCmd: 'wget -q -O /dev/null http://127.0.0.1:8080/health',
      healthStartPeriod: 5,
      stopTimeout: 90,
      readOnly: true,
      runMemory: { text: '256m', bytes: 256 * 1048576 }
    })
    expect(settings.map(s => [s.input, s.key, s.use])).toEqual([
      ['run-network', 'services.api.networks.default', 'file'],
      ['env', 'services.api.environment', 'file'],
      ['command', 'services.api.command', 'file'],
      ['health-cmd', 'services.api.healthcheck.test', 'file'],
      ['health-start-period', 'services.api.healthcheck.start_period', 'file'],
      ['stop-timeout', 'services.api.stop_grace_period', 'file'],
      ['read-only', 'services.api.read_only', 'file'],
      ['run-memory', 'services.api.mem_limit', 'file']
    ])
    expect(notes).toEqual([{ text: 'joins only p_default, not p_edge: image-gate runs the container on one network', key: 'services.api.networks.edge' }])
  })

  it('lets an input given win, env by variable', () => {
    const base = { ...defaultInputs(), env: ['DATABASE_URL=postgres://other/app'], stopTimeout: 7, command: ['worker'] }
    const { inputs, settings } = serviceInputs(service, service.networks, base, given('env', 'stop-timeout', 'command'))
    expect(inputs.env).toEqual(['PRICE=$5', 'DATABASE_URL=postgres://other/app'])
    expect(inputs.stopTimeout).toBe(7)
    expect(inputs.command).toEqual(['worker'])
    expect(settings.filter(s => s.use === 'input').map(s => [s.input, s.value])).toEqual([
      ['env', 'DATABASE_URL'],
      ['command', '["serve","--port","8080"]'],
      ['stop-timeout', '90']
    ])
  })

  it('takes a CMD-SHELL test as it is, and says a disabled healthcheck is not applied', () => {
    const shell = serviceInputs({ ...service, healthcheck: { test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } }, [], defaultInputs(), given())
    expect(shell.inputs.healthCmd).toBe('curl -f http://localhost/ || exit 1')
    const off = serviceInputs({ ...service, healthcheck: { test: ['NONE'] } }, [], defaultInputs(), given())
    expect(off.inputs.healthCmd).toBe('')
    expect(off.notes.map(n => n.text)).toContain('disables the healthcheck; the image is still judged by its own HEALTHCHECK or health-cmd')
  })
})
