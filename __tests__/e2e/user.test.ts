import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { activeCommands, checkRow, fixture, removeImages, row, runAction, SERVE, takeLeftovers, type ActionRun } from './action.js'

// The user check on real containers: the UID every process really runs as, USER resolved through
// the image's own /etc/passwd, and the annotation on the Dockerfile line to fix.

jest.setTimeout(120_000)
const TAG = 'image-gate-e2e/user'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))

const PASSWD = (line: string) => `RUN echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo '${line}' >> /etc/passwd && echo 'root:x:0:' > /etc/group`
/**
 * How the detail says PID 1 runs as `uid`, ending with its full stop: on an engine with userns-remap
 * the host UID it is too (from the run's report; userns.test.ts checks it against docker top).
 */
const runsAs = (run: ActionRun, uid: number) => {
  const remap = run.report.runs[0].user?.remap
  if (!remap) return `runs as UID ${uid}.`
  if (uid !== 0) return `runs as UID ${uid} inside the container (host UID ${remap.uid + uid} under the engine's userns-remap).`
  return `runs as UID 0 (root inside the container, mapped to host UID ${remap.uid} by the engine's userns-remap). The remap limits it on the engine's host only: inside, it is still root to the app and can write everything the container owns.`
}
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const verdictOf = async (lines: string[], tag: string) => {
  const context = fixture([...lines, ...SERVE])
  const run = await runAction({ context, tags: `${TAG}:${tag}` })
  const user = checkRow(run, 'user')
  return { run, user, context }
}

describe('user check', () => {
  it.each([
    ['USER 0:0', ['USER 0:0'], 'fail', '0'],
    ['USER root', [PASSWD('app:x:10001:10001::/:/bin/sh'), 'USER root'], 'fail', '0'],
    ['no USER', [], 'fail', '0'],
    ['USER app where app is UID 0', [PASSWD('app:x:0:0::/:/bin/sh'), 'USER app'], 'fail', '0'],
    ['USER app where app is UID 10001', [PASSWD('app:x:10001:10001::/:/bin/sh'), 'USER app'], 'pass', '10001'],
    ['numeric USER with no passwd entry', ['USER 4242'], 'pass', '4242']
  ])('%s → %s', async (_name, lines, status, uid) => {
    const { run, user } = await verdictOf(lines as string[], `u${uid}-${status}-${(lines as string[]).length}`)
    expect(run.outputs.health).toBe('healthy')
    expect(user.status).toBe(status)
    expect(run.outputs.uid).toBe(uid)
  })

  it('says when USER names an account that is UID 0 in the image', async () => {
    const { run, user } = await verdictOf([PASSWD('app:x:0:0::/:/bin/sh'), 'USER app'], 'alias')
    expect(user.detail).toContain(`USER app (UID 0 in the image); PID 1 (sh) ${runsAs(run, 0)}`)
    expect(user.detail).toContain("USER app is UID 0 in the image's /etc/passwd: give that account its own UID")
  })

  it('fails USER set only in a build stage, and annotates the final FROM line', async () => {
    const context = fixture([])
    // replace the fixture's Dockerfile with a two-stage one whose USER is in the first stage only
    const dockerfile = [
      'FROM scratch AS build',
      'COPY busybox /bin/busybox',
      'RUN ["/bin/busybox", "--install", "-s", "/bin"]',
      'USER 10001',
      '',
      'FROM scratch',
      'COPY --from=build /bin /bin',
      'COPY www /www',
      ...SERVE
    ].join('\n')
    const file = path.join(context, 'Dockerfile')
    writeFileSync(file, `${dockerfile}\n`)
    const run = await runAction({ context, tags: `${TAG}:build-stage-user` })
    expect(run.outputs).toMatchObject({ passed: 'false', uid: '0' })
    const annotations = activeCommands(run.stdout).filter(l => /^::error .*file=/.test(l)).map(annotationOf)
    expect(annotations).toEqual([
      {
        title: 'image-gate: no USER in the final stage, so it runs as root',
        file,
        line: 6,
        message: expect.stringMatching(new RegExp(`^${escapeRegExp(`no USER: root by default; PID 1 (sh) ${runsAs(run, 0)}`)}`))
      }
    ])
  })

  it('annotates the USER line that makes it root', async () => {
    const { run, context } = await verdictOf([PASSWD('app:x:10001:10001::/:/bin/sh'), 'USER app', 'RUN true', 'USER root'], 'root-line')
    const lines = readFileSync(path.join(context, 'Dockerfile'), 'utf8').split('\n')
    const annotation = annotationOf(activeCommands(run.stdout).find(l => /^::error .*file=/.test(l))!)
    expect(lines[annotation.line - 1]).toBe('USER root')
    expect(annotation.title).toBe('image-gate: this USER runs as root')
  })

  it('fails a non-root PID 1 when another process in the container runs as UID 0', async () => {
    const context = fixture([
      PASSWD('app:x:10001:10001::/:/bin/sh'),
      SERVE[0],
      'CMD ["sh", "-c", "sleep 600 & exec su -s /bin/sh app -c \\"exec httpd -f -p 8080 -h /www\\""]'
    ])
    // su execs into httpd, which as PID 1 ignores SIGTERM: a short stop-timeout keeps the test quick
    const run = await runAction({ context, tags: `${TAG}:root-sibling`, 'stop-timeout': '1' })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '10001', passed: 'false' })
    // the summary escapes the apostrophe of "engine's" (under userns-remap)
    const seen = `no USER: root by default; PID 1 (httpd) ${runsAs(run, 10001)} Also running as UID 0: sleep. Start every process as the unprivileged user`
    expect(row(run.summary, 'user')).toMatch(new RegExp(`^${escapeRegExp(`| ❌ | user | UID 10001, GID 10001 | non-root | ${seen.replace(/'/g, '&#39;')}`)}`))
    expect(run.report.runs[0].user.processes.map(p => [p.command, p.uid]).sort()).toEqual([
      ['httpd', 10001],
      ['sleep', 0]
    ])
  })
})

describe('advice written for the image', () => {
  it('a root Debian image with an entrypoint script is told useradd, and dumb-init from apt-get in front of its script', async () => {
    // the python:3.11-slim stand-in (Debian's os-release and useradd); python as PID 1 has no SIGTERM handler
    const context = fixture([])
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM python:3.11-slim',
        'WORKDIR /app',
        'COPY docker-entrypoint.sh server.py ./',
        `HEALTHCHECK --interval=1s --start-period=30s CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/')"]`,
        'ENTRYPOINT ["sh", "docker-entrypoint.sh"]',
        'CMD ["python", "server.py"]',
        ''
      ].join('\n')
    )
    writeFileSync(path.join(context, 'docker-entrypoint.sh'), '#!/bin/sh\nset -e\nexec "$@"\n')
    writeFileSync(path.join(context, 'server.py'), "from http.server import HTTPServer, SimpleHTTPRequestHandler\nHTTPServer(('', 8080), SimpleHTTPRequestHandler).serve_forever()\n")
    const run = await runAction({ context, tags: `${TAG}:debian-script` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    expect(run.report.runs[0].user.base).toEqual({ shell: true, os: 'debian' })
    const pid1 = run.report.runs[0].user.process
    expect(pid1).toMatch(/^python/)
    const user = `no USER: root by default; PID 1 (${pid1}) ${runsAs(run, 0)} Create a non-root account in the final stage and switch to it (RUN useradd --system --uid 10001 app, then USER app).`
    expect(checkRow(run, 'user').detail).toBe(user)
    expect(run.stdout).toContain(user)
    expect(checkRow(run, 'stop').detail).toContain(
      'handle SIGTERM in the app, or run it under an init that passes it on: RUN apt-get update && apt-get install -y dumb-init, ' +
        'then ENTRYPOINT ["dumb-init","--","sh","docker-entrypoint.sh"] (its own ENTRYPOINT stays, after --). Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
  })

  it('a shell-less root image (FROM scratch, busybox copied in as the server, no /bin/sh) is told a numeric USER only, and a static tini', async () => {
    const context = fixture([])
    writeFileSync(
      path.join(context, 'Dockerfile'),
      [
        'FROM scratch',
        // busybox itself, with none of its applets installed: no /bin/sh
        'COPY busybox /bin/busybox',
        'COPY www /www',
        'HEALTHCHECK --interval=1s CMD ["/bin/busybox", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/health"]',
        'CMD ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/www"]',
        ''
      ].join('\n')
    )
    const run = await runAction({ context, tags: `${TAG}:shell-less` })
    expect(run.outputs).toMatchObject({ health: 'healthy', uid: '0', passed: 'false' })
    expect(run.report.runs[0].user.base).toEqual({ shell: false })
    const user = `no USER: root by default; PID 1 (busybox) ${runsAs(run, 0)} The image has no shell (/bin/sh), so no RUN can create an account in it: set a numeric USER 10001:10001 in the final stage (it needs no /etc/passwd entry).`
    expect(checkRow(run, 'user').detail).toBe(user)
    expect(row(run.summary, 'user')).toBe(`| ❌ | user | UID 0, GID 0 | non-root | ${user.replace(/'/g, '&#39;')} |`)
    // the log's plain-text table says the same
    expect(run.stdout).toContain(user)
    expect(run.stdout).not.toMatch(/adduser|useradd/)
    // busybox httpd as PID 1 ignores SIGTERM; nothing can be installed here, so the init is a static tini
    expect(checkRow(run, 'stop').detail).toContain(
      "handle SIGTERM in the app, or run it under an init that passes it on: nothing can be installed here, so COPY a static tini in from a build stage (Debian's tini package has /usr/bin/tini-static), " +
        'then ENTRYPOINT ["/tini","--"] (CMD stays). Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
  })
})

/** `::error title=T,file=F,line=N::MESSAGE` → its parts (the file made absolute, from the repository root). */
function annotationOf(command: string) {
  const m = /^::error (.*?)::(.*)$/.exec(command)!
  // the runner's unescaping of workflow-command properties and data
  const unescape = (v: string) => v.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
  const props = Object.fromEntries(m[1].split(',').map(kv => kv.split('=', 2).map(unescape) as [string, string]))
  return { title: props.title, file: path.resolve(props.file), line: Number(props.line), message: unescape(m[2]) }
}
