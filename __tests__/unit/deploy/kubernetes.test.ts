import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { deploySettings, type DeploySettings } from '../../../src/deploy/deploy.js'
import { changed, errorOf, extraAt, inputAt, lineOf, notesOf, parsedInputs } from './real-parsers.js'

// Each setting a Kubernetes manifest maps: changed in the file, the value (and its line) follows;
// and each mistake in the file is one line naming the file, the line and the key, word for word.

const file = 'k8s/deployment.yaml'
const base = readFileSync(new URL('../../../examples/tynebase-backend/k8s/deployment.yaml', import.meta.url), 'utf8')
const read = (text: string, options: { container?: string; probeTool?: 'node' } = {}): DeploySettings => deploySettings({ file, text, ...options })
const input = inputAt
const extra = extraAt
const notes = notesOf
/** the note that starts with `start` (exactly one) */
const note = (s: DeploySettings, start: string) => {
  const found = notes(s).filter(([value]) => String(value).startsWith(start))
  expect([start, found.length]).toEqual([start, 1])
  return found[0]
}
const fails = (text: string, options: { container?: string } = {}) => errorOf(() => read(text, options))
const probe = (lines: string) => base.replace(/ {10}readinessProbe:[\s\S]*$/, lines.replace(/^\n/, ''))

describe('a Kubernetes manifest', () => {
  it('takes resources.limits.memory in Kubernetes units, as run-memory reads the same bytes', () => {
    const line = lineOf(base, 'memory: 256Mi')
    const memory = (to: string) => {
      const s = read(changed(base, 'memory: 256Mi', `memory: ${to}`))
      return [input(s, 'run-memory'), (parsedInputs(s)['run-memory'] as { bytes: number }).bytes]
    }
    expect(memory('1.5Gi')).toEqual([['1.5Gi', line], 1.5 * 2 ** 30])
    expect(memory('512M')).toEqual([['512MB', line], 512e6])
    expect(memory('1G')).toEqual([['1GB', line], 1e9])
    expect(memory('262144Ki')).toEqual([['262144Ki', line], 256 * 2 ** 20])
    expect(memory('268435456')).toEqual([['268435456', line], 256 * 2 ** 20])
    expect(memory('129e6')).toEqual([['129000000', line], 129e6])
    expect(memory('1Ti')).toEqual([['1099511627776', line], 2 ** 40])
  })

  it('takes readOnlyRootFilesystem as read-only', () => {
    const s = read(changed(base, 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'))
    expect(input(s, 'read-only')).toEqual(['false', lineOf(base, 'readOnlyRootFilesystem')])
    expect(parsedInputs(s)['read-only']).toBe(false)
  })

  it('sets run-profile restricted only for the restricted profile, else says what it lacks', () => {
    const s = read(changed(base, 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'))
    expect(input(s, 'run-profile')).toBeUndefined()
    expect(extra(s, 'allowPrivilegeEscalation')).toEqual(['true', lineOf(base, 'allowPrivilegeEscalation')])
    expect(note(s, 'securityContext')).toEqual([
      "securityContext is not Kubernetes' restricted profile (it lacks allowPrivilegeEscalation: false), so run-profile is not set from it; its settings are kept as extras.",
      lineOf(base, '          securityContext:')
    ])
    const noDrop = read(changed(base, 'drop: ["ALL"]', 'drop: ["NET_RAW"]'))
    expect([input(noDrop, 'run-profile'), extra(noDrop, 'capDrop')]).toEqual([undefined, ['NET_RAW', lineOf(base, 'drop:')]])
    const added = read(changed(base, 'drop: ["ALL"]', 'drop: ["ALL"]\n              add: ["NET_BIND_SERVICE"]'))
    expect(input(added, 'run-profile')).toEqual(['restricted', lineOf(base, '          securityContext:')])
    expect(note(added, 'capabilities')).toEqual(['capabilities.add [NET_BIND_SERVICE] is not applied: run-profile restricted drops every capability.', lineOf(base, 'drop:') + 1])
  })

  it("takes runAsUser and runAsNonRoot from the pod, the container's own winning", () => {
    const pod = read(changed(base, 'runAsUser: 1001', 'runAsUser: 2000'))
    expect(extra(pod, 'runAsUser')).toEqual(['2000', lineOf(base, 'runAsUser')])
    const own = read(changed(base, 'allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: false\n            runAsUser: 3000\n            runAsNonRoot: false'))
    const at = lineOf(base, 'allowPrivilegeEscalation')
    expect([extra(own, 'runAsUser'), extra(own, 'runAsNonRoot'), input(own, 'run-profile')]).toEqual([['3000', at + 1], ['false', at + 2], undefined])
  })

  it('takes terminationGracePeriodSeconds as stop-timeout; 0 is a note', () => {
    const line = lineOf(base, 'terminationGracePeriodSeconds')
    expect(input(read(changed(base, 'terminationGracePeriodSeconds: 20', 'terminationGracePeriodSeconds: 45')), 'stop-timeout')).toEqual(['45', line])
    const zero = read(changed(base, 'terminationGracePeriodSeconds: 20', 'terminationGracePeriodSeconds: 0'))
    expect([input(zero, 'stop-timeout'), note(zero, 'terminationGrace')]).toEqual([
      undefined,
      ['terminationGracePeriodSeconds: 0 kills the container at once; stop-timeout takes 1 or more, so it is left as it is.', line]
    ])
  })

  it('takes args as command, with $(VAR) of its env expanded; command is the entrypoint, an extra with a note', () => {
    const s = read(changed(base, 'args: ["node", "dist/server.js"]', 'args: ["node", "dist/worker.js", "--port=$(PORT)", "$$(PORT)", "$(NOPE)"]'))
    expect(input(s, 'command')).toEqual(['["node","dist/worker.js","--port=8080","$(PORT)","$(NOPE)"]', lineOf(base, 'args:')])
    expect(parsedInputs(s).command).toEqual(['node', 'dist/worker.js', '--port=8080', '$(PORT)', '$(NOPE)'])
    const entry = read(changed(base, 'args: ["node", "dist/server.js"]', 'command: ["node", "dist/server.js"]'))
    expect([input(entry, 'command'), extra(entry, 'entrypoint'), note(entry, 'command')]).toEqual([
      undefined,
      ['["node","dist/server.js"]', lineOf(base, 'args:')],
      [
        `command ["node","dist/server.js"] replaces the image's ENTRYPOINT and no CMD (Kubernetes drops the image's CMD when command is set without args); image-gate has no input for the entrypoint yet, so the image's own runs.`,
        lineOf(base, 'args:')
      ]
    ])
  })

  it("takes env values, each with its line; a valueFrom or envFrom is a note, never a value", () => {
    let text = changed(base, 'value: "8080"', 'value: "9090"')
    text = changed(text, 'value: "2000"', 'value: "$(PORT)0"')
    text = changed(text, 'secretKeyRef:', 'configMapKeyRef:')
    text = changed(text, '          env:', '          envFrom:\n            - secretRef:\n                name: tynebase-keys\n          env:')
    const s = read(text)
    expect(input(s, 'env')).toEqual(['PORT=9090\nWORKER_INTERVAL_MS=90900', lineOf(base, '          env:') + 3])
    expect(s.inputs.env!.parts!.map(p => [p.value, p.line])).toEqual([
      ['PORT=9090', lineOf(base, 'name: PORT') + 3],
      ['WORKER_INTERVAL_MS=90900', lineOf(base, 'name: WORKER') + 3]
    ])
    expect(notes(s).filter(([value]) => /^env/.test(String(value)))).toEqual([
      ['env DATABASE_URL comes from configMap tynebase-db key url (configMapKeyRef), which is not available here: it is not set (give it in env if the app needs it).', lineOf(base, 'valueFrom:') + 3],
      ['envFrom secret tynebase-keys (secretRef): its variables are not available here, so none is set.', lineOf(base, '          env:') + 1]
    ])
  })

  it('takes an httpGet probe as a health-cmd on its port, named or numbered, and its timing', () => {
    let text = changed(base, 'path: /health', 'path: /ready')
    text = changed(text, 'initialDelaySeconds: 2', 'initialDelaySeconds: 7')
    text = changed(text, 'periodSeconds: 5', 'periodSeconds: 1')
    text = changed(text, 'failureThreshold: 3', 'failureThreshold: 6')
    text = changed(text, 'timeoutSeconds: 2', 'timeoutSeconds: 4')
    const s = read(text)
    expect([input(s, 'health-cmd'), input(s, 'health-start-period')]).toEqual([
      ['wget -q --spider http://127.0.0.1:8080/ready', lineOf(base, 'httpGet:')],
      ['7', lineOf(base, 'initialDelaySeconds')]
    ])
    expect([extra(s, 'healthInterval'), extra(s, 'healthRetries'), extra(s, 'healthProbeTimeout')]).toEqual([
      ['1s', lineOf(base, 'periodSeconds')],
      ['6', lineOf(base, 'failureThreshold')],
      ['4s', lineOf(base, 'timeoutSeconds')]
    ])
    const numbered = read(changed(base, 'port: http', 'port: 9000'))
    expect(input(numbered, 'health-cmd')).toEqual(['wget -q --spider http://127.0.0.1:9000/health', lineOf(base, 'httpGet:')])
    const renamed = read(changed(changed(base, 'port: http', 'port: web'), '- name: http', '- name: web'))
    expect(input(renamed, 'health-cmd')?.[0]).toBe('wget -q --spider http://127.0.0.1:8080/health')
    const byNode = read(base, { probeTool: 'node' })
    expect(input(byNode, 'health-cmd')?.[0]).toBe(`node -e "require('http').get('http://127.0.0.1:8080/health',r=>process.exit(r.statusCode<400?0:1)).on('error',()=>process.exit(1))"`)
  })

  it('takes tcpSocket, exec, startupProbe and grpc probes', () => {
    const at = lineOf(base, 'readinessProbe:')
    const tcp = `
          readinessProbe:
            tcpSocket:
              port: 8080
`
    expect(input(read(probe(tcp), { probeTool: 'node' }), 'health-cmd')).toEqual([
      `node -e "require('net').connect(8080,'127.0.0.1',()=>process.exit(0)).on('error',()=>process.exit(1))"`,
      at + 1
    ])
    const byWget = read(probe(tcp))
    expect([input(byWget, 'health-cmd'), note(byWget, 'readinessProbe'), byWget.probe?.kind]).toEqual([
      undefined,
      ['readinessProbe.tcpSocket on port 8080: wget cannot open a bare TCP connection, so no health-cmd is written; the probe is kept (probe) for a program that can (python3, node, php, ruby, bash).', at + 1],
      'tcp'
    ])
    const exec = read(probe(`
          readinessProbe:
            exec:
              command: ["sh", "-c", "test -f /tmp/ready && echo ok"]
`))
    expect(input(exec, 'health-cmd')).toEqual([`sh -c "test -f /tmp/ready && echo ok"`, at + 1])
    const startup = read(probe(`
          startupProbe:
            httpGet:
              path: /health
              port: 8080
            initialDelaySeconds: 5
            periodSeconds: 2
            failureThreshold: 30
`))
    expect([input(startup, 'health-cmd'), input(startup, 'health-start-period')]).toEqual([
      ['wget -q --spider http://127.0.0.1:8080/health', at + 1],
      ['65', at]
    ])
    const grpc = read(probe(`
          readinessProbe:
            grpc:
              port: 9090
`))
    expect([input(grpc, 'health-cmd'), note(grpc, 'readinessProbe')]).toEqual([
      undefined,
      ["readinessProbe.grpc on port 9090: Docker's health check cannot ask gRPC's health service without a client in the image (grpc_health_probe), so no health-cmd is written; give one in health-cmd.", at + 1]
    ])
  })

  it("names what an httpGet probe asks that the probe does not: HTTPS, a host, headers", () => {
    const https = read(changed(base, 'port: http', 'port: http\n              scheme: HTTPS'))
    expect([input(https, 'health-cmd'), note(https, 'readinessProbe')]).toEqual([
      undefined,
      ['readinessProbe.httpGet asks HTTPS on port 8080 (Kubernetes skips the certificate check), which image-gate\'s probes do not: no health-cmd is written; give one in health-cmd.', lineOf(base, 'port: http') + 1]
    ])
    const more = read(changed(base, 'port: http', 'port: http\n              host: api.internal\n              httpHeaders:\n                - name: X-Probe\n                  value: "1"'))
    const at = lineOf(base, 'port: http')
    expect([input(more, 'health-cmd')?.[0], note(more, 'readinessProbe.httpGet.host'), note(more, 'readinessProbe.httpGet.httpHeaders')]).toEqual([
      'wget -q --spider http://127.0.0.1:8080/health',
      ['readinessProbe.httpGet.host "api.internal" is not asked: the probe asks 127.0.0.1 inside the container.', at + 1],
      ['readinessProbe.httpGet.httpHeaders are not sent by the probe.', at + 2]
    ])
  })

  it('picks the container by kubernetes-container, else the only one; a Pod and a CronJob too', () => {
    const two = changed(base, '      containers:', '      containers:\n        - name: log-shipper\n          image: busybox\n          args: ["tail", "-f", "/dev/null"]')
    expect(input(read(two, { container: 'log-shipper' }), 'command')).toEqual(['["tail","-f","/dev/null"]', lineOf(base, '      containers:') + 3])
    expect(input(read(two, { container: 'api' }), 'run-memory')).toEqual(['256Mi', lineOf(base, 'memory: 256Mi') + 3])
    const pod = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: once\nspec:\n  containers:\n    - name: app\n      resources:\n        limits:\n          memory: 64Mi\n`
    expect(read(pod).inputs['run-memory']).toEqual({ value: '64Mi', file, line: 10, key: 'spec.containers[app].resources.limits.memory' })
    const cron = `kind: CronJob\nmetadata:\n  name: nightly\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: job\n              args: ["node", "dist/worker.js"]\n`
    expect(read(cron).inputs.command).toEqual({ value: '["node","dist/worker.js"]', file, line: 11, key: 'spec.jobTemplate.spec.template.spec.containers[job].args' })
  })
})

describe('a mistake in a Kubernetes manifest', () => {
  it('is one line naming the file, the line and the key', () => {
    const memory = lineOf(base, 'memory: 256Mi')
    expect(fails(changed(base, 'memory: 256Mi', 'memory: 256MB'))).toBe(`k8s/deployment.yaml:${memory}: resources.limits.memory "256MB" is not a Kubernetes quantity (256Mi, 1Gi)`)
    expect(fails(changed(base, 'memory: 256Mi', 'memory: 256m'))).toBe(
      `k8s/deployment.yaml:${memory}: resources.limits.memory "256m" is 256 thousandths of a byte (m is a fraction in Kubernetes): write 256Mi for mebibytes`
    )
    expect(fails(changed(base, 'memory: 256Mi', 'memory: 4Mi'))).toBe(
      `k8s/deployment.yaml:${memory}: resources.limits.memory gives run-memory "4Mi", which image-gate refuses: Input "run-memory" must be at least 6m, the least docker run --memory allows; got "4Mi".`
    )
    const containers = lineOf(base, '      containers:')
    expect(fails(base, { container: 'apii' })).toBe(`k8s/deployment.yaml:${containers}: kubernetes-container "apii" is not a container of Deployment/tynebase-api; its containers are api`)
    const two = changed(base, '      containers:', '      containers:\n        - name: log-shipper\n          image: busybox')
    expect(fails(two)).toBe(`k8s/deployment.yaml:${containers}: Deployment/tynebase-api has 2 containers (log-shipper, api): set kubernetes-container to the one to gate`)
    expect(fails(changed(base, 'httpGet:', 'httpget:'))).toBe(
      `k8s/deployment.yaml:${lineOf(base, 'readinessProbe:')}: readinessProbe has no kind Kubernetes knows (it has httpget): a probe has one of httpGet, tcpSocket, exec, grpc`
    )
    expect(fails(changed(base, 'port: http', 'port: htp'))).toBe(
      `k8s/deployment.yaml:${lineOf(base, 'port: http')}: readinessProbe.httpGet.port "htp" is not the name of one of the container's ports (http)`
    )
    expect(fails(changed(base, 'value: "8080"', 'value: 8080'))).toBe(`k8s/deployment.yaml:${lineOf(base, 'value: "8080"')}: env[PORT].value must be a string (quote it: "8080")`)
    expect(fails(changed(base, 'terminationGracePeriodSeconds: 20', 'terminationGracePeriodSeconds: 20s'))).toBe(
      `k8s/deployment.yaml:${lineOf(base, 'terminationGracePeriodSeconds')}: terminationGracePeriodSeconds must be a whole number; got "20s"`
    )
    expect(fails(changed(base, 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: "yes"'))).toBe(
      `k8s/deployment.yaml:${lineOf(base, 'readOnlyRootFilesystem')}: securityContext.readOnlyRootFilesystem must be true or false; got "yes"`
    )
  })

  it('names the workloads when the file holds several', () => {
    const worker = base.replace(/^[\s\S]*?---\n/, '---\n').replace(/tynebase-api/g, 'tynebase-worker').replace('- name: api', '- name: worker')
    const both = `${base}${worker}`
    const containers = lineOf(base, '      containers:')
    expect(fails(both)).toBe(
      `k8s/deployment.yaml:${containers}: holds 2 workloads (Deployment/tynebase-api: api; Deployment/tynebase-worker: worker): set kubernetes-container to the container to gate`
    )
    expect(fails(both, { container: 'web' })).toBe(
      `k8s/deployment.yaml:${containers}: kubernetes-container "web" is not a container of any workload (Deployment/tynebase-api: api; Deployment/tynebase-worker: worker)`
    )
    expect(read(both, { container: 'worker' }).inputs['run-memory']).toEqual({
      value: '256Mi',
      file,
      line: base.split('\n').length + lineOf(worker, 'memory: 256Mi') - 1,
      key: 'spec.template.spec.containers[worker].resources.limits.memory'
    })
  })

  it('names YAML syntax and a file with no workload', () => {
    expect(fails('kind: Deployment\nspec:\n  template: [a\n')).toBe(
      'k8s/deployment.yaml:4: is not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'
    )
    expect(fails('kind: Pod\nspec:\n  containers:\n  - name: a\n   bad: 1\n')).toBe('k8s/deployment.yaml:5: is not valid YAML: Sequence item without - indicator')
    expect(fails('kind: Service\nmetadata:\n  name: x\n---\nkind: ConfigMap\n')).toBe(
      'k8s/deployment.yaml: holds no Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob or Pod (its kinds: Service, ConfigMap)'
    )
  })
})
