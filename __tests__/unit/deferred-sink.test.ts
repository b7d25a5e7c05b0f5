import { describe, expect, it } from '@jest/globals'
import { RunContext } from '../../src/context.js'
import { DeferredSink } from '../../src/deferred-sink.js'
import { silent, type Sink } from '../../src/sink.js'

/** A sink that writes what it is told, in order, as the runner's log would show it. */
function log(): { sink: Sink; lines: string[] } {
  const lines: string[] = []
  const sink: Sink = {
    ...silent,
    info: message => lines.push(message),
    secret: value => lines.push(`mask ${value}`),
    stream: () => ({ write: chunk => lines.push(`| ${chunk.toString()}`), end: () => lines.push('| end') }),
    group: async (title, run) => {
      lines.push(`::group::${title}`)
      try {
        return await run()
      } finally {
        lines.push('::endgroup::')
      }
    }
  }
  return { sink, lines }
}

const tick = () => new Promise(resolve => setTimeout(resolve, 5))

describe('DeferredSink: two builds at once, each log in one piece', () => {
  it('holds the second build back while the first is shown, replays it in order, then passes it through', async () => {
    const { sink, lines } = log()
    const second = new DeferredSink(sink)
    let finishSecond = () => undefined as void
    const secondDone = new Promise<void>(resolve => (finishSecond = resolve))
    // the second build starts, opens its group and streams while the first is still shown
    const building = second.group('Build (linux/arm64)', async () => {
      const out = second.stream()
      out.write(Buffer.from('arm64 step 1'))
      second.secret('s3cret')
      await secondDone
      out.write(Buffer.from('arm64 step 2'))
      out.end()
      return 'arm64 built'
    })
    await sink.group('Build (linux/amd64)', async () => sink.info('amd64 step 1'))
    await tick()
    expect(lines).toEqual(['mask s3cret', '::group::Build (linux/amd64)', 'amd64 step 1', '::endgroup::'])
    // its turn: what it said so far, inside its group, and then what it says as it says it
    await second.live()
    expect(lines.slice(4)).toEqual(['::group::Build (linux/arm64)', '| arm64 step 1'])
    finishSecond()
    expect(await building).toBe('arm64 built')
    await tick()
    expect(lines.slice(4)).toEqual(['::group::Build (linux/arm64)', '| arm64 step 1', '| arm64 step 2', '| end', '::endgroup::'])
    second.info('after')
    expect(lines[lines.length - 1]).toBe('after')
  })

  it('a build that ended before its turn is replayed whole, its group closed before what came after it', async () => {
    const { sink, lines } = log()
    const deferred = new DeferredSink(sink)
    await deferred.group('Build (linux/arm64)', async () => deferred.info('inside'))
    deferred.info('outside')
    expect(lines).toEqual([])
    await deferred.live()
    expect(lines).toEqual(['::group::Build (linux/arm64)', 'inside', '::endgroup::', 'outside'])
  })
})

describe('RunContext.withSink', () => {
  it('is the same run with messages going elsewhere: what the view sets, the run has', () => {
    const run = new RunContext(silent, 'run1')
    const { sink } = log()
    const view = run.withSink(sink)
    expect(view.sink).toBe(sink)
    expect(view.id).toBe('run1')
    expect(view.docker).toBe(run.docker)
    view.containerName()
    view.stage = 'building'
    expect(run.containersNamed).toBe(true)
    expect(run.stage).toBe('building')
    expect(run.sink).toBe(silent)
  })
})
