import { dockerSays, EngineError, type DockerResult } from '../docker/docker.js'
import { InputError } from '../inputs/parse.js'
import type { ContainerInputs } from './container-flags.js'
import { OPENSHIFT_UID } from './profile.js'

// A `docker run --detach` that failed, for the main container and every smoke container alike.
// Docker exits 126 or 127 when the container's command cannot run (not executable, not found), and
// 125 when the docker command itself failed: the image's own start settings (its USER, its
// command), or a refusal that is not the app's at all (a run-network container that is not running,
// a network removed meanwhile, the daemon's own trouble). Only the first kind is the image's
// failure; the others end the run with one line naming the input, or saying it is the engine's.

// An engine that remaps user namespaces (userns-remap) runs a container's UIDs as the remap user's
// subordinate UIDs on its host (/etc/subuid: 65,536 of them by default), and runc cannot start one
// outside that range: OpenShift's arbitrary UID 1000680000 is. That is the engine's limit, said as
// such, never the app's failure nor the profile's (a run without the profile would pass and seem
// to blame OpenShift). Docker 28 refuses the docker run; older engines record it as the
// container's start error (State.Error), which run.ts checks too.
const UNMAPPED = /cannot set [ug]id to unmapped (?:user|group) in user namespace/i

const IMAGE_CANNOT_START = /unable to start container process: exec:|unable to find (?:user|group)|no matching entries in (?:passwd|group) file|chdir to cwd/i

/**
 * Docker's message when the image's command could not start (judged by the health or smoke row);
 * throws when Docker refused for a reason outside the image.
 */
export function startFailure(run: DockerResult, inputs: ContainerInputs): string {
  const said = dockerSays(run.stderr || run.stdout)
  const unmapped = unmappedUser(said, inputs)
  if (unmapped) throw unmapped
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

/** The engine's error when `said` is runc refusing a UID outside the engine's userns-remap range; undefined otherwise. */
export function unmappedUser(said: string, inputs: Pick<ContainerInputs, 'runProfile'>): EngineError | undefined {
  if (!UNMAPPED.test(said)) return undefined
  const openshift = inputs.runProfile === 'openshift'
  const who = openshift ? `UID ${OPENSHIFT_UID}, the arbitrary UID run-profile: openshift runs the app as` : "the image's USER"
  const fix = openshift
    ? `Gate run-profile: openshift on an engine without userns-remap (GitHub's hosted runners have none), or give the remap user a subordinate range that covers ${OPENSHIFT_UID}; run-profile: restricted checks the same capabilities as a UID this engine maps.`
    : 'Gate it on an engine without userns-remap, or give the remap user a subordinate range that covers that UID.'
  return new EngineError(
    `this engine cannot run ${who}: its userns-remap maps only the remap user's subordinate UIDs (/etc/subuid), and Docker said: ${said}. That is the engine's limit, not the image's. ${fix}`
  )
}
