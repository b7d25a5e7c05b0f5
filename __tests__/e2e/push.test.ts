import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { execFile } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { docker, EXAMPLES, removeImages, startAction, takeLeftovers } from './action.js'
import { startRegistry, type Registry } from './registry.js'
import { imageStore } from './store.js'

// Is compressed-size what a push really sends? The bundled action measures each example, then the
// same image is pushed with `docker push` to a real registry on 127.0.0.1 (registry.ts: Debian's
// docker-registry), which is then asked for the blobs it holds: the action's figure must be within 2% of the layer blobs pushed (on the
// containerd store, which keeps the blobs a push sends, exactly those). While the
// action runs, its threads are watched from /proc: the compression must run on worker threads at
// nice 19 (the bundle starts them from a source string: no worker file to find).

jest.setTimeout(240_000)
const TAG = 'image-gate-e2e/push'
const run = promisify(execFile)
const store = imageStore()
let registry: Registry

beforeAll(async () => {
  registry = await startRegistry()
})
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(async () => {
  await registry.close()
  removeImages(TAG)
  removeImages(registry.host)
})

/** Threads of process `pid` at nice 19 (0 once it has exited). */
function nicedThreads(pid: number): number {
  try {
    const nice = (tid: string) => Number(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[16])
    return readdirSync(`/proc/${pid}/task`).filter(tid => nice(tid) === 19).length
  } catch {
    return 0 // a thread or the process ended while being read
  }
}

/** Runs the action, sampling its niced threads every 20 ms. */
async function measured(inputs: Record<string, string>) {
  const action = startAction(inputs)
  let niced = 0
  const sampler = setInterval(() => (niced = Math.max(niced, nicedThreads(action.child.pid!))), 20)
  try {
    return { ...(await action.done), niced }
  } finally {
    clearInterval(sampler)
  }
}

/** Pushes `image` to the test registry; the sizes of the layer blobs it sent. */
async function push(image: string, name: string): Promise<number[]> {
  const remote = `${registry.host}/${name}:pushed`
  docker(['tag', image, remote])
  // async: the registry answers from this same process
  await run('docker', ['push', remote])
  return (await registry.pushedLayers(`${name}:pushed`)).map(layer => layer.size)
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0)

describe('compressed-size against a real docker push', () => {
  const examples: [string, Record<string, string>][] = [
    ['focus-flow-backend', {}],
    ['tynebase-backend', { 'health-cmd': 'wget -q --spider http://127.0.0.1:8080/health' }]
  ]

  it.each(examples)('examples/%s: within 2% of the layer blobs a push sends, compressed on niced worker threads', async (example, extra) => {
    const image = `${TAG}:${example}`
    const result = await measured({ context: path.join(EXAMPLES, example), tags: image, ...extra })
    expect(result.outputs.health).toBe('healthy')
    const figure = Number(result.outputs['compressed-size'])
    const pushed = await push(image, `e2e/${example}`)
    const off = figure / sum(pushed) - 1
    const how = /::debug::docker save read in .*/.exec(result.stdout)?.[0]
    console.log(`${example}: compressed-size ${figure} B; docker push sent ${sum(pushed)} B in ${pushed.length} layer blobs (${pushed.join(' + ')}): ${(off * 100).toFixed(2)}%. ${how}`)
    expect(Math.abs(off)).toBeLessThan(0.02)
    if (store === 'containerd') {
      // the store's blobs are what a push sends: nothing to estimate, nothing compressed
      expect(result.report.runs[0].image.compressedBy).toBe('store')
      expect(figure).toBe(sum(pushed))
      expect(how).toContain("(the image store's own blobs)")
      return
    }
    expect(result.report.runs[0].image.compressedBy).toBe('zlib')
    // the workers, seen from outside the bundled action and as they say themselves
    expect(result.niced).toBeGreaterThanOrEqual(1)
    expect(how).toMatch(/zlib level 5, \d+ worker thread\(s\) at nice 19\)/)
  })
})
