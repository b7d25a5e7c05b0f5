import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'

// The README's input and output tables must list exactly what action.yml declares, so they cannot
// drift; and no source file may run a command through a shell.

const root = new URL('../../', import.meta.url)
const action = parseYaml(readFileSync(new URL('action.yml', root), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown> }
const readme = readFileSync(new URL('README.md', root), 'utf8')

/** The first column's `names` of the Markdown table under a heading. */
function tableNames(heading: string): string[] {
  const section = readme.split(`\n### ${heading}\n`)[1]?.split('\n## ')[0].split('\n### ')[0] ?? ''
  return [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map(m => m[1])
}

describe('README', () => {
  it('documents every input of action.yml, and no other', () => {
    expect(tableNames('Inputs').sort()).toEqual(Object.keys(action.inputs).sort())
  })

  it('documents every output of action.yml, and no other', () => {
    expect(tableNames('Outputs').sort()).toEqual(Object.keys(action.outputs).sort())
  })
})

describe('no shell', () => {
  // every .ts file under src/, as a path relative to src/ (e.g. "docker/command.ts")
  const sources = (readdirSync(new URL('src/', root), { recursive: true }) as string[]).filter(f => f.endsWith('.ts'))
  const text = (f: string) => readFileSync(new URL(`src/${f}`, root), 'utf8')

  it('never asks for a shell when starting a process', () => {
    for (const file of sources) expect([file, /shell\s*:\s*true/.test(text(file))]).toEqual([file, false])
  })

  it('starts processes only by fixed program name with an argument array', () => {
    const calls = sources.flatMap(f =>
      [...text(f).matchAll(/(?<!function )\b(runCommand|getExecOutput|spawn|spawnSync|execFile|execFileSync|exec\.exec)\(([^,)]*)/g)].map(m => [f, m[2].trim()])
    )
    expect(calls.length).toBeGreaterThan(3)
    // command.ts is the one place that spawns whatever its callers name; those callers are checked here
    const named = calls.filter(([file, program]) => !(file === 'docker/command.ts' && program === 'program'))
    expect(calls.length - named.length).toBe(1)
    for (const [file, program] of named) expect([file, program]).toEqual([file, expect.stringMatching(/^'(docker|git|gzip)'$/)])
    // and the shell-string APIs are not used at all
    for (const file of sources) expect([file, /\b(execSync|child_process'\)\.exec)\b|\bexec\(\s*`/.test(text(file))]).toEqual([file, false])
  })
})
