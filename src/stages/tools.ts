import type { Docker } from '../docker/docker.js'
import type { Report } from '../report/report.js'
import { exposedTcpPorts } from '../rules/ports.js'

// An image without a health check gets one suggested, built from what the running container really
// has: wget (busybox, alpine), curl, or node where node is the runtime, and the port it EXPOSEs.
// Each program is looked for with `docker exec` in exec form, so an image without a shell is
// asked too, and nothing from the image is ever run through a shell here.

export type Suggested = NonNullable<Report['health']['suggestedCmd']>
type Tool = 'wget' | 'curl' | 'node'

/** The cheapest first: each is asked to print its version or help, which any build of it can do. */
const TOOLS: [Tool, string[]][] = [
  ['wget', ['wget', '--help']],
  ['curl', ['curl', '--version']],
  ['node', ['node', '--version']]
]

/** The URL the suggestion probes: loopback (the probe runs inside the container), EXPOSE's port or a placeholder. */
export function probeUrl(exposedPorts: string[]): string {
  const port = exposedTcpPorts(exposedPorts)[0]
  return `http://127.0.0.1:${port ?? 'PORT'}/health`
}

/** The probe's argument list for `tool`; written without ": " or quotes so it pastes into YAML as it is. */
export function probeArgv(tool: Tool, url: string): string[] {
  switch (tool) {
    case 'wget':
      return ['wget', '-q', '--spider', url]
    case 'curl':
      return ['curl', '-fsS', '-o', '/dev/null', url]
    case 'node':
      return ['node', '-e', `require('http').get('${url}',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))`]
  }
}

type Found = 'present' | 'absent' | 'unknown'

/** Exit 126/127, or the runtime's "executable file not found": the program is not there. */
export function foundFrom(exitCode: number, output: string): Found {
  if (/No such container|is not running|Cannot connect to the Docker daemon/i.test(output)) return 'unknown'
  if (exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(output)) return 'absent'
  return 'present'
}

async function has(docker: Docker, name: string, argv: string[]): Promise<Found> {
  const r = await docker.call(['exec', name, ...argv])
  return foundFrom(r.exitCode, `${r.stderr}\n${r.stdout}`)
}

/**
 * A health probe for the running container `name`, or undefined when it has none of the tools (or
 * stopped meanwhile). `shell`: whether it has /bin/sh, which health-cmd needs (Docker runs it
 * with a shell); without one only the Dockerfile's exec form works.
 */
export async function suggestProbe(docker: Docker, name: string, exposedPorts: string[]): Promise<Suggested | undefined> {
  for (const [tool, argv] of TOOLS) {
    const found = await has(docker, name, argv)
    if (found === 'unknown') return undefined
    if (found === 'absent') continue
    // busybox and curl images have a shell; a distroless node image has none
    const shell = tool === 'node' ? (await has(docker, name, ['/bin/sh', '-c', 'exit 0'])) === 'present' : true
    return { tool, argv: probeArgv(tool, probeUrl(exposedPorts)), shell }
  }
  return undefined
}
