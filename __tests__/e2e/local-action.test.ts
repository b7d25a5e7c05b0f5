import { afterAll, beforeAll, expect, it, jest } from '@jest/globals'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { EXAMPLES } from './action.js'
import { engineAgnostic } from './agnostic.js'

// GitHub's local-action runs the action from its TypeScript source (src/main.ts's run(), with
// @actions/core and @actions/github replaced by its own), the way a developer does with
// `npm run local-action`: the same arguments, with an env file this test writes in place of .env.
// The engine is a socket that does not exist, so the run stops at the engine check whatever the
// machine's engines are doing, and takes a few seconds (no build, no bundle).

jest.setTimeout(120_000)
const ROOT = path.dirname(EXAMPLES)
let dir: string
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'image-gate-local-action-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `npm run local-action`'s command, with `.env` replaced by the given file. */
function localActionArgs(envFile: string): string[] {
  const script = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['local-action']
  const [command, ...args] = script.split(' ')
  expect([command, args.includes('.env')]).toEqual(['local-action', true])
  return args.map(arg => (arg === '.env' ? envFile : arg))
}

async function runLocalAction(envFile: string, dockerHost: string): Promise<{ code: number | null; out: string }> {
  // the shell of a developer, less anything a runner step would have set
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(INPUT_|GITHUB_|STATE_|ACTIONS_|RUNNER_)/.test(k)))
  const child = spawn(path.join(ROOT, 'node_modules/.bin/local-action'), localActionArgs(envFile), { cwd: ROOT, env: { ...env, DOCKER_HOST: dockerHost, NO_COLOR: '1' } })
  let out = ''
  child.stdout.on('data', d => (out += d))
  child.stderr.on('data', d => (out += d))
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  // eslint-disable-next-line no-control-regex
  return { code, out: out.replace(/\x1b\[[0-9;]*m/g, '') }
}

/** The value local-action's "Action Outputs" table shows for one output, as printed ('false'). */
function shownOutput(out: string, name: string): string | undefined {
  const table = out.slice(out.lastIndexOf('Action Outputs'))
  const cells = table.split('\n').map(line => line.split('│').map(cell => cell.trim())).find(cells => cells[2] === `'${name}'`)
  return cells?.[3]
}

// against an engine it cannot reach: the same on every engine (engineAgnostic)
engineAgnostic('npm run local-action', () => {
  it('runs the main step from the source against an unreachable engine: the one-line engine error, the outputs, the failure; then the post step', async () => {
    const summary = path.join(dir, 'summary.md')
    writeFileSync(summary, '')
    const envFile = path.join(dir, 'local.env')
    // github-token is not set: local-action would pass action.yml's "${{ github.token }}" as it is
    writeFileSync(
      envFile,
      [
        'ACTIONS_STEP_DEBUG=true',
        `INPUT_CONTEXT=${path.join(EXAMPLES, 'focus-flow-backend')}`,
        'INPUT_MAX-SIZE=300MB',
        'INPUT_COMMENT-KEY=from-the-env-file',
        `GITHUB_STEP_SUMMARY=${summary}`,
        ''
      ].join('\n')
    )
    const { out } = await runLocalAction(envFile, `unix://${path.join(dir, 'no-engine', 'docker.sock')}`)

    const main = out.slice(out.indexOf('Running Action'), out.indexOf('Running Post Step'))
    expect(main).toContain('image-gate: FAILED (did not run)')
    // the step's failure (core.setFailed): one line, the engine's message
    const errors = main.split('\n').filter(line => line.startsWith('::error'))
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatch(/^::error::image-gate: the Docker engine is not reachable \(.*no-engine\/docker\.sock/)
    expect(out).not.toMatch(/\n\s+at /)

    // the outputs the action set, as local-action lists them
    expect(shownOutput(out, 'passed')).toBe("'false'")
    expect(shownOutput(out, 'health')).toBe("'skipped'")
    const report = shownOutput(out, 'report') ?? ''
    expect(report).toContain('"kind":"engine","message":"the Docker engine is not reachable')
    // inputs came from the env file
    expect(report).toContain('"commentKey":"from-the-env-file"')
    expect(readFileSync(summary, 'utf8')).toContain('## ❌ image-gate: did not run')

    // the post step found the run id the main step saved, and tried to clean up after it
    const post = out.slice(out.indexOf('Running Post Step'), out.lastIndexOf('Action Outputs'))
    expect(post).toMatch(/^::debug::image-gate post: /m)
  })
})
