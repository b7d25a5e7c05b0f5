import { lastLine, EngineError, type Docker } from './docker.js'

// Before anything runs: is there an engine, buildx, and a builder that can build here? Each problem
// is one sentence with its fix.

/** The buildx builder a build will use, as `docker buildx inspect` describes it. */
export interface Builder {
  name: string
  driver: string
  /** the first node's endpoint: a Docker context name or a daemon address */
  endpoint: string
}

/** Fails with one clear sentence when the engine, buildx or the chosen builder cannot be used. */
export async function preflight(docker: Docker, builder = ''): Promise<Builder> {
  const version = await docker.call(['version', '--format', '{{.Server.Version}}'])
  if (version.exitCode !== 0) {
    throw new EngineError(
      `the Docker engine is not reachable (${lastLine(version.stderr)}). Start the Docker daemon, or check DOCKER_HOST; on a Debian machine as root, scripts/setup-docker.sh installs and starts one.`
    )
  }
  const buildx = await docker.call(['buildx', 'version'])
  if (buildx.exitCode !== 0) {
    throw new EngineError(
      'docker buildx is not available (`docker buildx version` failed). Install the buildx plugin; on GitHub add the step docker/setup-buildx-action before image-gate.'
    )
  }
  // without a name: the current builder (`docker buildx use`, or docker/setup-buildx-action)
  const inspect = await docker.call(builder ? ['buildx', 'inspect', builder] : ['buildx', 'inspect'])
  if (inspect.exitCode !== 0 && builder) {
    throw new EngineError(
      `the buildx builder "${builder}" is not usable (${lastLine(inspect.stderr)}). Create it (docker buildx create --name ${builder}, or docker/setup-buildx-action), or leave builder empty for the default.`
    )
  }
  return parseBuilder(inspect.stdout, builder)
}

/** The "Name:", "Driver:" and first "Endpoint:" lines of `docker buildx inspect`. */
export function parseBuilder(text: string, fallbackName = ''): Builder {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? ''
  return { name: field('Name') || fallbackName || 'default', driver: field('Driver') || 'unknown', endpoint: field('Endpoint') }
}
