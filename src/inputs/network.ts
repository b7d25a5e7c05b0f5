import type { Docker } from '../docker/docker.js'
import { InputError } from './parse.js'

// run-network names something of the engine's, so it is checked once the engine answers and before
// anything is built: a network that does not exist is one line naming the input, not a failed
// `docker run` after a long build.

export async function checkRunNetwork(docker: Docker, network: string): Promise<void> {
  if (!network) return
  const container = network.startsWith('container:') ? network.slice('container:'.length) : undefined
  const found = await docker.call(container ? ['container', 'inspect', '--format', '{{.Id}}', container] : ['network', 'inspect', '--format', '{{.Id}}', network])
  if (found.exitCode === 0) return
  if (container) throw new InputError(`Input "run-network": there is no container "${container}" on this engine to share the network of.`)
  const names = await docker.call(['network', 'ls', '--format', '{{.Name}}'])
  const known = names.stdout.split('\n').filter(Boolean).slice(0, 10).join(', ')
  throw new InputError(
    `Input "run-network": there is no network "${network}" on this engine${known ? ` (it has: ${known})` : ''}. On GitHub, use \${{ job.services.NAME.network }} of a service container; else create it first (docker network create).`
  )
}
