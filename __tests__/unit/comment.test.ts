import { describe, expect, it } from '@jest/globals'
import { commentBody, commentKey, marker } from '../../src/publish/comment.js'
import { retryDelayMs } from '../../src/publish/github.js'
import { judged } from './judged.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

describe('retryDelayMs', () => {
  const err = (status: number, headers: Record<string, string> = {}, message = '') => ({ status, message, response: { headers } })

  it('backs off 1, 2, 4 s on 5xx and 429', () => {
    expect([0, 1, 2].map(a => retryDelayMs(err(502), a))).toEqual([1000, 2000, 4000])
    expect(retryDelayMs(err(429), 0)).toBe(1000)
  })

  it('honours retry-after up to a minute, and gives up beyond', () => {
    expect(retryDelayMs(err(429, { 'retry-after': '7' }), 0)).toBe(7000)
    expect(retryDelayMs(err(403, { 'retry-after': '3' }, 'You have exceeded a secondary rate limit'), 0)).toBe(3000)
    expect(retryDelayMs(err(429, { 'retry-after': '3600' }), 0)).toBeUndefined()
  })

  it('waits for a primary rate-limit reset that is near', () => {
    const now = Date.parse('2026-11-22T10:00:00Z')
    const reset = String(now / 1000 + 20)
    expect(retryDelayMs(err(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }), 0, now)).toBe(20_000)
  })

  it('retries a secondary rate limit without headers by backing off', () => {
    expect(retryDelayMs(err(403, {}, 'You have exceeded a secondary rate limit.'), 1)).toBe(2000)
  })

  it('never retries a plain 403 or other client errors', () => {
    for (const status of [400, 401, 403, 404, 422]) expect(retryDelayMs(err(status, {}, 'Resource not accessible by integration'), 0)).toBeUndefined()
  })
})

describe('commentKey', () => {
  it('names workflow, job, context, Dockerfile and target, so matrix legs differ', () => {
    const env = { GITHUB_WORKFLOW: 'image', GITHUB_JOB: 'gate', GITHUB_WORKSPACE: '/src' }
    expect(commentKey(inputs(), env)).toBe('image/gate/app/app/Dockerfile/')
    expect(commentKey(inputs({ target: 'worker' }), env)).toBe('image/gate/app/app/Dockerfile/worker')
    expect(commentKey(inputs({ commentKey: 'mine' }), env)).toBe('mine')
  })
})

describe('marker', () => {
  it('cannot be closed early by the key', () => {
    expect(marker('a --> <b> "c"')).toBe('<!-- image-gate:comment key=a%20--%3E%20%3Cb%3E%20%22c%22 -->')
  })
})

describe('commentBody', () => {
  it('is the summary table, a run link, and the marker last', () => {
    const report = measuredRun()
    judged(report, inputs())
    const body = commentBody(reportOf(report), 'k', 'https://github.example/o/r/actions/runs/1')
    expect(body.startsWith('## ✅ image-gate: passed')).toBe(true)
    expect(body).toContain('\n[Workflow run](https://github.example/o/r/actions/runs/1)\n')
    expect(body.endsWith('<!-- image-gate:comment key=k -->')).toBe(true)
  })
})
