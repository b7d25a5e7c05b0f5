import { dockerSays, EngineError, type DockerResult } from '../docker/docker.js'
import { InputError } from '../inputs/parse.js'
import type { ContainerInputs } from './container-flags.js'

// A `docker run --detach` that failed, for the main container and every smoke container alike.
// Docker exits 126 or 127 when the container's command cannot run (not executable, not found), and
// 125 when the docker command itself failed: the image's own start settings (its USER, its
// command), or a refusal that is not the app's at all (a run-network container that is not running,
// a network removed meanwhile, the daemon's own trouble). Only the first kind is the image's
// failure; the others end the run with one line naming the input, or saying it is the engine's.

const IMAGE_CANNOT_START = /unable to start container process: exec:|unable to find (?:user|group)|no matching entries in (?:passwd|group) file|chdir to cwd/i

/**
 * Docker's message when the image's command could not start (judged by the health or smoke row);
 * throws when Docker refused for a reason outside the image.
 */
export function startFailure(run: DockerResult, inputs: ContainerInputs): string {
  const said = dockerSays(run.stderr || run.stdout)
  if (run.exitCode === 126 || run.exitCode === 127 || IMAGE_CANNOT_START.test(said)) return said
  const net = inputs.runNetwork
  // before run-network: Docker words this conflict with "network mode" too
  if (inputs.runAddHosts.length > 0 && /host-to-IP|add-host|extra ?host/i.test(said)) {
    const why = net.startsWith('container:') ? ` With run-network: ${net} the container takes that container's host entries: drop run-add-hosts.` : ''
    throw new InputError(`Input "run-add-hosts": Docker refused to start the container with these host entries (${said}).${why}`)
  }
  if (net && /network|namespace/i.test(said)) {
    const fix = net.startsWith('container:')
      ? 'That container must be running for the whole run: start it before image-gate, or name one that is.'
      : 'That network must exist for the whole run: create it before image-gate (docker network create), or use the network of a service container.'
    throw new InputError(`Input "run-network": Docker refused to start the container on "${net}" (${said}). ${fix}`)
  }
  throw new EngineError(
    `Docker refused to start the container (\`docker run\` exited ${run.exitCode}: ${said}). The app never ran: this is the engine's refusal, so check the daemon (\`docker info\`, its log).`
  )
}
