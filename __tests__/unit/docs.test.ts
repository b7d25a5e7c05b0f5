import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { INPUT_NAMES, row, type InputName } from '../../src/inputs/inputs.js'

// The README's input table must list exactly the inputs of src/inputs/table.ts, and its output table
// what action.yml declares, so they cannot drift; and no source file may run a command through a shell.

const root = new URL('../../', import.meta.url)
const action = parseYaml(readFileSync(new URL('action.yml', root), 'utf8')) as { outputs: Record<string, unknown> }
const readme = readFileSync(new URL('README.md', root), 'utf8')

/** The rows of the Markdown table under a heading: the first column's `name`, then the other cells. */
function tableRows(heading: string): string[][] {
  const section = readme.split(`\n### ${heading}\n`)[1]?.split('\n## ')[0].split('\n### ')[0] ?? ''
  return [...section.matchAll(/^\| `([a-z-]+)` \|(.*)\|$/gm)].map(m => [m[1], ...m[2].split(' | ').map(cell => cell.trim())])
}

const tableNames = (heading: string): string[] => tableRows(heading).map(([name]) => name)

describe('README', () => {
  it('documents every input of the input table, and no other, in its order', () => {
    expect(tableNames('Inputs')).toEqual(INPUT_NAMES)
  })

  it("gives each input's default as the input table does", () => {
    for (const [name, shownDefault] of tableRows('Inputs')) {
      const { default: declared, shown = declared } = row(name as InputName)
      expect([name, shownDefault.replace(/`/g, '')]).toEqual([name, shown])
    }
  })

  it('describes require-non-root as the user check judges it: any process as root fails, not only the main one', () => {
    const described = [row('require-non-root').description, tableRows('Inputs').find(([name]) => name === 'require-non-root')?.[2] ?? '']
    for (const text of described) expect(text).toMatch(/^Fail when any process in the container runs as UID 0\b/)
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
    // docker/command.ts is the one place that spawns whatever its callers name (a process run to
    // its end, and one read as it runs); those callers are checked here
    // registry/credentials.ts runs the credential helper the Docker config names, as the docker CLI
    // does: docker-credential-NAME (NAME checked to be a plain name, no path)
    const named = calls.filter(([file, program]) => !(file === 'docker/command.ts' && /^program\b/.test(program)) && !(file === 'registry/credentials.ts' && program === '`docker-credential-${name}`'))
    expect(calls.length - named.length).toBe(4) // its two spawn(program, ...) calls, the declaration of Processes.spawn, and the helper's
    for (const [file, program] of named) expect([file, program]).toEqual([file, expect.stringMatching(/^'(docker|git)'$/)])
    // and the shell-string APIs are not used at all
    for (const file of sources) expect([file, /\b(execSync|child_process'\)\.exec)\b|\bexec\(\s*`/.test(text(file))]).toEqual([file, false])
  })
})
