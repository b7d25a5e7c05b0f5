import type { Condition, Project } from './config.js'

// Which services run before the gated one, and in what order: the closure of its depends_on
// (not the service itself), each after the services it depends on. Pure, so the order and the
// refusals are unit-tested.

/** One service to start, and what it waits for first: its own dependencies, each with its condition. */
export interface Step {
  service: string
  after: { service: string; condition: Condition }[]
}

export interface Plan {
  /** in start order: every service's dependencies come before it */
  steps: Step[]
  /** what the gated service waits for before it runs */
  gate: { service: string; condition: Condition }[]
}

/** The one-line refusal of a service the project does not have. */
export function unknownService(file: string, service: string, project: Project): string {
  const names = Object.keys(project.services).sort()
  return `${file} has no service \`${service}\`; its services: ${names.length ? names.join(', ') : '(none)'}`
}

/**
 * The depends_on closure of `service`, ordered. Throws (one line naming the file) when the service
 * is not in the project, or when the dependencies go round in a cycle (compose refuses those too,
 * but says so only at `up`).
 */
export function planDependencies(file: string, project: Project, service: string): Plan {
  if (!project.services[service]) throw new Error(unknownService(file, service, project))
  // a dependency that is not required and not in the project (another profile) is left out, as compose does
  const needs = (name: string) => project.services[name].dependsOn.filter(d => d.required || project.services[d.service])
  const steps: Step[] = []
  const done = new Set<string>()
  const visiting: string[] = []
  const visit = (name: string) => {
    if (done.has(name)) return
    if (visiting.includes(name)) throw new Error(`${file}: the depends_on of ${[...visiting.slice(visiting.indexOf(name)), name].join(' → ')} go round in a cycle`)
    if (!project.services[name]) {
      const by = visiting[visiting.length - 1]
      throw new Error(`${file}: service \`${by}\` depends on \`${name}\`, which the file does not have; its services: ${Object.keys(project.services).sort().join(', ')}`)
    }
    visiting.push(name)
    for (const d of needs(name)) visit(d.service)
    visiting.pop()
    done.add(name)
    if (name !== service) steps.push({ service: name, after: needs(name).map(d => ({ service: d.service, condition: d.condition })) })
  }
  visit(service)
  return { steps, gate: needs(service).map(d => ({ service: d.service, condition: d.condition })) }
}
