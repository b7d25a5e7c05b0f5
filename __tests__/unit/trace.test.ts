import { describe, expect, it } from '@jest/globals'
import { Timeline } from '../../src/trace.js'

describe('Timeline', () => {
  it('records stages and marks at their time, and each process from its start to its end, once', () => {
    let now = 0
    const timeline = new Timeline(() => now)
    timeline.mark('building the image', 'stage')
    now = 5
    const ended = timeline.process(['docker', 'save', 'sha256:abc', 'extra', 'dropped'])
    now = 8
    timeline.mark('healthy')
    now = 12
    ended()
    now = 20
    ended()
    expect(timeline.toJSON()).toEqual({
      exitAt: 20,
      events: [
        { kind: 'stage', name: 'building the image', start: 0 },
        { kind: 'process', name: 'docker save sha256:abc extra', start: 5, end: 12 },
        { kind: 'mark', name: 'healthy', start: 8 }
      ]
    })
  })
})
