import { dockerSays, EngineError, lastLine, notReachable, type Docker } from './docker.js'

// Before anything runs: is there an engine, buildx, and a builder that can build here? Each problem
// is one sentence with its fix.

/** The buildx builder a build will use, as `docker buildx inspect` describes it. */
export interface Builder {
  name: string
  driver: string
  /** the first node's endpoint: a Docker context name or a daemon address */
  endpoint: string
  /** the platforms its first node can build for, emulated ones included ("linux/arm64"); [] when it does not say */
  platforms: string[]
}

/** What the run needs to know of the engine: how to build, which flags it takes, how it stores images. */
export interface Engine {
  builder: Builder
  /** "28.5.2" */
  version: string
  /** the engine's own architecture, as Go and OCI platforms name it ("amd64") */
  arch: string
  /** the API version client and daemon speak (the lower of the two): it decides which flags exist */
  api: string
  /** the containerd image store (Docker 24+ opt-in, 29+ default) keeps layers compressed */
  store: 'classic' | 'containerd'
  /** user-namespace remapping (userns-remap): undefined when the engine does not remap */
  userns?: Userns
}

/**
 * With userns-remap, root in a container is an unprivileged UID of the engine's host (the start of
 * the dockremap user's /etc/subuid range, e.g. 165536), and `docker top` shows those host UIDs.
 * The engine names its data directory after that pair (DockerRootDir ends in "/165536.165536"), so
 * `docker info` tells it to a remote client too; undefined when the directory does not say.
 */
export interface Userns {
  /** the host UID and GID the container's UID 0 and GID 0 are */
  rootUid?: number
  rootGid?: number
}

/** Fails with one clear sentence when the engine, buildx or the chosen builder cannot be used. */
export async function preflight(docker: Docker, builder = ''): Promise<Engine> {
  // The four questions at once (each is a round trip of its own, and every run asks them), judged
  // in order: an engine that is not there is said before a missing buildx.
  const [version, buildx, inspect, info] = await Promise.all([
    // Client.APIVersion is the negotiated version: a 28 CLI talking to a 20.10 daemon says 1.41
    docker.call(['version', '--format', '{{.Server.Version}} {{.Client.APIVersion}} {{.Server.Arch}}']),
    docker.call(['buildx', 'version']),
    // without a name: the current builder (`docker buildx use`, or docker/setup-buildx-action)
    docker.call(builder ? ['buildx', 'inspect', builder] : ['buildx', 'inspect']),
    docker.call(['info', '--format', '{{json .DriverStatus}}\n{{json .SecurityOptions}}\n{{json .DockerRootDir}}'])
  ])
  if (version.exitCode !== 0) {
    throw new EngineError(notReachable(dockerSays(version.stderr)))
  }
  if (buildx.exitCode !== 0) {
    throw new EngineError(
      'docker buildx is not available (`docker buildx version` failed). Install the buildx plugin; on GitHub add the step docker/setup-buildx-action before image-gate.'
    )
  }
  if (inspect.exitCode !== 0 && builder) {
    throw new EngineError(
      `the buildx builder "${builder}" is not usable (${lastLine(inspect.stderr)}). Create it (docker buildx create --name ${builder}, or docker/setup-buildx-action), or leave builder empty for the default.`
    )
  }
  const [server = '', api = '', arch = ''] = version.stdout.trim().split(' ')
  return { builder: parseBuilder(inspect.stdout, builder), version: server, api, arch, ...engineInfo(info.stdout) }
}

/** Whether the API version `api` ("1.51") is at least `least` ("1.44"). */
export function apiAtLeast(api: string, least: string): boolean {
  const [major = 0, minor = 0] = api.split('.').map(Number)
  const [wantMajor = 0, wantMinor = 0] = least.split('.').map(Number)
  return major > wantMajor || (major === wantMajor && minor >= wantMinor)
}

/** From one `docker info`: the image store, and whether (and where to) the engine remaps user namespaces. */
function engineInfo(info: string): Pick<Engine, 'store' | 'userns'> {
  const [driverStatus = '', securityOptions = '', rootDir = ''] = info.split('\n')
  const store = /io\.containerd\.snapshotter/.test(driverStatus) ? 'containerd' : 'classic'
  const userns = parseUserns(securityOptions, rootDir)
  return { store, ...(userns && { userns }) }
}

/** `securityOptions`: `{{json .SecurityOptions}}` ("name=userns" when remapping); `rootDir`: `{{json .DockerRootDir}}`. */
export function parseUserns(securityOptions: string, rootDir: string): Userns | undefined {
  if (!/"name=userns[",]/.test(securityOptions)) return undefined
  const ids = /[/\\](\d+)\.(\d+)"?\s*$/.exec(rootDir)
  return ids ? { rootUid: Number(ids[1]), rootGid: Number(ids[2]) } : {}
}

/** The "Name:", "Driver:" and the first node's "Endpoint:" and "Platforms:" lines of `docker buildx inspect`. */
export function parseBuilder(text: string, fallbackName = ''): Builder {
  const field = (key: string) => new RegExp(`^${key}:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? ''
  // "linux/amd64*, linux/arm64": a star marks a platform the builder was created with
  const platforms = field('Platforms')
    .split(',')
    .map(p => p.trim().replace(/\*$/, ''))
    .filter(Boolean)
  return { name: field('Name') || fallbackName || 'default', driver: field('Driver') || 'unknown', endpoint: field('Endpoint'), platforms }
}
