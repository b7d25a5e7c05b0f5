import type { RunContext } from '../context.js'
import { Container } from '../docker/handle.js'
import { pinned, profileCauses, type RunAs } from '../rules/profile-errors.js'
import { waitForHealth, type EngineHealth, type Health, type HealthInputs } from '../health/wait-healthy.js'
import type { ImageFacts } from '../report/report.js'
import type { ProfileInputs } from './profile.js'
import type { User } from '../user/measure.js'

// Why a container failed under run-profile or read-only. Its log is read for the errors those
// settings cause (rules/profile-errors.ts). A line that proves one setting did it (EROFS on a path
// under read-only, a chown or user switch refused to a root image under dropped capabilities) is
// enough: running it again would take as long as the run that failed and say nothing new. Else
// (no such line, an EACCES the image's own USER might meet anyway, lines pointing at two settings)
// it runs once more without the settings (run-profile: docker, read-only: false; run-memory stays,
// as an OOM kill explains itself), and the health row says whether it then ran.

/** The verdicts that are the app's failure (not a missing health check, not a skipped run). */
const FAILED: Health['verdict'][] = ['exited', 'unhealthy', 'timeout']

export type Cause = NonNullable<Health['profileCause']>

/** The container's run settings besides Docker's defaults, and whether its image's USER is root. */
export function runAs(inputs: ProfileInputs, user: User, imageUser = ''): RunAs {
  const imageRoot = user.resolvedUid !== undefined ? user.resolvedUid === 0 : /^(?:|root|0)(?::.*)?$/.test(imageUser)
  return { profile: inputs.runProfile, readOnly: inputs.readOnly, imageRoot }
}

/** What the log says, and whether to run it again without the settings; undefined when there is nothing to explain. */
export function readCause(health: Health, run: RunAs): { cause: Cause; rerun: boolean } | undefined {
  if (!FAILED.includes(health.verdict) || health.oomKilled) return undefined
  if (run.profile === 'docker' && !run.readOnly) return undefined
  const lines = [...(health.startError ? [health.startError] : []), ...(health.logTail ?? [])]
  const causes = profileCauses(lines, run).slice(0, 5)
  return { cause: { causes }, rerun: pinned(causes) === undefined }
}

/**
 * Runs the image once more, `args` being its docker run without the settings, and waits for its
 * health as the first run did. The container goes whatever happens.
 */
export async function rerunWithout(ctx: RunContext, args: (name: string) => string[], inputs: HealthInputs, facts: ImageFacts, engine: EngineHealth): Promise<NonNullable<Cause['rerun']>> {
  const { docker } = ctx
  const name = ctx.containerName()
  const container = new Container(docker, name)
  const watch = container.watch(['health_status', 'die', 'exec_start', 'exec_die'])
  try {
    const started = await docker.call(args(name))
    if (started.exitCode !== 0) return { verdict: 'exited', exitCode: started.exitCode }
    const health = await waitForHealth(container, inputs, facts, watch, engine)
    const seconds = health.verdict === 'healthy' ? (health.startupSeconds ?? health.waitedSeconds) : health.verdict === 'exited' ? health.ranSeconds : (health.verdictSeconds ?? health.waitedSeconds)
    return { verdict: health.verdict, ...(seconds !== undefined && { seconds }), ...(health.exitCode !== undefined && { exitCode: health.exitCode }) }
  } finally {
    watch.stop()
    await container.remove()
  }
}
