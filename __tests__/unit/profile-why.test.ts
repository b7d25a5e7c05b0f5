import { describe, expect, it } from '@jest/globals'
import { RunContext } from '../../src/context.js'
import type { Docker, DockerResult } from '../../src/docker/docker.js'
import { Secrets } from '../../src/secrets.js'
import type { PlatformRun } from '../../src/report/report.js'
import { pinned, profileCauses, profileErrors, type RunAs } from '../../src/rules/profile-errors.js'
import { silent } from '../../src/sink.js'
import { readCause } from '../../src/stages/profile-rerun.js'
import { profileOf } from '../../src/stages/profile.js'
import { runAndWait } from '../../src/stages/run.js'
import * as v from 'valibot'
import { ReportSchema } from '../../src/report/schema.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'
import { judged } from './judged.js'

// Why a container failed under run-profile or read-only (issue 23): the errors each setting causes,
// as real programs print them; the setting and fix the health row names; and the run without them.

describe('the errors a profile setting causes, in the forms programs print them', () => {
  it.each([
    // busybox and coreutils
    ['touch: /app/data/x: Read-only file system', { errno: 'read-only', path: '/app/data/x' }],
    ["mkdir: can't create directory '/app/data': Read-only file system", { errno: 'read-only', path: '/app/data' }],
    ["mkdir: cannot create directory '/app/data': Read-only file system", { errno: 'read-only', path: '/app/data' }],
    ['sh: can\'t create /app/data/started: Read-only file system', { errno: 'read-only', path: '/app/data/started' }],
    ['chown: /app/data: Operation not permitted', { errno: 'not-permitted', path: '/app/data', operation: 'chown' }],
    ["chown: changing ownership of '/app/data': Operation not permitted", { errno: 'not-permitted', path: '/app/data', operation: 'chown' }],
    // Node
    ["Error: EROFS: read-only file system, open '/app/logs/app.log'", { errno: 'read-only', path: '/app/logs/app.log' }],
    ["Error: EACCES: permission denied, mkdir '/app/data'", { errno: 'permission-denied', path: '/app/data', operation: undefined }],
    ["Error: EPERM: operation not permitted, chown '/app/data'", { errno: 'not-permitted', path: '/app/data', operation: 'chown' }],
    ['Error: listen EACCES: permission denied 0.0.0.0:80', { errno: 'permission-denied', operation: 'listen', port: 80 }],
    // Python
    ["OSError: [Errno 30] Read-only file system: '/app/data'", { errno: 'read-only', path: '/app/data' }],
    ["PermissionError: [Errno 13] Permission denied: '/app/data'", { errno: 'permission-denied', path: '/app/data' }],
    ["ERROR:    [Errno 13] error while attempting to bind on address ('0.0.0.0', 80): permission denied", { errno: 'permission-denied', operation: 'bind', port: 80 }],
    // Go
    ['open /app/data/x: read-only file system', { errno: 'read-only', path: '/app/data/x' }],
    ['mkdir /app/data: permission denied', { errno: 'permission-denied', path: '/app/data' }],
    ['chown /app/data: operation not permitted', { errno: 'not-permitted', path: '/app/data', operation: 'chown' }],
    ['2026/12/03 10:20:30 listen tcp :80: bind: permission denied', { errno: 'permission-denied', operation: 'listen', port: 80 }],
    // nginx
    ['nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (30: Read-only file system)', { errno: 'read-only', path: '/var/cache/nginx/client_temp' }],
    ['nginx: [emerg] chown("/var/cache/nginx/client_temp", 101) failed (1: Operation not permitted)', { errno: 'not-permitted', operation: 'chown' }],
    ['2026/12/03 10:20:30 [emerg] 1#1: bind() to 0.0.0.0:80 failed (13: Permission denied)', { errno: 'permission-denied', operation: 'bind', port: 80 }],
    ['httpd: bind: Permission denied', { errno: 'permission-denied', operation: 'bind', port: undefined }],
    // switching user
    ['su: cannot set groups: Operation not permitted', { errno: 'not-permitted', operation: 'su' }],
    ["su: can't set groups: Operation not permitted", { errno: 'not-permitted', operation: 'su' }],
    ['setgroups: operation not permitted', { errno: 'not-permitted', operation: 'setgroups' }],
    ['su-exec: setgroups: Operation not permitted', { errno: 'not-permitted', operation: 'su-exec' }],
    ['error: failed switching to "app": operation not permitted', { errno: 'not-permitted', operation: 'switch user' }],
    ['setpriv: setresuid failed: Operation not permitted', { errno: 'not-permitted', operation: 'setpriv' }],
    ['sudo: The "no new privileges" flag is set, which prevents sudo from running as root.', { errno: 'no-new-privileges', operation: 'sudo' }]
  ])('%s', (line, expected) => {
    const [found] = profileErrors([line])
    expect(found).toMatchObject({ ...Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined)), line })
    for (const [key, value] of Object.entries(expected)) if (value === undefined) expect(found[key as keyof typeof found]).toBeUndefined()
  })

  it("reads the call from Python's traceback when the exception names only the path", () => {
    const traceback = ['Traceback (most recent call last):', '  File "/app/start.py", line 3, in <module>', "    os.chown('/app/data', 1000, 1000)", "PermissionError: [Errno 1] Operation not permitted: '/app/data'"]
    expect(profileErrors(traceback)).toEqual([{ errno: 'not-permitted', operation: 'chown', path: '/app/data', line: traceback[3] }])
  })

  it('leaves out lines without those errors, and /proc and /sys, which are read-only under any profile', () => {
    expect(profileErrors(['listening on :8080', 'error: connection refused', "sysctl: error setting key 'net.core.somaxconn': Read-only file system"])).toEqual([])
    expect(profileErrors(['echo: write error: /proc/sys/vm/overcommit_memory: Read-only file system'])).toEqual([])
  })
})

describe('which setting a profile error points at', () => {
  const on = (over: Partial<RunAs>): RunAs => ({ profile: 'docker', readOnly: false, imageRoot: false, ...over })

  it('EROFS is read-only\'s, and only when read-only was on; it proves it', () => {
    const log = ["mkdir: can't create directory '/app/data': Read-only file system"]
    expect(profileCauses(log, on({ readOnly: true }))).toMatchObject([{ setting: 'read-only', path: '/app/data', sure: true }])
    expect(profileCauses(log, on({ profile: 'restricted' }))).toEqual([])
  })

  it('a chown refused to a root image is the dropped CAP_CHOWN, and proves restricted; to a non-root image it only points at it', () => {
    const log = ['chown: /app/data: Operation not permitted']
    expect(profileCauses(log, on({ profile: 'restricted', imageRoot: true }))).toMatchObject([{ setting: 'restricted', capability: 'CAP_CHOWN', sure: true }])
    expect(profileCauses(log, on({ profile: 'restricted', imageRoot: false }))).toMatchObject([{ setting: 'restricted', capability: 'CAP_CHOWN', sure: false }])
    expect(profileCauses(log, on({ readOnly: true, imageRoot: true }))).toEqual([])
  })

  it('switching user needs CAP_SETUID and CAP_SETGID; setgroups CAP_SETGID', () => {
    expect(profileCauses(['su-exec: setgroups: Operation not permitted'], on({ profile: 'openshift', imageRoot: true }))[0]).toMatchObject({ setting: 'openshift', capability: 'CAP_SETUID and CAP_SETGID' })
    expect(profileCauses(['setgroups: operation not permitted'], on({ profile: 'restricted', imageRoot: true }))[0]).toMatchObject({ capability: 'CAP_SETGID' })
  })

  it('EACCES points at openshift (any image) or restricted (a root image), never proving it; a port above 1023 is no capability of theirs', () => {
    const log = ["PermissionError: [Errno 13] Permission denied: '/app/data'"]
    expect(profileCauses(log, on({ profile: 'openshift' }))).toMatchObject([{ setting: 'openshift', sure: false }])
    expect(profileCauses(log, on({ profile: 'restricted', imageRoot: true }))).toMatchObject([{ setting: 'restricted', capability: 'CAP_DAC_OVERRIDE', sure: false }])
    expect(profileCauses(log, on({ profile: 'restricted', imageRoot: false }))).toEqual([])
    expect(profileCauses(['listen tcp :8080: bind: permission denied'], on({ profile: 'restricted' }))).toEqual([])
    expect(profileCauses(['listen tcp :80: bind: permission denied'], on({ profile: 'restricted' }))).toMatchObject([{ capability: 'CAP_NET_BIND_SERVICE', port: 80, sure: false }])
  })

  it('pins a setting only when every line that proves one proves the same', () => {
    const both = on({ profile: 'restricted', readOnly: true, imageRoot: true })
    expect(pinned(profileCauses(['touch: /app/x: Read-only file system', "mkdir: can't create directory '/app/y': Read-only file system"], both))).toBe('read-only')
    expect(pinned(profileCauses(['touch: /app/x: Read-only file system', 'chown: /app: Operation not permitted'], both))).toBeUndefined()
    expect(pinned(profileCauses(['mkdir /app/data: permission denied'], both))).toBeUndefined()
  })

  it('takes a line said twice once', () => {
    expect(profileCauses(['chown: /app/data: Operation not permitted', 'chown: /app/data: Operation not permitted'], on({ profile: 'restricted', imageRoot: true }))).toHaveLength(1)
  })
})

describe('whether to run it again without the settings', () => {
  const exited = (logTail: string[], more: Partial<PlatformRun['health']> = {}): PlatformRun['health'] => ({ verdict: 'exited', exitCode: 1, ranSeconds: 0.1, logTail, ...more })
  const ro: RunAs = { profile: 'docker', readOnly: true, imageRoot: false }

  it('not when the log proves the setting, nor for a healthy run, an OOM kill, or a run under Docker defaults', () => {
    expect(readCause(exited(['touch: /app/x: Read-only file system']), ro)).toMatchObject({ rerun: false, cause: { causes: [{ setting: 'read-only' }] } })
    expect(readCause({ verdict: 'healthy' }, ro)).toBeUndefined()
    expect(readCause(exited(['Killed'], { oomKilled: true }), ro)).toBeUndefined()
    expect(readCause(exited(['touch: /app/x: Read-only file system']), { ...ro, readOnly: false })).toBeUndefined()
  })

  it('when the log says nothing a setting explains, or only points at one', () => {
    expect(readCause(exited(['fatal: no config']), ro)).toEqual({ rerun: true, cause: { causes: [] } })
    expect(readCause({ verdict: 'unhealthy', logTail: ['mkdir /app/data: permission denied'] }, { ...ro, profile: 'openshift' })).toMatchObject({ rerun: true, cause: { causes: [{ setting: 'openshift', sure: false }] } })
  })
})

describe('the health row under a profile', () => {
  const under = (run: Partial<Parameters<typeof profileOf>[0]>, health: Partial<PlatformRun['health']>, imageUser = 'app') => {
    const given = inputs({ runProfile: 'docker', readOnly: false, ...run })
    const report = measuredRun()
    report.image.user = imageUser
    report.user = { resolvedUid: imageUser === 'root' ? 0 : 10001 }
    report.settings = profileOf(given)
    report.health = { ...report.health, verdict: 'exited', exitCode: 1, ranSeconds: 0.1, startupSeconds: undefined, ...health }
    return judged(report, given).checks.find(c => c.name === 'health')!
  }
  const cause = (logTail: string[], run: RunAs) => ({ logTail, profileCause: readCause({ verdict: 'exited', logTail }, run)!.cause })

  it('names the path and read-only, with the fix, from the log alone', () => {
    const log = ["mkdir: can't create directory '/app/data': Read-only file system"]
    const row = under({ readOnly: true }, cause(log, { profile: 'docker', readOnly: true, imageRoot: false }))
    expect(row.detail).toBe(
      "The container stopped 0.1 s after start before it was healthy. `/app/data`: the root filesystem is read-only (read-only: true) — write under /tmp or declare a volume for it (an emptyDir on Kubernetes). It logged: `mkdir: can't create directory '/app/data': Read-only file system`. Its last log lines are below."
    )
  })

  it('names the dropped capability of a root entrypoint that chowns, and the fix', () => {
    const log = ['chown: /app/data: Operation not permitted']
    const row = under({ runProfile: 'restricted' }, cause(log, { profile: 'restricted', readOnly: false, imageRoot: true }), 'root')
    expect(row.detail).toBe(
      'The container stopped 0.1 s after start before it was healthy. `chown /app/data`: operation not permitted — capabilities are dropped under run-profile: restricted (it needs `CAP_CHOWN`). Do the chown at build time (`COPY --chown`, `RUN chown`) and start as the non-root USER, with no root entrypoint that drops privileges. It logged: `chown: /app/data: Operation not permitted`. Its last log lines are below.'
    )
  })

  it('a user switch under openshift: the UID and both capabilities', () => {
    const log = ['su-exec: setgroups: Operation not permitted']
    const row = under({ runProfile: 'openshift' }, cause(log, { profile: 'openshift', readOnly: false, imageRoot: true }), 'root')
    expect(row.detail).toContain(
      '`su-exec`: operation not permitted — under run-profile: openshift it runs as UID 1000680000, not root, without capabilities (switching user needs `CAP_SETUID` and `CAP_SETGID`). Set USER in the Dockerfile to the user the entrypoint switches to, and do at build time what it did as root (`COPY --chown`, `RUN chown`): no root entrypoint that drops privileges.'
    )
  })

  it('an EACCES under openshift is said once the run without it was healthy, with the group-0 fix', () => {
    const log = ["Error: EACCES: permission denied, mkdir '/app/data'"]
    const health = cause(log, { profile: 'openshift', readOnly: false, imageRoot: false })
    const proven = under({ runProfile: 'openshift' }, { ...health, profileCause: { ...health.profileCause, rerun: { verdict: 'healthy', seconds: 1.2 } } })
    expect(proven.detail).toBe(
      "The container stopped 0.1 s after start before it was healthy. `/app/data`: permission denied — under run-profile: openshift the app runs as an arbitrary UID (1000680000) in group 0, which cannot write what the image's user owns. At build time: `chgrp -R 0 /app/data && chmod -R g=u /app/data`. It logged: `Error: EACCES: permission denied, mkdir '/app/data'`. Run again without run-profile: openshift, it was healthy after 1.2 s: run-profile: openshift broke it. Its last log lines are below."
    )
    const not = under({ runProfile: 'openshift' }, { ...health, profileCause: { ...health.profileCause, rerun: { verdict: 'exited', exitCode: 1, seconds: 0.1 } } })
    expect(not.detail).toBe(
      'The container stopped 0.1 s after start before it was healthy. Run again without run-profile: openshift, it failed too (exited (code 1)): run-profile: openshift is not the cause. Its last log lines are below.'
    )
  })

  it('a silent failure: the run without the settings says which broke it, and that the log does not say where', () => {
    const row = under({ runProfile: 'restricted', readOnly: true }, { verdict: 'unhealthy', rule: 'docker', logTail: ['exit'], profileCause: { causes: [], rerun: { verdict: 'healthy', seconds: 0.4 } } })
    expect(row.detail).toContain(
      ' Run again without run-profile: restricted and read-only: true, it was healthy after 0.4 s: run-profile: restricted and read-only: true broke it, though its log does not say where. The container log is below.'
    )
  })

  it('a saved report keeps it, so a comment posted from it says the same', () => {
    const log = ["Error: EACCES: permission denied, mkdir '/app/data'"]
    const health = cause(log, { profile: 'openshift', readOnly: false, imageRoot: false })
    const row = under({ runProfile: 'openshift' }, { ...health, profileCause: { ...health.profileCause, rerun: { verdict: 'healthy', seconds: 1.2 } } })
    const report = measuredRun()
    report.health = { ...report.health, verdict: 'exited', ...health, profileCause: { ...health.profileCause, rerun: { verdict: 'healthy', seconds: 1.2 } } }
    const read = v.parse(ReportSchema, JSON.parse(JSON.stringify(reportOf(report)))).runs[0]
    expect(read.health.profileCause).toEqual(report.health.profileCause)
    expect(row.detail).toContain('run-profile: openshift broke it')
  })

  it('a failed smoke command names the setting its log proves', () => {
    const given = inputs({ readOnly: true, smokeCommands: [['worker']] })
    const report = measuredRun()
    report.settings = profileOf(given)
    report.smoke = [{ command: 'worker', outcome: 'exited', exitCode: 1, seconds: 0.2, logTail: ["OSError: [Errno 30] Read-only file system: '/app/cache'"] }]
    const row = judged(report, given).checks.find(c => c.name === 'smoke')!
    expect(row.detail).toBe(
      "command: worker. `/app/cache`: the root filesystem is read-only (read-only: true) — write under /tmp or declare a volume for it (an emptyDir on Kubernetes). It logged: `OSError: [Errno 30] Read-only file system: '/app/cache'`. Its last log lines are below."
    )
  })
})

describe('the run without the settings', () => {
  const stamp = '2026-12-03T10:00:00.000000000Z'
  const exitedState = { Status: 'exited', Running: false, ExitCode: 1, OOMKilled: false, Pid: 0, StartedAt: '2026-12-03T10:00:00Z', FinishedAt: '2026-12-03T10:00:00.3Z' }
  const healthyState = {
    Status: 'running',
    Running: true,
    ExitCode: 0,
    OOMKilled: false,
    Pid: 42,
    StartedAt: '2026-12-03T10:01:00Z',
    FinishedAt: '0001-01-01T00:00:00Z',
    Health: { Status: 'healthy', Log: [{ Start: '2026-12-03T10:01:00.5Z', End: '2026-12-03T10:01:00.6Z', ExitCode: 0, Output: '' }] }
  }

  /** A scripted engine: the first container exits with `log`, any later one is healthy. */
  function engine(log: string) {
    const calls: string[][] = []
    const names: string[] = []
    const answer = (args: string[]): Partial<DockerResult> => {
      if (args[0] === 'run') names.push(args[args.indexOf('--name') + 1])
      const name = args.at(-1)!
      const first = name === names[0]
      if (args[0] === 'inspect' && args.includes('{{json .State}}')) return { stdout: JSON.stringify(first ? exitedState : healthyState) }
      if (args[0] === 'logs') return { stdout: first ? `${stamp} ${log}\n` : '' }
      // the image's account files: none here
      if (args[0] === 'cp') return { exitCode: 1, stderr: 'Error response from daemon: Could not find the file /etc/passwd in container' }
      return {}
    }
    const call = async (args: string[]) => {
      calls.push(args)
      return { exitCode: 0, stdout: '', stderr: '', ...answer(args) }
    }
    const docker = { call, ok: async (args: string[]) => (await call(args)).stdout, stream: () => ({ stop: () => undefined }), callLimitMs: 1000, secrets: new Secrets() } as unknown as Docker
    return { docker, calls, names }
  }

  it('runs once more without read-only and run-profile, keeps run-memory, and removes both containers', async () => {
    const { docker, calls, names } = engine('fatal: cannot start')
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const report = measuredRun()
    const given = inputs({ runProfile: 'restricted', readOnly: true, runMemory: { text: '256m', bytes: 268435456 } })
    const ran = await runAndWait(ctx, given, report.image.id!, report.image, { api: '1.41' })
    const runs = calls.filter(c => c[0] === 'run')
    expect(runs).toHaveLength(2)
    expect(runs[0]).toEqual(expect.arrayContaining(['--read-only', '--cap-drop', '--memory']))
    expect(runs[1]).not.toContain('--read-only')
    expect(runs[1]).not.toContain('--cap-drop')
    expect(runs[1]).toContain('--memory')
    for (const name of names) expect(calls).toContainEqual(['rm', '--force', '--volumes', name])
    expect(ran.health).toMatchObject({ verdict: 'exited', profileCause: { causes: [], rerun: { verdict: 'healthy', seconds: 0.6 } } })
  })

  it('does not run again when the log proves the setting', async () => {
    const { docker, calls } = engine("mkdir: can't create directory '/app/data': Read-only file system")
    const ctx = new RunContext(silent)
    ctx.docker = docker
    const report = measuredRun()
    const ran = await runAndWait(ctx, inputs({ readOnly: true }), report.image.id!, report.image, { api: '1.41' })
    expect(calls.filter(c => c[0] === 'run')).toHaveLength(1)
    expect(ran.health.profileCause).toMatchObject({ causes: [{ setting: 'read-only', path: '/app/data', sure: true }] })
    expect(ran.health.profileCause?.rerun).toBeUndefined()
  })
})
