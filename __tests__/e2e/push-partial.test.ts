import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { fixture, removeImages, runAction, SERVE, takeLeftovers } from './action.js'
import { isTagPut, proxyRegistry, type RegistryProxy } from './registry-proxy.js'
import { freePort, startRegistry, type Registry } from './registry.js'
import { imageStore } from './store.js'

// A push that cannot finish, against real registries (registry.ts): the tags of one run name two
// registries, and the second is down, refuses the tag, or hangs on it (registry-proxy.ts, in front of
// a real registry). Nothing moves until every registry holds what the tags are to serve; once a tag
// moved, the run says which tags moved, to what digest, and which did not: in the report, the
// summary, the outputs and the failing step's line.

jest.setTimeout(240_000)
const store = imageStore()
const GOOD = [...SERVE.slice(0, 1), "RUN echo 'app:x:10001:10001::/:/bin/sh' > /etc/passwd", 'USER 10001', SERVE[1]]
let first: Registry
let second: Registry
const proxies: RegistryProxy[] = []

beforeAll(async () => {
  first = await startRegistry()
  second = await startRegistry()
})
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close()
  expect(await takeLeftovers()).toBe('')
})
afterAll(async () => {
  await first.close()
  await second.close()
  for (const r of [first, second]) removeImages(r.host)
})

const failure = (stdout: string) => stdout.split('\n').filter(l => l.startsWith('::error'))
/** The digest a registry serves for name:tag ('' when none). */
async function served(registry: Registry, name: string, tag: string): Promise<string> {
  const res = await registry.get(`/v2/${name}/manifests/${tag}`)
  return res.status === 200 ? (res.headers.get('docker-content-digest') ?? '') : ''
}

describe('push: true to tags in two registries', () => {
  it('the second registry down: no tag moves in the first either, and the step says which registry and why', async () => {
    const port = await freePort() // nothing listens there: a registry that is down
    const tags = [`${first.host}/rv/one:1`, `127.0.0.1:${port}/rv/one:1`]
    const run = await runAction({ context: fixture(GOOD), tags: tags.join(','), push: 'true' })
    expect(run.code).toBe(1)
    expect(run.outputs).toMatchObject({ passed: 'false', digest: '', metadata: '' })
    expect(await first.tags('rv/one')).toEqual([])
    expect(first.requests.filter(r => r.startsWith('PUT /v2/rv/one/manifests/') && !r.includes('sha256:'))).toEqual([])
    const line = `push of 127.0.0.1:${port}/rv/one failed: could not reach 127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}; no tag was moved`
    expect(failure(run.stdout)).toEqual([`::error::image-gate: ${line}`])
    expect(run.summary).toContain(`not pushed: ${line}`)
    expect(run.report.push).toMatchObject({ outcome: 'failed', tags, why: line })
  })

  it('the second refuses its tag: the first tag moved, and the run lists it with its digest, and the tag that did not move', async () => {
    const proxy = await proxyRegistry(second.host, (method, path) => (isTagPut(method, path) ? 'refuse' : 'pass'))
    proxies.push(proxy)
    const tags = [`${first.host}/rv/two:1`, `${proxy.host}/rv/two:1`]
    const run = await runAction({ context: fixture(GOOD), tags: tags.join('\n'), push: 'true' })
    expect(run.code).toBe(1)
    const digest = await served(first, 'rv/two', '1')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(await second.tags('rv/two')).toEqual([])
    // the moved tag's digest: the outputs name what the registry serves under it
    expect(run.outputs).toMatchObject({ passed: 'false', digest })
    expect(JSON.parse(run.outputs.metadata)).toMatchObject({ 'containerimage.digest': digest, 'image.name': tags[0] })
    const why = `push of ${tags[1]} failed: putting 1 in rv/two: unavailable: service unavailable (HTTP 503)`
    expect(run.report.push).toMatchObject({ outcome: 'partly-pushed', tags, digest, moved: [{ tag: tags[0], digest }], unmoved: [tags[1]], why })
    const line = `partly pushed: ${tags[0]} now serves ${digest}; ${tags[1]} did not move: ${why}`
    console.log(`${store} store: ${line}`)
    expect(failure(run.stdout)).toEqual([`::error::image-gate: ${line}`])
    expect(run.summary).toContain(line)
    expect(run.stdout).toContain(`  ${line}`)
  })

  it('a timeout while the second hangs on its tag: the report the timeout publishes lists the tag that moved', async () => {
    const proxy = await proxyRegistry(second.host, (method, path) => (isTagPut(method, path) ? 'hang' : 'pass'))
    proxies.push(proxy)
    const tags = [`${first.host}/rv/three:1`, `${proxy.host}/rv/three:1`]
    // the build and the checks take a few seconds; the push then hangs until the run's timeout
    const run = await runAction({ context: fixture(GOOD), tags: tags.join('\n'), push: 'true', timeout: '45', 'call-timeout': '300' })
    expect(run.code).toBe(1)
    expect(proxy.seen.filter(s => s.endsWith(' hang'))).toEqual([`PUT /v2/rv/three/manifests/1 hang`])
    const digest = await served(first, 'rv/three', '1')
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/)
    expect(run.report.error).toEqual({ kind: 'timeout', message: 'timed out after 45 s (the timeout input) while pushing the image' })
    expect(run.report.push).toMatchObject({ outcome: 'partly-pushed', moved: [{ tag: tags[0], digest }], unmoved: [tags[1]] })
    expect(run.outputs.digest).toBe(digest)
    expect(run.summary).toContain(`partly pushed: ${tags[0]} now serves ${digest}; ${tags[1]} did not move: the run timed out`)
  })
})
