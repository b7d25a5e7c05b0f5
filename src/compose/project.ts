import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { LABEL, RUN_LABEL } from '../docker/cleanup.js'
import { dockerSays, type Docker } from '../docker/docker.js'
import type { Project } from './config.js'

// The calls to the real compose plugin for one project: always `docker compose -f FILE -f LABELS
// -p PROJECT ...`, as argument arrays, on the engine DOCKER_HOST names (the environment is
// inherited). LABELS is a file of ours that adds image-gate's labels (the run's id) to what the
// project creates, so the post step's cleanup finds a container the run left.

/** The label compose puts on every container, network and volume of a project. */
export const PROJECT_LABEL = 'com.docker.compose.project'

export class ComposeProject {
  constructor(
    readonly docker: Docker,
    readonly file: string,
    readonly name: string,
    /** the labels file (labelsFile()), once written */
    public labels?: string
  ) {}

  args(...rest: string[]): string[] {
    return ['compose', '-f', this.file, ...(this.labels ? ['-f', this.labels] : []), '-p', this.name, ...rest]
  }

  /** Compose's own reading of the file: throws with compose's words when it refuses the file. */
  async config(): Promise<string> {
    const r = await this.docker.call(this.args('config', '--format', 'json'), { raw: true })
    if (r.exitCode !== 0) throw new Error(`docker compose could not read ${this.file}: ${dockerSays(r.stderr || r.stdout)}`)
    return r.stdout
  }

  /** Runs a compose command bounded by the run's overall timeout (a pull, a build); its output on failure. */
  async run(...rest: string[]): Promise<{ ok: boolean; output: string }> {
    const r = await this.docker.call(this.args(...rest), { long: true })
    return { ok: r.exitCode === 0, output: `${r.stdout}\n${r.stderr}` }
  }

  /** The container of a service (the first, if it scales), or undefined before compose made one. */
  async container(service: string): Promise<string | undefined> {
    const ids = await this.docker.ok(['ps', '--all', '--quiet', '--filter', `label=${PROJECT_LABEL}=${this.name}`, '--filter', `label=com.docker.compose.service=${service}`])
    return ids.split('\n').filter(Boolean)[0]
  }

  /** What is left on the engine with the project's label: containers, networks, volumes. */
  async leftovers(): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
    const filter = ['--filter', `label=${PROJECT_LABEL}=${this.name}`]
    const list = async (args: string[]) => (await this.docker.ok(args)).split('\n').filter(Boolean)
    return {
      containers: await list(['ps', '--all', '--format', '{{.Names}}', ...filter]),
      networks: await list(['network', 'ls', '--format', '{{.Name}}', ...filter]),
      volumes: await list(['volume', 'ls', '--format', '{{.Name}}', ...filter])
    }
  }
}

/**
 * Writes the file that labels what the project creates with image-gate's labels: the services
 * started (their containers, and the images of those it builds) and the networks and volumes the
 * file declares, so a run cut short
 * (a timeout, the post step) finds them by the run's label. Compose merges it over the
 * user's file as a second -f.
 */
export function labelsFile(dir: string, project: Project, services: string[], runId: string | undefined): string {
  const labels = { [LABEL]: 'true', ...(runId && { [RUN_LABEL]: runId }) }
  const networks = Object.fromEntries(
    Object.entries(project.networks)
      .filter(([, n]) => !n.external)
      .map(([key]) => [key, { labels }])
  )
  const file = path.join(dir, 'image-gate-compose-labels.json')
  const volumes = Object.fromEntries((project.volumes ?? []).map(key => [key, { labels }]))
  // a service compose builds gets the labels on its image too, so a run cut short removes it
  const service = (name: string) => (project.services[name]?.build ? { labels, build: { labels } } : { labels })
  writeFileSync(file, JSON.stringify({ services: Object.fromEntries(services.map(s => [s, service(s)])), networks, volumes }))
  return file
}
