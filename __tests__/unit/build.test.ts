import { describe, expect, it } from '@jest/globals'
import { RunContext } from '../../src/context.js'
import { silent } from '../../src/sink.js'
import { buildArgs, defaultTag as tagOf, explainFailure } from '../../src/stages/build.js'
import { inputs } from "./fixtures.js"
const base = inputs()


describe('buildArgs', () => {
  it('loads the image and records its id', () => {
    expect(buildArgs(base, ['app:1'], '/t/iid', '/t/meta.json')).toEqual([
      'buildx', 'build', '--load', '--progress', 'plain', '--iidfile', '/t/iid', '--metadata-file', '/t/meta.json',
      '--file', '/src/app/Dockerfile', '--tag', 'app:1', '/src/app'
    ])
  })

  it('maps every build input to its buildx flag, one argument each', () => {
    const args = buildArgs(
      {
        ...base,
        builder: 'ci',
        target: 'runtime',
        buildArgs: ['A=1', 'B=two words'],
        labels: ['org.opencontainers.image.title=x'],
        noCache: true,
        pull: true,
        platform: 'linux/amd64',
        network: 'host',
        cacheFrom: ['type=gha'],
        cacheTo: ['type=gha,mode=max'],
        provenance: 'mode=max',
        sbom: 'true'
      },
      ['a:1', 'b:2'],
      'i',
      'm'
    )
    expect(args.slice(0, 4)).toEqual(['buildx', 'build', '--builder', 'ci'])
    const pairs = (flag: string) => args.flatMap((a, i) => (a === flag ? [args[i + 1]] : []))
    expect(pairs('--target')).toEqual(['runtime'])
    expect(pairs('--build-arg')).toEqual(['A=1', 'B=two words'])
    expect(pairs('--label')).toEqual(['org.opencontainers.image.title=x'])
    expect(pairs('--tag')).toEqual(['a:1', 'b:2'])
    expect(pairs('--platform')).toEqual(['linux/amd64'])
    expect(pairs('--network')).toEqual(['host'])
    expect(pairs('--cache-from')).toEqual(['type=gha'])
    expect(pairs('--cache-to')).toEqual(['type=gha,mode=max'])
    // as build-push-action passes them, one argument each
    expect(args).toContain('--provenance=mode=max')
    expect(args).toContain('--sbom=true')
    expect(args).toContain('--no-cache')
    expect(args).toContain('--pull')
    expect(args[args.length - 1]).toBe('/src/app')
  })
})

// Real output of a failing RUN step (dockerd 20.10's BuildKit, buildx 0.13).
const FAILED_RUN = `#4 [1/2] COPY busybox /bin/busybox
#4 CACHED

#5 [2/2] RUN ["/bin/busybox","sh","-c","echo compiling; exit 3"]
#5 0.220 compiling
#5 ERROR: executor failed running [/bin/busybox sh -c echo compiling; exit 3]: exit code: 3
------
 > [2/2] RUN ["/bin/busybox","sh","-c","echo compiling; exit 3"]:
0.220 compiling
------
ERROR: failed to solve: executor failed running [/bin/busybox sh -c echo compiling; exit 3]: exit code: 3`

// Newer BuildKit names the stage and prints the Dockerfile excerpt.
const FAILED_RUN_NEW = `#9 [build 4/6] RUN npm run build
#9 1.02 Error: Cannot find module '/app/build.js'
#9 ERROR: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1
------
 > [build 4/6] RUN npm run build:
1.02 Error: Cannot find module '/app/build.js'
------
Dockerfile:6
--------------------
   5 |     COPY . .
   6 | >>> RUN npm run build
--------------------
ERROR: failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1`

describe('explainFailure', () => {
  it('names the failed step and the error', () => {
    expect(explainFailure(FAILED_RUN)).toMatchObject({
      failedStep: '[2/2] RUN ["/bin/busybox","sh","-c","echo compiling; exit 3"]',
      error: 'failed to solve: executor failed running [/bin/busybox sh -c echo compiling; exit 3]: exit code: 3'
    })
    expect(explainFailure(FAILED_RUN_NEW)).toMatchObject({
      failedStep: '[build 4/6] RUN npm run build',
      error: 'failed to solve: process "/bin/sh -c npm run build" did not complete successfully: exit code: 1'
    })
  })

  it('says a Dockerfile that does not parse failed while reading it', () => {
    const out = explainFailure(
      'ERROR: failed to solve: rpc error: code = Unknown desc = failed to solve with frontend dockerfile.v0: failed to create LLB definition: dockerfile parse error line 2: unknown instruction: RUNN'
    )
    expect(out.failedStep).toBe('reading the Dockerfile')
    expect(out.error).toContain('unknown instruction: RUNN')
  })

  it('keeps the last 30 non-empty lines', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `line ${i}`)
    const tail = explainFailure(lines.join('\n\n')).logTail
    expect(tail).toHaveLength(30)
    expect(tail[29]).toBe('line 99')
  })
})

const defaultTag = (given: typeof base, env: NodeJS.ProcessEnv) => tagOf(new RunContext(silent), given, env)

describe('defaultTag', () => {
  it('derives a local name from the repository and commit', async () => {
    expect(await defaultTag(base, { GITHUB_REPOSITORY: 'Octo-Org/My_App', GITHUB_SHA: '0123456789abcdef0123' })).toBe(
      'image-gate/octo-org-my_app:0123456789ab'
    )
    expect(await defaultTag({ ...base, target: 'Runtime' }, { GITHUB_REPOSITORY: 'o/app', GITHUB_SHA: 'abcdef1234567' })).toBe(
      'image-gate/o-app:abcdef123456-runtime'
    )
  })
})
