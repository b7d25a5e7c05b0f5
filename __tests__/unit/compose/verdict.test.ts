import { describe, expect, it } from '@jest/globals'
import { dependencyFailed, tail, timedOut } from '../../../src/compose/messages.js'
import { lastHealthOutput, verdict, type ContainerState } from '../../../src/compose/verdict.js'

const running: ContainerState = { Status: 'running', ExitCode: 0, StartedAt: '2026-12-07T17:00:00Z' }
const exited = (code: number, extra: Partial<ContainerState> = {}): ContainerState => ({ Status: 'exited', ExitCode: code, StartedAt: '2026-12-07T17:00:00Z', ...extra })
const health = (Status: string, FailingStreak = 0): ContainerState => ({ ...running, Health: { Status, FailingStreak, Log: [{ ExitCode: 1, Output: 'pg_isready: no response\n' }] } })

describe('verdict', () => {
  it('takes exit 0 of a one-shot service as completed successfully, and waits while it runs', () => {
    expect(verdict('service_completed_successfully', exited(0))).toEqual({ met: true })
    expect(verdict('service_completed_successfully', running)).toEqual({ met: false, failed: false, waiting: 'still running, not yet exited' })
  })

  it('fails a one-shot service that exits non-zero, also one its restart policy brings back', () => {
    const why = 'exited with code 1; service_completed_successfully needs exit code 0'
    expect(verdict('service_completed_successfully', exited(1))).toEqual({ met: false, failed: true, why })
    expect(verdict('service_completed_successfully', { ...exited(1), Status: 'restarting' })).toEqual({ met: false, failed: true, why })
  })

  it("reads service_healthy from Docker's health status", () => {
    expect(verdict('service_healthy', health('healthy'))).toEqual({ met: true })
    expect(verdict('service_healthy', health('starting'))).toEqual({ met: false, failed: false, waiting: 'health: starting' })
    expect(verdict('service_healthy', health('unhealthy', 3))).toEqual({ met: false, failed: true, why: 'is unhealthy: its healthcheck failed 3 times in a row' })
  })

  it('fails service_healthy on a container that exited, or has no healthcheck', () => {
    expect(verdict('service_healthy', exited(137, { OOMKilled: true }))).toEqual({ met: false, failed: true, why: 'was killed for running out of memory (exit code 137) before it was healthy' })
    expect(verdict('service_healthy', running)).toEqual({ met: false, failed: true, why: 'has no healthcheck (neither in the file nor in its image), so it can never be service_healthy' })
  })

  it('takes a started container as started, but not one that already failed', () => {
    expect(verdict('service_started', running)).toEqual({ met: true })
    expect(verdict('service_started', exited(0))).toEqual({ met: true })
    expect(verdict('service_started', { Status: 'created', ExitCode: 0, StartedAt: '0001-01-01T00:00:00Z' })).toEqual({ met: false, failed: false, waiting: 'still created' })
    expect(verdict('service_started', exited(2))).toEqual({ met: false, failed: true, why: 'exited with code 2' })
  })

  it("gives the last probe's exit code and output", () => {
    expect(lastHealthOutput(health('unhealthy'))).toBe('exit code 1: pg_isready: no response')
    expect(lastHealthOutput(running)).toBeUndefined()
  })
})

describe('messages', () => {
  it('names the dependency, its verdict, its health output and its log', () => {
    const text = dependencyFailed('compose.yaml', {
      service: 'db',
      condition: 'service_healthy',
      neededBy: ['migrate', 'the gated service'],
      why: 'is unhealthy: its healthcheck failed 3 times in a row',
      health: 'exit code 1: pg_isready: no response',
      logs: ['FATAL: password authentication failed']
    })
    expect(text).toBe(
      [
        'compose.yaml: dependency `db` (service_healthy, needed by migrate, the gated service) is unhealthy: its healthcheck failed 3 times in a row.',
        'Its last health check: exit code 1: pg_isready: no response',
        'Its last log lines:\n  FATAL: password authentication failed',
        'See it yourself: docker compose -f compose.yaml up db'
      ].join('\n')
    )
  })

  it('says so when the dependency logged nothing', () => {
    expect(dependencyFailed('c.yaml', { service: 'm', condition: 'service_completed_successfully', neededBy: ['the gated service'], why: 'exited with code 1', logs: [] })).toContain('\nIt logged nothing.\n')
  })

  it('lists what each dependency was still waiting for at the timeout', () => {
    expect(timedOut('c.yaml', 60, [{ service: 'db', condition: 'service_healthy', waiting: 'health: starting', health: 'exit code 1: no' }])).toBe(
      'c.yaml: the dependencies were not ready within 60 s: `db` (service_healthy): health: starting; last health check: exit code 1: no.'
    )
  })

  it('keeps the last lines of a log, without blank ones', () => {
    expect(tail('a\n\nb  \nc\n', 2)).toEqual(['b', 'c'])
  })
})
