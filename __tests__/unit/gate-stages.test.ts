import { describe, expect, it } from '@jest/globals'
import { GATE_STAGES, runStages, type Gate, type Stage } from '../../src/gate/index.js'

// The stage contract (src/gate/stage.ts): the stages that apply run in order, each named while it
// runs; each one that started is cleaned up, last first, also when a later one throws.

function recorder() {
  const said: string[] = []
  const gate = { ctx: { stage: '' }, inputs: { push: false } } as unknown as Gate
  const stage = (name: string, extra: Partial<Stage> = {}): Stage => ({
    name,
    start: async g => void said.push(`start ${name} (${g.ctx.stage})`),
    cleanup: async () => void said.push(`cleanup ${name}`),
    ...extra
  })
  return { said, gate, stage }
}

describe('the gate stages', () => {
  it('start in order, each named while it runs, skip those that do not apply, and clean up last first', async () => {
    const { said, gate, stage } = recorder()
    await runStages(gate, [stage('dependencies'), stage('push', { applies: g => g.inputs.push }), stage('runs')])
    expect(said).toEqual(['start dependencies (dependencies)', 'start runs (runs)', 'cleanup runs', 'cleanup dependencies'])
  })

  it('clean up every stage that started when a later one fails, and let the failure through', async () => {
    const { said, gate, stage } = recorder()
    const failing = stage('runs', {
      start: async () => {
        said.push('start runs')
        throw new Error('build failed')
      }
    })
    await expect(runStages(gate, [stage('dependencies'), failing, stage('push')])).rejects.toThrow('build failed')
    expect(said).toEqual(['start dependencies (dependencies)', 'start runs', 'cleanup runs', 'cleanup dependencies'])
  })

  it('are the compose file\'s dependencies, the platform runs, then the push', () => {
    expect(GATE_STAGES.map(s => s.name)).toEqual(["starting the compose file's dependencies", 'building the image', 'pushing the image'])
  })
})
