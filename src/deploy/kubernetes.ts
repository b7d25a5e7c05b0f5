import { readContainer } from './kubernetes-container.js'
import { readProbe } from './kubernetes-probe.js'
import { DEFAULT_PROBE_TOOL, type DeployProbeTool } from './probe-cmd.js'
import { Collected, type DeploySettings } from './settings.js'
import { child, items, readDocuments, textOf, wholeNumber, type Here } from './yaml-tree.js'

// A Kubernetes manifest (multi-document YAML) read for the container it runs the image in: the
// workload's pod spec (a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod), the
// container picked by name (kubernetes-container), else the only one.

/** Where each kind keeps its pod spec. */
const POD_SPEC: Record<string, string[]> = {
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec']
}
const KINDS = 'a Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod'

interface Workload {
  /** Deployment/tynebase-api */
  name: string
  pod: Here
  containersAt: Here
  containers: Here[]
}

export interface KubernetesOptions {
  /** kubernetes-container: the container to gate, when the pod has more than one */
  container?: string
  /** the program health-cmd is written with (one the image has) */
  probeTool?: DeployProbeTool
}

export function kubernetesSettings(file: string, text: string, options: KubernetesOptions = {}): DeploySettings {
  const out = new Collected(file)
  const { workload, container } = pick(out, workloads(out, text), options.container)
  readContainer(out, workload.pod, container)
  readProbe(out, container, options.probeTool ?? DEFAULT_PROBE_TOOL)
  const grace = child(workload.pod, 'terminationGracePeriodSeconds')
  if (grace) {
    const seconds = wholeNumber(out, grace)
    if (seconds === 0) out.note('terminationGracePeriodSeconds: 0 kills the container at once; stop-timeout takes 1 or more, so it is left as it is.', grace)
    else out.input('stop-timeout', String(seconds), grace)
  }
  return out.settings
}

function workloads(out: Collected, text: string): Workload[] {
  const found: Workload[] = []
  const kinds: string[] = []
  for (const { root } of readDocuments(out, text)) {
    const kind = textOf(root, 'kind')
    if (kind) kinds.push(kind)
    const path = POD_SPEC[kind]
    if (!path) continue
    let at: Here | undefined = root
    for (const key of path) at = child(at, key)
    const containersAt = child(at, 'containers')
    if (!at || !containersAt) throw out.error(at ?? root, `${kind} ${textOf(child(root, 'metadata'), 'name')} has no ${[...path, 'containers'].join('.')}`)
    const pod = { ...at, short: '' }
    const containers = items({ ...containersAt, short: '' }, item => textOf(item, 'name')).map(c => ({ ...c, short: '' }))
    found.push({ name: `${kind}/${textOf(child(root, 'metadata'), 'name')}`, pod, containersAt, containers })
  }
  if (found.length === 0) throw out.error(undefined, `holds no ${KINDS.slice(2)} (${kinds.length ? `its kinds: ${[...new Set(kinds)].join(', ')}` : 'no document has a kind'})`)
  return found
}

const nameOf = (c: Here) => textOf(c, 'name')

/** The container to gate: the one named, else the only one; anything else is one line listing the names. */
function pick(out: Collected, found: Workload[], wanted?: string): { workload: Workload; container: Here } {
  const all = found.flatMap(workload => workload.containers.map(container => ({ workload, container })))
  const listed = found.map(w => `${w.name}: ${w.containers.map(nameOf).join(', ')}`).join('; ')
  if (wanted) {
    const named = all.filter(({ container }) => nameOf(container) === wanted)
    if (named.length === 1) return named[0]
    if (named.length > 1) throw out.error(named[1].container, `kubernetes-container "${wanted}" is a container of ${named.map(n => n.workload.name).join(' and ')}: keep one workload in the file given`)
    const where = found.length === 1 ? `${found[0].name}; its containers are ${found[0].containers.map(nameOf).join(', ')}` : `any workload (${listed})`
    throw out.error(found[0].containersAt, `kubernetes-container "${wanted}" is not a container of ${where}`)
  }
  if (all.length === 1) return all[0]
  if (found.length === 1) {
    throw out.error(found[0].containersAt, `${found[0].name} has ${all.length} containers (${found[0].containers.map(nameOf).join(', ')}): set kubernetes-container to the one to gate`)
  }
  throw out.error(found[0].containersAt, `holds ${found.length} workloads (${listed}): set kubernetes-container to the container to gate`)
}
