import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { CHECKS } from '../../src/checks/index.js'

// The shape of src/ that makes a change one obvious edit: small files, imports without a cycle,
// every check listed, and the runner's library only where the runner is spoken to.

const src = path.resolve(new URL('../../src/', import.meta.url).pathname)
const files = (readdirSync(src, { recursive: true }) as string[]).filter(f => f.endsWith('.ts')).sort()
const text = (file: string) => readFileSync(path.join(src, file), 'utf8')

/** The files of src/ a file imports (relative imports, resolved to src-relative .ts paths). */
function importsOf(file: string): string[] {
  return [...text(file).matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map(m =>
    path.relative(src, path.resolve(path.dirname(path.join(src, file)), m[1].replace(/\.js$/, '.ts')))
  )
}

describe('src/', () => {
  it('has no file over 300 lines', () => {
    const long = files.map(f => [f, text(f).split('\n').length] as const).filter(([, n]) => n > 300)
    expect(long).toEqual([])
  })

  it('has no import cycle', () => {
    const graph = new Map(files.map(f => [f, importsOf(f)]))
    const cycles: string[] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open') return void cycles.push([...trail.slice(trail.indexOf(file)), file].join(' → '))
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file])
      state.set(file, 'done')
    }
    for (const file of files) visit(file, [])
    expect(cycles).toEqual([])
    // the walk saw real imports (a broken pattern would find none and pass)
    expect(graph.get('gate/platform-runs.ts')).toContain('checks/index.ts')
    expect(graph.get('pipeline.ts')).toContain('gate/index.ts')
  })

  it('keeps the checks to the report: no check imports a stage', () => {
    // a check judges what the report holds; the pure rules it shares with a stage live in rules/,
    // health/, saved/ and dockerfile/, the words it shares with publishing in advice/
    const checks = files.filter(f => f.startsWith('checks/'))
    expect(checks.length).toBeGreaterThan(5)
    const reachingIntoStages = checks.flatMap(f => importsOf(f).filter(i => i.startsWith('stages/')).map(i => `${f} → ${i}`))
    expect(reachingIntoStages).toEqual([])
  })

  it('lists every check file in CHECKS, in its own file', () => {
    // check.ts: what a check is; the words the checks share with publishing live in advice/
    const helpers = ['checks/index.ts', 'checks/check.ts']
    const checkFiles = files.filter(f => f.startsWith('checks/') && !helpers.includes(f))
    expect(CHECKS).toHaveLength(checkFiles.length)
    for (const file of checkFiles) expect([file, /export const \w+Check: CheckRule/.test(text(file))]).toEqual([file, true])
  })

  it('has no folder over 15 files', () => {
    // a folder says what it holds; past about 15 files it holds more than one thing
    const counts = new Map<string, number>()
    for (const f of files) counts.set(path.dirname(f), (counts.get(path.dirname(f)) ?? 0) + 1)
    const crowded = [...counts].filter(([, n]) => n > 15)
    expect(crowded).toEqual([])
    expect(counts.get('stages')).toBeGreaterThan(5)
  })

  it('keeps publishing to the report: render/ and publish/ import nothing from checks/ or docker/', () => {
    // what a row or an annotation says is in advice/ (words) and dockerfile/ (lines), which checks use too
    const publishing = files.filter(f => f.startsWith('publish/') || f.startsWith('render/'))
    expect(publishing.length).toBeGreaterThan(8)
    const reachingDown = publishing.flatMap(f => importsOf(f).filter(i => /^(checks|docker)\//.test(i)).map(i => `${f} → ${i}`))
    expect(reachingDown).toEqual([])
    expect(importsOf('publish/annotations.ts')).toContain('dockerfile/places.ts')
  })

  it('starts processes only in docker/ (and the registry\'s credential helpers)', () => {
    // one place runs docker, so every process it starts is masked, traced and cleaned up alike
    const starters = files.filter(f => /from 'node:child_process'/.test(text(f)))
    expect(starters).toEqual(['docker/command.ts', 'docker/docker.ts', 'registry/credentials.ts'])
  })

  it('calls @actions/core only in the entry, the GitHub sink and the runner\'s input source', () => {
    const users = files.filter(f => /from '@actions\/core'/.test(text(f)))
    expect(users).toEqual(['inputs/runner.ts', 'main.ts', 'publish/github-sink.ts'])
  })
})
