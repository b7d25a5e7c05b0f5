import type { Docker } from '../docker/docker.js'
import type { Report } from '../report/report.js'
import { appProgram, probeArgv, probeUrl, type ProbeFacts, type ProbeTool } from '../rules/probe.js'

// An image without a working health check gets one suggested, built from what the running
// container really has, in order of fit (rules/probe.ts): python, node, wget, curl, else the app's
// own binary in exec form; and whether it has /bin/sh, which health-cmd needs. Each program is
// looked for with `docker exec` in exec form, so an image without a shell is asked too, and
// nothing from the image is ever run through a shell here.

export type Suggested = NonNullable<Report['health']['suggestedCmd']>

/** Each is asked to print its version or help, which any build of it can do. */
const LOOKUPS: [Exclude<ProbeTool, 'app'>, string[]][] = [
  ['python3', ['python3', '--version']],
  ['python', ['python', '--version']],
  ['node', ['node', '--version']],
  ['wget', ['wget', '--help']],
  ['curl', ['curl', '--version']]
]

type Found = 'present' | 'absent' | 'unknown'

/** Exit 126/127, or the runtime's "executable file not found": the program is not there. */
export function foundFrom(exitCode: number, output: string): Found {
  if (/No such container|is not running|Cannot connect to the Docker daemon/i.test(output)) return 'unknown'
  if (exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(output)) return 'absent'
  return 'present'
}

async function ask(docker: Docker, name: string, argv: string[]): Promise<{ found: Found; output: string }> {
  const r = await docker.call(['exec', name, ...argv])
  const output = `${r.stderr}\n${r.stdout}`
  return { found: foundFrom(r.exitCode, output), output }
}

/** Whether a program that answered can run the probe: `python` may be Python 2 (no urllib.request). */
function usable(tool: ProbeTool, output: string): boolean {
  return tool !== 'python' || !/Python 2\./.test(output)
}

/** node has fetch from 18 on; an unknown version gets the http module, which every node has. */
export function hasFetch(version: string): boolean {
  const major = /v(\d+)\./.exec(version)?.[1]
  return major !== undefined && Number(major) >= 18
}

export interface ImageCommand {
  entrypoint?: string[]
  cmd?: string[]
}

/** Whether the container has /bin/sh (health-cmd needs one); undefined when it stopped meanwhile. */
export async function hasShell(docker: Docker, name: string): Promise<boolean | undefined> {
  const { found } = await ask(docker, name, ['/bin/sh', '-c', 'exit 0'])
  return found === 'unknown' ? undefined : found === 'present'
}

/**
 * A health probe for the running container `name`, or undefined when it stopped meanwhile (or has
 * none of the programs and no binary of its own to name). `shell`: whether it has /bin/sh.
 */
export async function suggestProbe(docker: Docker, name: string, facts: ProbeFacts, command: ImageCommand = {}, shell?: boolean): Promise<Suggested | undefined> {
  const url = probeUrl(facts)
  let argv: string[] | undefined
  let tool: ProbeTool | undefined
  for (const [candidate, lookup] of LOOKUPS) {
    const { found, output } = await ask(docker, name, lookup)
    if (found === 'unknown') return undefined
    if (found === 'absent' || !usable(candidate, output)) continue
    tool = candidate
    argv = probeArgv(candidate, url, { fetch: hasFetch(output) })
    break
  }
  if (!tool) {
    const app = appProgram(command.entrypoint ?? [], command.cmd ?? [])
    if (!app) return undefined
    tool = 'app'
    argv = probeArgv('app', url, { app })
  }
  const sh = shell ?? (await hasShell(docker, name))
  if (sh === undefined) return undefined
  return { tool, argv: argv ?? [], shell: sh }
}
