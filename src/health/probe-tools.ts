import type { Container } from '../docker/handle.js'
import type { PlatformRun } from '../report/report.js'
import { ASKERS } from '../report/probe-schema.js'
import { appProgram, languageOf, pickTool, probeArgv, type Language, type ProbeTarget, type ProbeTool } from './probe.js'
import { answerOf, askArgv, type Asker, type PortAnswer } from './protocol.js'
import { startedByPid1 } from '../user/measure.js'

// An image without a working health check gets one suggested, built from what the running
// container really has: its programs (python, node, php, ruby, wget, curl, bash), the language it
// runs (its processes), and what its port speaks (asked from inside it, health/protocol.ts); and
// whether it has /bin/sh, which health-cmd needs. Each program is looked for with `docker exec` in
// exec form, so an image without a shell is asked too, and nothing from the image is ever run
// through a shell here.

export type Suggested = NonNullable<PlatformRun['health']['suggestedCmd']>
type Program = Exclude<ProbeTool, 'app'>

/** Each is asked to print its version or help, which any build of it can do. */
const LOOKUPS: [Program, string[]][] = [
  ['python3', ['python3', '--version']],
  ['python', ['python', '--version']],
  ['node', ['node', '--version']],
  ['php', ['php', '--version']],
  ['ruby', ['ruby', '--version']],
  ['wget', ['wget', '--help']],
  ['curl', ['curl', '--version']],
  ['bash', ['bash', '--version']]
]

type Found = 'present' | 'absent' | 'unknown'

/** Exit 126/127, or the runtime's "executable file not found": the program is not there. */
export function foundFrom(exitCode: number, output: string): Found {
  if (/No such container|is not running|Cannot connect to the Docker daemon/i.test(output)) return 'unknown'
  if (exitCode === 126 || exitCode === 127 || /executable file not found|no such file or directory/i.test(output)) return 'absent'
  return 'present'
}

async function ask(container: Container, argv: string[]): Promise<{ found: Found; output: string }> {
  const r = await container.exec(argv)
  const output = `${r.stderr}\n${r.stdout}`
  return { found: foundFrom(r.exitCode, output), output }
}

/** Whether a program that answered can run the probe: `python` may be Python 2 (no urllib.request, no bytes.hex). */
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

/** The programs the container has, each with what it printed; undefined when it stopped meanwhile. Asked all at once. */
export type Programs = Map<Program, string>
export async function findPrograms(container: Container): Promise<Programs | undefined> {
  const answers = await Promise.all(LOOKUPS.map(async ([tool, argv]) => ({ tool, ...(await ask(container, argv)) })))
  if (answers.some(a => a.found === 'unknown')) return undefined
  return new Map(answers.filter(a => a.found === 'present' && usable(a.tool, a.output)).map(a => [a.tool, a.output]))
}

/** Whether the container has /bin/sh (health-cmd needs one); undefined when it stopped meanwhile. */
export async function hasShell(container: Container): Promise<boolean | undefined> {
  const { found } = await ask(container, ['/bin/sh', '-c', 'exit 0'])
  return found === 'unknown' ? undefined : found === 'present'
}

/**
 * The language the container runs: its processes' names as `docker top` lists them (a process
 * title such as "php-fpm: master process" or "puma 6.4.2 (tcp://…)" names the server), then the
 * words of its ENTRYPOINT and CMD.
 */
export async function containerLanguage(container: Container, pid1: number | undefined, command: ImageCommand): Promise<Language | undefined> {
  const top = pid1 ? await container.top('pid,ppid,args') : undefined
  const rows = (top?.exitCode === 0 ? top.stdout.split('\n').slice(1) : []).flatMap(line => {
    const m = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(line)
    return m ? [{ pid: Number(m[1]), ppid: Number(m[2]), program: m[3].replace(/:$/, '') }] : []
  })
  // PID 1's own tree: not the probes and lookups exec'd into it meanwhile
  const processes = pid1 ? startedByPid1(rows, pid1).map(r => r.program) : []
  const words = [...(command.entrypoint ?? []), ...(command.cmd ?? [])].flatMap(w => w.split(/\s+/))
  return languageOf([...processes, ...words])
}

/** The program that asks a port what it speaks: the first of `order` the container has. */
export function askerOf(programs: Programs, order: ProbeTool[]): Asker | undefined {
  return order.find((tool): tool is Asker => (ASKERS as readonly string[]).includes(tool) && programs.has(tool as Program))
}

/** What `port` speaks, asked with `tool` inside the container; undefined when it could not be told. */
export async function askPort(container: Container, tool: Asker, port: number): Promise<PortAnswer | undefined> {
  const r = await container.exec(askArgv(tool, port))
  return r.exitCode === 0 ? answerOf(r.stdout) : undefined
}

/**
 * The probe for `target` from the first program in `order` the container has that can write it,
 * else the app's own binary in exec form; undefined when there is none. A FastCGI port with no
 * program that speaks FastCGI gets a TCP connect. `shell`: whether it has /bin/sh.
 */
export function chooseProbe(programs: Programs, order: ProbeTool[], target: ProbeTarget, command: ImageCommand, shell: boolean): Suggested | undefined {
  const app = appProgram(command.entrypoint ?? [], command.cmd ?? [])
  const has = (tool: ProbeTool) => (tool === 'app' ? app !== undefined : programs.has(tool))
  let fitted = target
  let tool = pickTool(order, has, target.kind)
  if (!tool && target.kind === 'fastcgi') {
    fitted = { ...target, kind: 'tcp' }
    tool = pickTool(order, has, 'tcp')
  }
  if (!tool) return undefined
  const argv = probeArgv(tool, fitted, { fetch: hasFetch(programs.get('node') ?? ''), app })
  return { tool, argv, shell, kind: fitted.kind, ...(fitted.kind === 'http' && { path: fitted.path }) }
}
