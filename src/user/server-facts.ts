import type { Container } from '../docker/handle.js'
import type { PlatformRun } from '../report/report.js'
import { masterWorkers, nginxFacts, type Process } from '../rules/servers.js'

// Part of the user measurement: an nginx master that runs as root is told how to run as its
// workers' account, which needs what the master writes (its temp paths, its pid file) to be that
// account's and a port it may bind. Those are nginx's own: its build's paths (nginx -V) and its
// config (nginx -T, every file it includes), asked of the nginx in the container, in exec form.
// One docker exec, only for such an image (its user row fails); nothing when nginx cannot answer.

export type Server = NonNullable<PlatformRun['user']['server']>

/** The facts the advice for the root master among `processes` needs; undefined when there are none to read. */
export async function readServer(container: Container, processes: Process[], pid1: number): Promise<Server | undefined> {
  const split = masterWorkers(processes, pid1)
  if (split?.server !== 'nginx') return undefined
  const r = await container.exec(['nginx', '-V', '-T'])
  const facts = r.exitCode === 0 ? nginxFacts(r.stdout, r.stderr) : undefined
  return facts && { program: 'nginx', ...facts }
}
