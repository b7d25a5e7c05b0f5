import type { Condition } from './config.js'
import { dependencyFailed, tail, timedOut } from './messages.js'
import type { Plan } from './plan.js'
import type { ComposeProject } from './project.js'
import { PROJECT_LABEL } from './project.js'
import { lastHealthOutput, verdict, type ContainerState } from './verdict.js'

// Starts each dependency once its own dependencies meet their conditions (`docker compose up -d
// --no-deps`, one at a time: two ups of one project at once race to make its network), and waits
// for each condition on Docker's state. `docker events` for the project wakes every wait the moment
// a container starts, dies or changes health, so a verdict (a failure as much as a success) comes
// right after Docker's; a look every POLL_MS covers a lost event. Not `up --wait`: it fails on a
// one-shot service that exits 0 (compose#10596).

const POLL_MS = 1000
/** After a failure, how long an `up` still running may take before the cleanup goes ahead. */
const UP_SETTLE_MS = 10_000

export type Waited =
  | { ok: true; dependencies: { service: string; condition: Condition; ms: number }[] }
  /** ms: when (after `began`) the failure was decided */
  | { ok: false; message: string; ms: number; dependencies: { service: string; condition: Condition; ms: number }[] }

class Stop extends Error {}

/** `limitMs`: the whole stage's, which began at `began` (the config read and the build count). */
export async function waitForDependencies(compose: ComposeProject, plan: Plan, limitMs: number, began = Date.now()): Promise<Waited> {
  const { docker, file } = compose
  const deadline = began + limitMs
  let stopped: { message: string; ms?: number } | undefined
  const wakers = new Set<() => void>()
  const wakeAll = () => {
    for (const w of [...wakers]) w()
  }
  const sleep = (ms: number) =>
    new Promise<void>(resolve => {
      const done = () => {
        clearTimeout(timer)
        wakers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, Math.max(0, Math.min(ms, deadline - Date.now())))
      wakers.add(done)
    })
  const since = (Date.now() / 1000 - 1).toFixed(3)
  const events = docker.stream(['events', '--since', since, '--filter', `label=${PROJECT_LABEL}=${compose.name}`, '--filter', 'type=container', '--format', '{{.Action}}'], wakeAll)

  const neededBy = (service: string) => [...plan.steps.filter(s => s.after.some(a => a.service === service)).map(s => s.service), ...(plan.gate.some(g => g.service === service) ? ['the gated service'] : [])]
  const met: { service: string; condition: Condition; ms: number }[] = []
  const pending = new Map<string, { service: string; condition: Condition; waiting: string; health?: string }>()
  const give = (message: string): never => {
    stopped ??= { message, ms: Date.now() - began }
    wakeAll()
    throw new Stop(message)
  }

  // one `up` at a time
  let ups: Promise<unknown> = Promise.resolve()
  const starts = new Map<string, Promise<string>>()
  const start = (service: string): Promise<string> => {
    let p = starts.get(service)
    if (!p) {
      const step = plan.steps.find(s => s.service === service)!
      p = (async () => {
        await Promise.all(step.after.map(a => satisfied(a.service, a.condition)))
        if (stopped) throw new Stop(stopped.message)
        const up = ups.then(() => (stopped ? undefined : compose.run('up', '--detach', '--no-deps', '--no-build', service)))
        ups = up.catch(() => undefined)
        const r = await up
        if (!r) throw new Stop(stopped!.message)
        if (!r.ok) give(`${file}: docker compose could not start \`${service}\`:\n${tail(r.output, 10).join('\n')}`)
        const id = await compose.container(service)
        if (!id) give(`${file}: docker compose started \`${service}\` but made no container for it`)
        return id!
      })()
      starts.set(service, p)
    }
    return p
  }
  const checks = new Map<string, Promise<void>>()
  const satisfied = (service: string, condition: Condition): Promise<void> => {
    const key = `${service} ${condition}`
    let p = checks.get(key)
    if (!p) {
      p = (async () => {
        const id = await start(service)
        for (;;) {
          if (stopped) throw new Stop(stopped.message)
          const state = JSON.parse(await docker.ok(['inspect', '--format', '{{json .State}}', id])) as ContainerState
          const v = verdict(condition, state)
          if (v.met) {
            pending.delete(key)
            met.push({ service, condition, ms: Date.now() - began })
            return
          }
          if (v.failed) {
            const logs = await docker.call(['logs', '--tail', '20', id])
            give(dependencyFailed(file, { service, condition, neededBy: neededBy(service), why: v.why, health: lastHealthOutput(state), logs: tail(`${logs.stdout}\n${logs.stderr}`) }))
          }
          pending.set(key, { service, condition, waiting: v.met === false && !v.failed ? v.waiting : '', health: lastHealthOutput(state) })
          if (Date.now() >= deadline) give(timedOut(file, Math.round(limitMs / 1000), [...pending.values()]))
          await sleep(POLL_MS)
        }
      })()
      checks.set(key, p)
    }
    return p
  }

  // the limit, also for a wait stuck behind an `up` that does not come back (a pull)
  let expire: () => void = () => undefined
  const expired = new Promise<never>((_, reject) => {
    expire = () => {
      for (const step of plan.steps) if (![...pending.values()].some(p => p.service === step.service) && !met.some(m => m.service === step.service)) pending.set(step.service, { service: step.service, condition: 'service_started', waiting: 'not started yet' })
      stopped ??= { message: timedOut(file, Math.round(limitMs / 1000), [...pending.values()]), ms: Date.now() - began }
      wakeAll()
      reject(new Stop(stopped.message))
    }
  })
  expired.catch(() => undefined)
  const timer = setTimeout(expire, Math.max(0, deadline - Date.now()) + 250)
  try {
    // every step, also one nothing waits on with a condition of its own (the gate's closure has none such, but a plan may)
    await Promise.race([expired, Promise.all([...plan.gate.map(g => satisfied(g.service, g.condition)), ...plan.steps.map(s => start(s.service))])])
    return { ok: true, dependencies: met }
  } catch (err) {
    if (!(err instanceof Stop) && !stopped) throw err
    // let the up in flight finish (for a while), so that nothing it makes comes after the cleanup
    await Promise.race([ups, new Promise(resolve => setTimeout(resolve, UP_SETTLE_MS).unref())])
    return { ok: false, message: stopped?.message ?? (err as Error).message, ms: stopped?.ms ?? Date.now() - began, dependencies: met }
  } finally {
    clearTimeout(timer)
    stopped ??= { message: 'done' }
    events.stop()
    wakeAll()
  }
}
