import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { deploySettings } from '../../../src/deploy/deploy.js'
import { lineOf, parsedInputs, valuesByLine } from './real-parsers.js'

// The tynebase-backend example's Deployment and fly.toml, read as image-gate reads them: every
// value each yields, with its line, and what the real input parsers make of them.

const root = new URL('../../../', import.meta.url).pathname
const read = (file: string) => readFileSync(root + file, 'utf8')

describe('examples/tynebase-backend/k8s/deployment.yaml', () => {
  const file = 'examples/tynebase-backend/k8s/deployment.yaml'
  const text = read(file)
  const settings = deploySettings({ file, text })
  const at = (needle: string) => lineOf(text, needle)

  it('yields every setting of the api container, by line', () => {
    expect(valuesByLine(settings)).toEqual({
      inputs: {
        'run-memory': ['256Mi', at('memory: 256Mi')],
        'read-only': ['true', at('readOnlyRootFilesystem')],
        'run-profile': ['restricted', at('          securityContext:')],
        env: ['PORT=8080\nWORKER_INTERVAL_MS=2000', at('          env:')],
        command: ['["node","dist/server.js"]', at('args:')],
        'health-cmd': ['wget -q --spider http://127.0.0.1:8080/health', at('httpGet:')],
        'health-start-period': ['2', at('initialDelaySeconds')],
        'stop-timeout': ['20', at('terminationGracePeriodSeconds')],
        'run-user': ['1001', at('runAsUser')]
      },
      extra: {
        runAsNonRoot: ['true', at('runAsNonRoot')],
        runAsUser: ['1001', at('runAsUser')],
        allowPrivilegeEscalation: ['false', at('allowPrivilegeEscalation')],
        capDrop: ['ALL', at('drop:')],
        healthInterval: ['5s', at('periodSeconds')],
        healthProbeTimeout: ['2s', at('timeoutSeconds')],
        healthRetries: ['3', at('failureThreshold')]
      },
      notes: [
        [
          'env DATABASE_URL comes from secret tynebase-db key url (secretKeyRef), which is not available here: it is not set (give it in env if the app needs it).',
          at('valueFrom:')
        ]
      ]
    })
    expect(settings.inputs.env?.parts?.map(p => [p.value, p.line])).toEqual([
      ['PORT=8080', at('name: PORT')],
      ['WORKER_INTERVAL_MS=2000', at('name: WORKER_INTERVAL_MS')]
    ])
    expect(settings.probe).toEqual({ kind: 'http', port: 8080, path: '/health', line: at('httpGet:'), key: 'spec.template.spec.containers[api].readinessProbe.httpGet' })
  })

  it('gives values the real input parsers take', () => {
    expect(parsedInputs(settings)).toEqual({
      'run-memory': { text: '256Mi', bytes: 256 * 2 ** 20 },
      'read-only': true,
      'run-profile': 'restricted',
      env: ['PORT=8080', 'WORKER_INTERVAL_MS=2000'],
      command: ['node', 'dist/server.js'],
      'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health',
      'health-start-period': 2,
      'stop-timeout': 20,
      'run-user': '1001'
    })
  })
})

describe('examples/tynebase-backend/fly.toml', () => {
  const file = 'examples/tynebase-backend/fly.toml'
  const text = read(file)
  const settings = deploySettings({ file, text })
  const at = (needle: string) => lineOf(text, needle)

  it('yields the api as the main process and the worker as a smoke command, by line', () => {
    expect(valuesByLine(settings)).toEqual({
      inputs: {
        command: ['node dist/server.js', at('app = "node')],
        'smoke-commands': ['node dist/worker.js', at('[processes]')],
        env: ['PORT=8080\nWORKER_INTERVAL_MS=2000', at('[env]')],
        'stop-timeout': ['15', at('kill_timeout')],
        'run-memory': ['512Mi', at('memory = ')],
        'health-cmd': ['wget -q --spider http://127.0.0.1:8080/health', at('[[http_service.checks]]')],
        'health-start-period': ['10', at('grace_period')]
      },
      extra: {
        stopSignal: ['SIGTERM', at('kill_signal')],
        healthInterval: ['15s', at('interval')],
        healthProbeTimeout: ['2s', at('  timeout = ')]
      },
      notes: []
    })
    expect(settings.inputs['smoke-commands']?.parts?.map(p => [p.value, p.line])).toEqual([['node dist/worker.js', at('worker = ')]])
    expect(settings.inputs.env?.parts?.map(p => [p.value, p.line])).toEqual([
      ['PORT=8080', at('PORT = ')],
      ['WORKER_INTERVAL_MS=2000', at('WORKER_INTERVAL_MS = ')]
    ])
  })

  it('gives values the real input parsers take', () => {
    expect(parsedInputs(settings)).toEqual({
      command: ['node', 'dist/server.js'],
      'smoke-commands': [['node', 'dist/worker.js']],
      env: ['PORT=8080', 'WORKER_INTERVAL_MS=2000'],
      'stop-timeout': 15,
      'run-memory': { text: '512Mi', bytes: 512 * 2 ** 20 },
      'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health',
      'health-start-period': 10
    })
  })
})
