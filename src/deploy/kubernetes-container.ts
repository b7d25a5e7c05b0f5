import { memoryFromQuantity } from './quantity.js'
import type { Collected, Part } from './settings.js'
import { boolean, child, items, keysOf, scalar, str, strings, textOf, wholeNumber, type Here } from './yaml-tree.js'

// A container's own settings, with its pod's securityContext under it (the container's wins, as
// in Kubernetes): the memory limit, the run profile, env, command and args.

export function readContainer(out: Collected, pod: Here, container: Here): void {
  const memory = child(child(child(container, 'resources'), 'limits'), 'memory')
  if (memory) {
    const reading = memoryFromQuantity(String(scalar(memory) ?? ''))
    if (!reading.ok) throw out.error(memory, `${memory.short} ${reading.problem}`)
    out.input('run-memory', reading.value, memory)
  }
  readSecurity(out, child(pod, 'securityContext'), child(container, 'securityContext'))
  const env = readEnv(out, container)
  readCommand(out, container, env)
}

/** The pod's securityContext holds these too; the container's own wins. */
const POD_LEVEL = ['runAsNonRoot', 'runAsUser', 'runAsGroup']

function readSecurity(out: Collected, pod: Here | undefined, own: Here | undefined): void {
  const field = (name: string) => child(own, name) ?? (POD_LEVEL.includes(name) ? child(pod, name) : undefined)
  const readOnly = child(own, 'readOnlyRootFilesystem')
  if (readOnly) out.input('read-only', String(boolean(out, readOnly)), readOnly)
  const nonRoot = field('runAsNonRoot')
  const nonRootValue = nonRoot && boolean(out, nonRoot)
  if (nonRoot) out.extra('runAsNonRoot', String(nonRootValue), nonRoot)
  for (const name of ['runAsUser', 'runAsGroup'] as const) {
    const id = field(name)
    if (id) out.extra(name, String(wholeNumber(out, id)), id)
  }
  // runAsUser replaces the image's USER (with runAsGroup, its group too): run-user, as docker run --user
  const user = field('runAsUser')
  const group = field('runAsGroup')
  if (user) out.input('run-user', group ? `${wholeNumber(out, user)}:${wholeNumber(out, group)}` : String(wholeNumber(out, user)), user)
  else if (group) out.note(`runAsGroup ${wholeNumber(out, group)} without runAsUser is not applied: docker run --user needs the user too, so the image's USER runs with its own group.`, group)
  const escalation = child(own, 'allowPrivilegeEscalation')
  const escalationValue = escalation && boolean(out, escalation)
  if (escalation) out.extra('allowPrivilegeEscalation', String(escalationValue), escalation)
  const capabilities = child(own, 'capabilities')
  const drop = child(capabilities, 'drop')
  const add = child(capabilities, 'add')
  const dropped = drop ? strings(out, drop) : []
  const added = add ? strings(out, add) : []
  if (drop) out.extra('capDrop', dropped.join(','), drop)
  if (add) out.extra('capAdd', added.join(','), add)
  const privileged = child(own, 'privileged')
  if (privileged && boolean(out, privileged)) out.note('privileged: true is not applied: image-gate never runs a container privileged.', privileged)

  // Kubernetes' restricted Pod Security Standard, which run-profile restricted runs as
  const lacking = [
    nonRootValue === true ? '' : 'runAsNonRoot: true',
    escalationValue === false ? '' : 'allowPrivilegeEscalation: false',
    dropped.includes('ALL') ? '' : 'capabilities.drop: [ALL]'
  ].filter(Boolean)
  if (lacking.length === 0 && own) {
    out.input('run-profile', 'restricted', own)
    if (added.length) out.note(`capabilities.add [${added.join(', ')}] is not applied: run-profile restricted drops every capability.`, add!)
  } else if (lacking.length < 3) {
    const at = own ?? pod!
    out.note(`securityContext is not Kubernetes' restricted profile (it lacks ${lacking.join(' and ')}), so run-profile is not set from it; its settings are kept as extras.`, at)
  }
}

/** env's values as KEY=VALUE lines (a $(VAR) of an earlier one expanded, as Kubernetes does); a valueFrom is a note. */
function readEnv(out: Collected, container: Here): Map<string, string> {
  const known = new Map<string, string>()
  const envAt = child(container, 'env')
  const parts: Part[] = []
  for (const item of items(envAt, i => textOf(i, 'name'))) {
    const name = textOf(item, 'name')
    if (!name) throw out.error(item, `${item.short} has no name`)
    const from = child(item, 'valueFrom')
    if (from) {
      out.note(`env ${name} comes from ${source(from)}, which is not available here: it is not set (give it in env if the app needs it).`, from)
      continue
    }
    const valueAt = child(item, 'value')
    const value = valueAt ? expand(str(out, valueAt), known) : ''
    if (/[\r\n]/.test(value)) {
      out.note(`env ${name} has a line break in its value, which env (one KEY=VALUE a line) cannot hold: it is not set.`, valueAt ?? item)
      continue
    }
    known.set(name, value)
    parts.push({ value: `${name}=${value}`, line: item.line, key: item.key })
  }
  // a name given twice: Kubernetes keeps the last
  const last = parts.filter((p, i) => !parts.slice(i + 1).some(q => q.value.split('=')[0] === p.value.split('=')[0]))
  if (envAt && last.length) out.input('env', last.map(p => p.value).join('\n'), envAt, last)
  for (const from of items(child(container, 'envFrom'))) {
    out.note(`envFrom ${source(from)}: its variables are not available here, so none is set.`, from)
  }
  return known
}

/** secret app-secrets key DATABASE_URL (secretKeyRef), configMap app-config (configMapRef), fieldRef status.podIP, ... */
function source(from: Here): string {
  const kind = keysOf(from).find(k => k !== 'prefix') ?? 'valueFrom'
  const ref = child(from, kind)
  const what: Record<string, string> = {
    secretKeyRef: `secret ${textOf(ref, 'name')} key ${textOf(ref, 'key')}`,
    configMapKeyRef: `configMap ${textOf(ref, 'name')} key ${textOf(ref, 'key')}`,
    secretRef: `secret ${textOf(ref, 'name')}`,
    configMapRef: `configMap ${textOf(ref, 'name')}`,
    fieldRef: `the pod's field ${textOf(ref, 'fieldPath')}`,
    resourceFieldRef: `the container's resource ${textOf(ref, 'resource')}`
  }
  return `${what[kind] ?? kind} (${kind})`
}

/** Kubernetes' $(VAR): an earlier variable's value, $$ a literal $, an unknown one left as written. */
function expand(text: string, known: Map<string, string>): string {
  return text.replace(/\$\$|\$\(([^)]*)\)/g, (whole, name: string | undefined) => (whole === '$$' ? '$' : (known.get(name ?? '') ?? whole)))
}

/**
 * args replaces the image's CMD, as the command input does. command replaces its ENTRYPOINT, which
 * no input does yet: it is kept as an extra, with a note.
 */
function readCommand(out: Collected, container: Here, env: Map<string, string>): void {
  const command = child(container, 'command')
  const args = child(container, 'args')
  if (args) {
    const words = strings(out, args).map(w => expand(w, env))
    if (words.length) out.input('command', JSON.stringify(words), args)
  }
  if (command) {
    const words = strings(out, command).map(w => expand(w, env))
    out.extra('entrypoint', JSON.stringify(words), command)
    const cmd = args ? 'with args as its CMD' : 'and no CMD (Kubernetes drops the image\'s CMD when command is set without args)'
    out.note(`command ${JSON.stringify(words)} replaces the image's ENTRYPOINT ${cmd}; image-gate has no input for the entrypoint yet, so the image's own runs.`, command)
  }
}
