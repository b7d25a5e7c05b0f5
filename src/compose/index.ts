import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { LABEL, RUN_LABEL } from '../docker/cleanup.js'
import type { Docker } from '../docker/docker.js'
import { readProject, type Condition, type Project, type ServiceNetwork, type ServiceSettings } from './config.js'
import { tail } from './messages.js'
import { planDependencies, type Plan } from './plan.js'
import { ComposeProject, PROJECT_LABEL, labelsFile } from './project.js'
import { waitForDependencies } from './wait.js'

// The compose stage: the services the gated one depends on, started with the real `docker
// compose` plugin and waited for the way the file says, and the settings the gated image runs
// with in the service's place. The interface the pipeline calls:
//
//   const r = await startDependencies({ docker, file, service, project: composeProjectName(runId), runId, timeoutMs })
//   r.outcome === 'refused' -> r.message (one line: the file, and what is wrong: an unknown service)
//   r.outcome === 'failed'  -> r.message (the dependency, its verdict, its health output, its logs);
//                              everything it started is already removed (r.down says what was left)
//   r.outcome === 'ready'   -> run the built image with r.service's settings on r.networks (each
//                              network's name and the aliases the service answers to there), then
//                              `await stopDependencies({ docker, file, project: r.project, labels: r.labels })`
//
// Plain values in (and the run's Docker client, which honours DOCKER_HOST), plain values out: no
// class or function crosses this line. The post step of a run that crashed: stopDependencies with
// the file and the project name (without labels: compose finds the project by its name).

export interface ComposeOptions {
  docker: Docker
  /** the compose file, as the user named it (relative to the working directory) */
  file: string
  /** the gated service */
  service: string
  /** the project name: unique per run (composeProjectName), so a matrix running in parallel does not collide */
  project: string
  /** the run's id: what compose starts carries image-gate's run label, so the post step finds it */
  runId?: string
  /** the whole stage: build, start and wait for every dependency */
  timeoutMs: number
}

export interface DependencyResult {
  service: string
  condition: Condition
  /** how long after the stage began its condition held */
  ms: number
}

export interface DownResult {
  /** what was still there after `docker compose down` and was then removed by name (empty: nothing was left) */
  leftovers: string[]
  /** what could not be removed at all, in words, or undefined */
  error?: string
}

export type ComposeResult =
  | { outcome: 'refused'; message: string }
  /** ms: how long after the stage began the failure was decided (before the cleanup) */
  | { outcome: 'failed'; message: string; ms: number; project: string; dependencies: DependencyResult[]; down: DownResult }
  | {
      outcome: 'ready'
      project: string
      /** the labels file the project's calls use (pass it back to stopDependencies) */
      labels: string
      service: ServiceSettings
      networks: ServiceNetwork[]
      dependencies: DependencyResult[]
    }

/** A project name compose accepts (lowercase letters, digits, - and _), unique to the run. */
export function composeProjectName(runId: string): string {
  return `image-gate-${runId.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`
}

export async function startDependencies(options: ComposeOptions): Promise<ComposeResult> {
  const { docker, file, service, project: name } = options
  const started = Date.now()
  const compose = new ComposeProject(docker, file, name)
  let project: Project
  let plan: Plan
  try {
    project = readProject(await compose.config())
    plan = planDependencies(file, project, service)
  } catch (err) {
    return { outcome: 'refused', message: (err as Error).message }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-compose-'))
  compose.labels = labelsFile(dir, project, plan.steps.map(s => s.service), options.runId)
  const fail = async (message: string, dependencies: DependencyResult[], ms = Date.now() - started): Promise<ComposeResult> => ({
    outcome: 'failed',
    message,
    ms,
    project: name,
    dependencies,
    down: await down(compose, dir)
  })

  try {
    return await startPlanned(compose, project, plan, options, started, fail)
  } catch (err) {
    // the engine went away, or a call was refused: what was started goes all the same
    await down(compose, dir)
    throw err
  }
}

async function startPlanned(
  compose: ComposeProject,
  project: Project,
  plan: Plan,
  { docker, file, service, project: name, runId, timeoutMs }: ComposeOptions,
  /** when the stage began (the file's reading counts against the timeout too) */
  started: number,
  fail: (message: string, dependencies: DependencyResult[], ms?: number) => Promise<ComposeResult>
): Promise<ComposeResult> {
  // the services with build: are built first, in one call (compose builds them in parallel)
  const toBuild = plan.steps.filter(s => project.services[s.service].build).map(s => s.service)
  if (toBuild.length > 0) {
    const built = await compose.run('build', ...toBuild)
    if (!built.ok) return fail(`${file}: docker compose could not build ${toBuild.join(', ')}:\n${tail(built.output, 12).join('\n')}`, [])
  }
  const waited = await waitForDependencies(compose, plan, timeoutMs, started)
  if (!waited.ok) return fail(waited.message, waited.dependencies, waited.ms)
  const gated = project.services[service]
  try {
    await ensureNetworks(docker, name, gated.networks, runId)
  } catch (err) {
    return fail(`${file}: could not make the networks of \`${service}\`: ${(err as Error).message}`, waited.dependencies)
  }
  return { outcome: 'ready', project: name, labels: compose.labels!, service: gated, networks: gated.networks, dependencies: waited.dependencies }
}

/** Removes everything the project started: after the gated container ran, or when a run is cut short. */
export async function stopDependencies(options: { docker: Docker; file: string; project: string; labels?: string }): Promise<DownResult> {
  const compose = new ComposeProject(options.docker, options.file, options.project, options.labels)
  return down(compose, options.labels ? path.dirname(options.labels) : undefined)
}

/**
 * `docker compose down` (containers, networks, the project's volumes, the images it built), then a
 * look for anything with the project's label still there, removed by name: nothing is left.
 */
async function down(compose: ComposeProject, dir: string | undefined): Promise<DownResult> {
  const { docker } = compose
  try {
    await compose.run('down', '--volumes', '--remove-orphans', '--rmi', 'local', '--timeout', '5')
    const left = await compose.leftovers()
    if (left.containers.length) await docker.call(['rm', '--force', '--volumes', ...left.containers])
    if (left.networks.length) await docker.call(['network', 'rm', ...left.networks])
    if (left.volumes.length) await docker.call(['volume', 'rm', '--force', ...left.volumes])
    const still = await compose.leftovers()
    const named = [...still.containers, ...still.networks, ...still.volumes]
    return {
      leftovers: [...left.containers, ...left.networks, ...left.volumes],
      ...(named.length && { error: `could not remove ${named.join(', ')} (label ${PROJECT_LABEL}=${compose.name})` })
    }
  } catch (err) {
    return { leftovers: [], error: (err as Error).message }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true })
  }
}

/**
 * The gated service's networks on the engine. Compose makes a network only for a service it starts,
 * so one that only the gated service joins is made here, with compose's labels, so that `down`
 * removes it with the rest.
 */
async function ensureNetworks(docker: Docker, project: string, networks: ServiceNetwork[], runId: string | undefined): Promise<void> {
  for (const n of networks) {
    if ((await docker.call(['network', 'inspect', '--format', '{{.Name}}', n.name])).exitCode === 0) continue
    if (n.external) throw new Error(`the external network ${n.name} does not exist`)
    const labels = [`${PROJECT_LABEL}=${project}`, `com.docker.compose.network=${n.key}`, `${LABEL}=true`, ...(runId ? [`${RUN_LABEL}=${runId}`] : [])]
    await docker.ok(['network', 'create', ...labels.flatMap(l => ['--label', l]), n.name])
  }
}
