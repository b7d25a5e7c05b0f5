import { describe, expect, it, jest } from '@jest/globals'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { judge } from '../../src/checks/index.js'
import { RunContext } from '../../src/context.js'
import type { CallOptions } from '../../src/docker/docker.js'
import { annotateBuildWarnings } from '../../src/publish/annotations.js'
import { githubSink } from '../../src/publish/github-sink.js'
import type { BuildWarning, PlatformRun } from '../../src/report/report.js'
import { loadReport } from '../../src/report/load.js'
import { renderMarkdown } from '../../src/render/markdown.js'
import { silent, type Place } from '../../src/sink.js'
import { buildImage } from '../../src/stages/build.js'
import { buildWarnings } from '../../src/build-output/build-warnings.js'
import { inputs, measuredRun, reportOf } from './fixtures.js'

// BuildKit's build checks: read from the metadata file buildx 0.29 wrote (BUILDX_METADATA_WARNINGS=true)
// for a Dockerfile with a lower-case `from`, a secret-named ARG and ENV and a shell-form CMD; shown
// in the build row, as annotations on their lines, and next to the stop and contents checks they explain.

const METADATA = JSON.parse(readFileSync(new URL('./buildx-metadata.json', import.meta.url), 'utf8')) as Record<string, unknown>
const JSON_ARGS: BuildWarning = {
  rule: 'JSONArgsRecommended',
  message: 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals',
  url: 'https://docs.docker.com/go/dockerfile/rule/json-args-recommended/',
  file: 'Dockerfile',
  line: 5
}

describe('buildWarnings', () => {
  it("reads buildx's metadata: the rule, its message without the line, the rule's page, the file and line", () => {
    expect(buildWarnings(METADATA)).toEqual([
      {
        rule: 'ConsistentInstructionCasing',
        message: "Command 'from' should match the case of the command majority (uppercase)",
        url: 'https://docs.docker.com/go/dockerfile/rule/consistent-instruction-casing/',
        file: 'Dockerfile',
        line: 1
      },
      {
        rule: 'SecretsUsedInArgOrEnv',
        message: 'Do not use ARG or ENV instructions for sensitive data (ARG "API_TOKEN")',
        url: 'https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/',
        file: 'Dockerfile',
        line: 3
      },
      {
        rule: 'SecretsUsedInArgOrEnv',
        message: 'Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")',
        url: 'https://docs.docker.com/go/dockerfile/rule/secrets-used-in-arg-or-env/',
        file: 'Dockerfile',
        line: 4
      },
      JSON_ARGS
    ])
  })

  it('finds none in the metadata of a buildx before 0.15 (no such key), or of no file at all', () => {
    const older: Record<string, unknown> = { ...METADATA }
    delete older['buildx.build.warnings']
    expect(buildWarnings(older)).toEqual([])
    expect(buildWarnings({})).toEqual([])
    expect(buildWarnings(null)).toEqual([])
  })

  it('makes the texts plain, takes the rule from its page when the message does not lead with it, and skips what is not a warning', () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    const warnings = buildWarnings({
      'buildx.build.warnings': [
        { short: b64('\x1b[31mSomething odd\x1b[0m\nhere'), url: 'https://docs.docker.com/go/dockerfile/rule/some-rule/' },
        { short: 42 },
        'not a warning',
        { short: b64('FromAsCasing: mixed case (line 2)'), url: 'javascript:alert(1)', range: [{ start: { line: -1 } }] }
      ]
    })
    expect(warnings).toEqual([
      { rule: 'some-rule', message: 'Something odd here', url: 'https://docs.docker.com/go/dockerfile/rule/some-rule/' },
      { rule: 'FromAsCasing', message: 'mixed case' }
    ])
  })
})

describe('buildImage', () => {
  // buildx stands in: it writes the metadata file it is given, as buildx 0.29 did
  const building = (metadata: string, exitCode = 0) => {
    const ctx = new RunContext(silent)
    const calls: CallOptions[] = []
    ctx.docker.call = async (args: string[], options: CallOptions = {}) => {
      calls.push(options)
      writeFileSync(args[args.indexOf('--metadata-file') + 1], metadata)
      return { exitCode, stdout: '', stderr: '' }
    }
    return { ctx, calls }
  }

  it('asks buildx for the warnings (BUILDX_METADATA_WARNINGS=true) and reads them from the metadata file', async () => {
    const { ctx, calls } = building(JSON.stringify(METADATA))
    const result = await buildImage(ctx, inputs(), ['app:1'])
    expect(calls.map(c => c.env)).toEqual([{ BUILDX_METADATA_WARNINGS: 'true' }])
    expect(result.warnings.map(w => w.rule)).toEqual(['ConsistentInstructionCasing', 'SecretsUsedInArgOrEnv', 'SecretsUsedInArgOrEnv', 'JSONArgsRecommended'])
    // the image id still comes from the metadata when the iidfile is empty
    expect(result.id).toBe('sha256:f98a175bdd96c7f538492af394973bffe39e64068dd1f6050ac375103d105834')
  })

  it('finds none in a metadata file that is not JSON, and keeps them for a failed build', async () => {
    expect((await buildImage(building('not json').ctx, inputs(), ['app:1'])).warnings).toEqual([])
    const failed = await buildImage(building(JSON.stringify(METADATA), 1).ctx, inputs(), ['app:1'])
    expect(failed).toMatchObject({ ok: false })
    expect(failed.warnings).toHaveLength(4)
  })
})

const built = (warnings: BuildWarning[]): PlatformRun => {
  const report = measuredRun()
  report.build = { ok: true, seconds: 3.2, warnings }
  return report
}
const rowOf = (report: PlatformRun, name: string) => judge(report, inputs()).checks.find(c => c.name === name)!

describe('the build row', () => {
  it('counts and names them, and still passes: build checks are warnings', () => {
    const row = rowOf(built(buildWarnings(METADATA)), 'build')
    expect(row).toMatchObject({
      status: 'pass',
      value: 'built in 3.2 s · 4 build check warnings (ConsistentInstructionCasing line 1, SecretsUsedInArgOrEnv line 3, SecretsUsedInArgOrEnv line 4, and 1 more)'
    })
    expect(row.detail).toBe(
      "image 0aaa3c748093. BuildKit's build checks warn (they do not fail the build): ConsistentInstructionCasing: Command 'from' should match the case of the command majority (uppercase); " +
        'SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "API_TOKEN"); JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals.'
    )
    expect(rowOf(built([JSON_ARGS]), 'build').value).toBe('built in 3.2 s · 1 build check warning (JSONArgsRecommended line 5)')
  })

  it('survives a saved report read back (comment-from), capped like the rest', () => {
    const report = built(Array.from({ length: 150 }, (_, i) => ({ ...JSON_ARGS, line: i + 1 })))
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'build-warnings-')), 'report.json')
    writeFileSync(file, JSON.stringify(reportOf({ ...report, ...judge(report, inputs()) })))
    const back = loadReport(file).runs[0]
    expect(back.build.warnings).toHaveLength(100)
    expect(back.build.warnings?.[0]).toEqual({ ...JSON_ARGS, line: 1 })
  })

  it('is as before where the builder reported none (buildx 0.13)', () => {
    const report = measuredRun()
    expect(rowOf(report, 'build')).toEqual({ name: 'build', status: 'pass', value: 'built in 3.2 s', limit: '', detail: 'image 0aaa3c748093' })
  })

  it('keeps a failed build\'s value "failed" (the headline quotes it) and counts them in the detail', () => {
    const report = measuredRun()
    report.build = { ok: false, seconds: 1, error: 'failed to solve: exit code: 1', warnings: [JSON_ARGS] }
    const row = rowOf(report, 'build')
    expect(row).toMatchObject({ status: 'fail', value: 'failed' })
    expect(row.detail).toBe(
      "failed: failed to solve: exit code: 1. The end of the build log is below. 1 build check warning (JSONArgsRecommended line 5). BuildKit's build checks warn (they do not fail the build): JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals."
    )
  })
})

describe('annotations', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'build-warnings-'))
  const file = path.join(dir, 'app', 'Dockerfile')
  const recorded = (report: PlatformRun, env: NodeJS.ProcessEnv = {}, dockerfile = file) => {
    const said: string[] = []
    const sink = { ...silent, warning: (m: string, place?: Place) => void said.push(`${place?.file}:${place?.line} ${place?.title}: ${m}`) }
    annotateBuildWarnings(reportOf(report), { file: dockerfile }, sink, dir, env)
    return said
  }

  it('puts each on its Dockerfile line, with its rule and page', () => {
    const said = recorded(built(buildWarnings(METADATA)))
    expect(said).toHaveLength(4)
    expect(said[3]).toBe(
      'app/Dockerfile:5 BuildKit build check: JSONArgsRecommended: JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals. ' +
        'More info: https://docs.docker.com/go/dockerfile/rule/json-args-recommended/'
    )
    expect(said.map(s => s.split(' ')[0])).toEqual(['app/Dockerfile:1', 'app/Dockerfile:3', 'app/Dockerfile:4', 'app/Dockerfile:5'])
  })

  it('leaves them out under DOCKER_BUILD_CHECKS_ANNOTATIONS=false, as build-push-action does (the row still counts them)', () => {
    const report = built([JSON_ARGS])
    for (const off of ['false', '0', 'FALSE']) expect(recorded(report, { DOCKER_BUILD_CHECKS_ANNOTATIONS: off })).toEqual([])
    expect(recorded(report, { DOCKER_BUILD_CHECKS_ANNOTATIONS: 'true' })).toHaveLength(1)
    expect(rowOf(report, 'build').value).toContain('1 build check warning')
  })

  it('annotates no other file than the Dockerfile built, and nothing without a line', () => {
    expect(recorded(built([{ ...JSON_ARGS, file: 'other.Dockerfile' }]))).toEqual([])
    // --file app.Dockerfile: BuildKit names it by its base name
    expect(recorded(built([{ ...JSON_ARGS, file: 'app.Dockerfile' }]), {}, path.join(dir, 'app.Dockerfile'))).toEqual([expect.stringMatching(/^app\.Dockerfile:5 /)])
    expect(recorded(built([{ rule: 'X', message: 'no line' }]))).toEqual([])
  })

  it("become the runner's warning command with the file and line", () => {
    const written: string[] = []
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(chunk => {
      written.push(String(chunk))
      return true
    })
    try {
      githubSink.warning('JSONArgsRecommended: JSON arguments recommended', { title: 'BuildKit build check: JSONArgsRecommended', file: 'app/Dockerfile', line: 5 })
      githubSink.warning('no place')
    } finally {
      write.mockRestore()
    }
    expect(written.join('')).toBe(
      '::warning title=BuildKit build check%3A JSONArgsRecommended,file=app/Dockerfile,line=5::JSONArgsRecommended: JSON arguments recommended\n::warning::no place\n'
    )
  })
})

describe('the checks they explain', () => {
  const killed = (warnings: BuildWarning[], pid1 = 'sh', cmd = ['/bin/sh', '-c', 'node server.js']) => {
    const report = built(warnings)
    report.image.cmd = cmd
    report.stop = { outcome: 'killed', signal: 'SIGTERM', seconds: 10, exitCode: 137, pid1 }
    return report
  }

  it('a killed shell PID 1 names JSONArgsRecommended, its line, and the JSON form of the CMD', () => {
    const row = rowOf(killed([JSON_ARGS]), 'stop')
    expect(row.status).toBe('fail')
    expect(row.detail).toBe(
      'PID 1 (sh) did not exit within 10 s of SIGTERM and was killed (SIGKILL), as docker stop would do (Kubernetes waits 30 s), dropping whatever it was doing. ' +
        "PID 1 is a shell running the shell-form CMD, as BuildKit's JSONArgsRecommended warning (Dockerfile line 5) says, and a shell does not pass SIGTERM on. " +
        'Use the JSON form CMD ["node","server.js"] so the app is PID 1 and gets SIGTERM (and handle it there), or run it under an init that passes it on: ' +
        'install dumb-init (apk add dumb-init on Alpine, apt-get install dumb-init on Debian), then ENTRYPOINT ["dumb-init","--"] (CMD stays). ' +
        'Or, with no change to the image: docker run --init, init: true in compose (Kubernetes has neither).'
    )
    // a script that is more than words: the form, not a guess
    expect(rowOf(killed([JSON_ARGS], 'sh', ['/bin/sh', '-c', 'trap "" TERM; httpd & wait']), 'stop').detail).toContain('Use the JSON form CMD ["program", "arg", …] so the app')
  })

  it('says nothing of it without the warning (buildx 0.13), or when PID 1 is not a shell', () => {
    const before = rowOf(killed([]), 'stop').detail
    expect(before).not.toContain('JSONArgsRecommended')
    expect(before).toContain('No init runs in the container')
    expect(rowOf(killed([JSON_ARGS], 'node'), 'stop').detail).not.toContain('JSONArgsRecommended')
    const stopped = built([JSON_ARGS])
    expect(rowOf(stopped, 'stop').status).toBe('pass')
  })

  it('a secret in the layers names the SecretsUsedInArgOrEnv warnings beside it', () => {
    const report = built(buildWarnings(METADATA))
    report.contents = {
      layers: 2,
      files: 10,
      count: 1,
      allowed: 0,
      findings: [{ kind: 'secret', what: 'environment file', path: '/app/.env', size: 120, instruction: 'COPY . .' }]
    }
    const row = rowOf(report, 'contents')
    expect(row.status).toBe('fail')
    expect(row.detail).toContain(
      "BuildKit's SecretsUsedInArgOrEnv warnings (Dockerfile line 3: ARG \"API_TOKEN\"; Dockerfile line 4: ENV \"DB_PASSWORD\") point at another secret: an ARG or ENV value stays in the image's history or config. " +
        'Pass it as a build secret (docker build --secret, RUN --mount=type=secret) instead.'
    )
    // a dev dependency is no secret: nothing to join
    report.contents.findings = [{ kind: 'dev-dependency', what: 'devDependency', path: '/app/node_modules/jest', size: 10, instruction: 'RUN npm ci' }]
    expect(rowOf(report, 'contents').detail).not.toContain('SecretsUsedInArgOrEnv')
    const judged = { ...report, ...judge(report, inputs()) }
    expect(renderMarkdown(reportOf(judged))).toContain('| ✅ | build | built in 3.2 s · 4 build check warnings (')
  })
})

it("reads a fixture that is buildx's own output: its Dockerfile (in sourceInfo) has the shell-form CMD on line 5", () => {
  const warning = (METADATA['buildx.build.warnings'] as Array<{ sourceInfo: { data: string } }>)[3]
  const dockerfile = Buffer.from(warning.sourceInfo.data, 'base64').toString('utf8').split('\n')
  expect(dockerfile[4]).toMatch(/^CMD \/bin\/busybox sh -c/)
})
