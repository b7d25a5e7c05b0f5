import { EngineError } from '../docker/docker.js'
import { partlyLine } from '../render/push-line.js'
import { rowsOf, type Report } from '../report/report.js'
import type { Pushed } from '../stages/push.js'
import { counted } from '../units.js'
import type { Gate, Stage } from './stage.js'

/**
 * push: true, after judge: the gated images (their ids, as every stage ran them; one per platform)
 * to every tag, only when every check on every platform passed. A push the registry refuses fails
 * the step in its words (EngineError); once a tag moved, the report says which did, to what, and
 * which did not, as each moves (a timeout then publishes that too).
 */
async function push({ ctx, report, inputs, tags, engine, stages }: Gate): Promise<void> {
  const { store } = engine
  const failed = rowsOf(report).filter(c => c.status === 'fail').length
  if (!report.passed || !report.runs.every(run => run.build.ok)) {
    report.push = { outcome: 'not-pushed', tags, why: failed > 0 ? `${counted(failed, 'check')} failed` : 'the image did not pass' }
    return
  }
  const several = report.runs.length > 1
  const images = report.runs.map(run => ({ platform: several ? run.platform : (run.image.platform ?? ''), image: run.image.id ?? (several ? '' : report.tag) }))
  const moved: { tag: string; digest: string }[] = []
  const partly = (pushed: Pushed, why?: string): Report['push'] => ({
    outcome: 'partly-pushed',
    tags,
    ...pushed,
    moved: [...moved],
    unmoved: tags.filter(tag => !moved.some(m => m.tag === tag)),
    ...(why !== undefined && { why })
  })
  let last: Pushed | undefined
  const onMoved = (tag: string, pushed: Pushed) => {
    moved.push({ tag, digest: pushed.digest })
    last = pushed
    report.push = partly(pushed)
  }
  try {
    const pushed = await ctx.sink.group('Push', () => stages.pushGated(ctx, images, tags, { store, annotations: inputs.annotations, moved: onMoved }))
    report.push = { outcome: 'pushed', tags, ...pushed, moved }
  } catch (err) {
    const why = (err as Error).message
    if (last) {
      report.push = partly(last, why)
      throw new EngineError(partlyLine(report.push!, why))
    }
    report.push = { outcome: 'failed', tags, why }
    throw err instanceof EngineError ? err : new EngineError(why)
  }
}

/** push: true: from the start the report says nothing was pushed, and why, whatever stops the run. */
export function notPushedYet({ inputs, report, tags }: Gate): void {
  if (inputs.push) report.push = { outcome: 'not-pushed', tags }
}

export const pushStage: Stage = { name: 'pushing the image', applies: gate => gate.inputs.push, start: push }
