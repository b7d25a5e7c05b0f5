import { describe, expect, it } from '@jest/globals'
import { parseDuration, readProject } from '../../../src/compose/config.js'

// What `docker compose config --format json` (compose 2.40) wrote for a service with every setting
// the gated container takes, cut to those keys.
const CONFIG = {
  name: 'image-gate-run1',
  networks: { back: { name: 'image-gate-run1_back', ipam: {} }, default: { name: 'image-gate-run1_default', ipam: {} }, shared: { name: 'corp-net', external: true } },
  services: {
    app: {
      build: { context: '/src/app', dockerfile: 'Dockerfile', args: { X: '1' } },
      command: ['serve', '--port', '80'],
      depends_on: { db: { condition: 'service_healthy', required: true } },
      entrypoint: ['/bin/busybox'],
      environment: { A: 'default', FROM_FILE: 'yes', PASSED: null },
      healthcheck: { test: ['CMD-SHELL', 'wget -q http://127.0.0.1/'], interval: '2s', timeout: '1m30s', start_period: '500ms', retries: 3 },
      init: true,
      mem_limit: '268435456',
      networks: { back: null, default: { aliases: ['api'] }, shared: { aliases: ['app'] } },
      read_only: true,
      stop_grace_period: '15s',
      stop_signal: 'SIGINT',
      user: '1000:1000'
    },
    db: { command: null, entrypoint: null, image: 'postgres:16', networks: { default: null } },
    sidecar: { image: 'x', network_mode: 'service:db' }
  }
}

describe('readProject', () => {
  const project = readProject(JSON.stringify(CONFIG))

  it('reads the service settings as plain values', () => {
    expect(project.services.app).toEqual({
      name: 'app',
      build: { context: '/src/app', dockerfile: 'Dockerfile', args: { X: '1' } },
      environment: { A: 'default', FROM_FILE: 'yes', PASSED: null },
      command: ['serve', '--port', '80'],
      entrypoint: ['/bin/busybox'],
      healthcheck: { test: ['CMD-SHELL', 'wget -q http://127.0.0.1/'], intervalMs: 2000, timeoutMs: 90_000, startPeriodMs: 500, retries: 3 },
      stopSignal: 'SIGINT',
      stopGracePeriodMs: 15_000,
      user: '1000:1000',
      readOnly: true,
      memLimit: 268435456,
      init: true,
      networks: [
        { key: 'back', name: 'image-gate-run1_back', aliases: ['app'], external: false },
        { key: 'default', name: 'image-gate-run1_default', aliases: ['app', 'api'], external: false },
        { key: 'shared', name: 'corp-net', aliases: ['app'], external: true }
      ],
      dependsOn: [{ service: 'db', condition: 'service_healthy', required: true }]
    })
  })

  it('reads a service with no command, entrypoint or healthcheck as having none', () => {
    expect(project.services.db).toEqual({
      name: 'db',
      image: 'postgres:16',
      environment: {},
      networks: [{ key: 'default', name: 'image-gate-run1_default', aliases: ['db'], external: false }],
      dependsOn: []
    })
  })

  it('puts a service with network_mode on no network of its own', () => {
    expect(project.services.sidecar).toMatchObject({ networkMode: 'service:db', networks: [] })
  })

  it('lists the declared networks', () => {
    expect(project.networks).toEqual({ back: { name: 'image-gate-run1_back', external: false }, default: { name: 'image-gate-run1_default', external: false }, shared: { name: 'corp-net', external: true } })
  })

  it('refuses an answer that is not JSON, quoting it', () => {
    expect(() => readProject('no configuration file provided: not found')).toThrow('docker compose config did not answer JSON: no configuration file provided: not found')
  })
})

describe('parseDuration', () => {
  it.each([
    ['1m30s', 90_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['2h0m0s', 7_200_000],
    ['0', 0],
    ['0s', 0]
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms))

  it.each(['', '10', 's', '1m 30s', '5 seconds'])('%j is not a duration', text => expect(parseDuration(text)).toBeUndefined())
})
