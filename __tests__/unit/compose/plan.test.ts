import { describe, expect, it } from '@jest/globals'
import { readProject, type Project } from '../../../src/compose/config.js'
import { planDependencies } from '../../../src/compose/plan.js'

// A project as compose's JSON gives it: each service's depends_on in the long form.
function projectOf(deps: Record<string, Record<string, string>>): Project {
  const services = Object.fromEntries(
    Object.entries(deps).map(([name, on]) => [name, { image: 'x', depends_on: Object.fromEntries(Object.entries(on).map(([d, condition]) => [d, { condition, required: true }])) }])
  )
  return readProject(JSON.stringify({ name: 'p', services }))
}

describe('planDependencies', () => {
  it('starts the closure of the gated service, each after what it depends on, and not the service itself', () => {
    const p = projectOf({
      app: { migrate: 'service_completed_successfully', cache: 'service_started' },
      migrate: { db: 'service_healthy' },
      db: {},
      cache: {},
      unrelated: { db: 'service_started' }
    })
    const plan = planDependencies('compose.yaml', p, 'app')
    expect(plan.steps.map(s => s.service)).toEqual(['db', 'migrate', 'cache'])
    expect(plan.steps[1].after).toEqual([{ service: 'db', condition: 'service_healthy' }])
    expect(plan.gate).toEqual([
      { service: 'migrate', condition: 'service_completed_successfully' },
      { service: 'cache', condition: 'service_started' }
    ])
  })

  it('lists a shared dependency once', () => {
    const p = projectOf({ app: { a: 'service_started', b: 'service_started' }, a: { db: 'service_healthy' }, b: { db: 'service_healthy' }, db: {} })
    expect(planDependencies('c.yaml', p, 'app').steps.map(s => s.service)).toEqual(['db', 'a', 'b'])
  })

  it('has nothing to start for a service without dependencies', () => {
    expect(planDependencies('c.yaml', projectOf({ app: {}, db: {} }), 'app')).toEqual({ steps: [], gate: [] })
  })

  it('refuses an unknown service in one line naming the file and the services it has', () => {
    expect(() => planDependencies('deploy/compose.yaml', projectOf({ web: {}, db: {} }), 'api')).toThrow(new Error('deploy/compose.yaml has no service `api`; its services: db, web'))
  })

  it('refuses a cycle, naming it', () => {
    const p = projectOf({ app: { a: 'service_started' }, a: { b: 'service_started' }, b: { a: 'service_started' } })
    expect(() => planDependencies('c.yaml', p, 'app')).toThrow(new Error('c.yaml: the depends_on of a → b → a go round in a cycle'))
  })

  it('leaves out a dependency that is not required and not in the project', () => {
    const p = readProject(JSON.stringify({ name: 'p', services: { app: { depends_on: { debug: { condition: 'service_started', required: false } } } } }))
    expect(planDependencies('c.yaml', p, 'app')).toEqual({ steps: [], gate: [] })
  })
})
