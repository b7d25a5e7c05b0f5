import { describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { markdownFiles } from '../../scripts/workflows.mjs'

// Every relative link in README.md and docs/**/*.md resolves: the file it names exists, and a
// `#anchor` is the slug of a heading in that file (its own file when the link is only `#anchor`), as
// GitHub makes them, so moving a section cannot leave a link pointing at nothing.

const root = fileURLToPath(new URL('../../', import.meta.url))

/** The Markdown's lines outside ``` fences, with their 1-based line numbers. */
function prose(markdown: string): [number, string][] {
  let fenced = false
  return markdown.split('\n').flatMap((line, i): [number, string][] => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced
      return []
    }
    return fenced ? [] : [[i + 1, line]]
  })
}

/**
 * GitHub's anchors for a file's headings: the heading's text lower-cased, each space a dash, every
 * character but letters, digits, `-` and `_` dropped; a repeated slug gets -1, -2, ... (as
 * github-slugger does).
 */
function anchors(markdown: string): string[] {
  const seen = new Map<string, number>()
  return prose(markdown).flatMap(([, line]) => {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) return []
    const text = heading[1].replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    const base = text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-')
    const count = seen.get(base) ?? 0
    seen.set(base, count + 1)
    return [count === 0 ? base : `${base}-${count}`]
  })
}

/** The relative links of a Markdown file: { line, target }, outside code fences and code spans. */
function links(markdown: string): { line: number; target: string }[] {
  return prose(markdown).flatMap(([line, text]) =>
    [...text.replace(/`[^`]*`/g, '``').matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
      .map(m => ({ line, target: m[1] }))
      .filter(({ target }) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
  )
}

/** Why a link from file (relative to the repository) does not resolve; undefined when it does. */
function broken(file: string, target: string): string | undefined {
  const [pathPart, anchor] = target.split('#', 2) as [string, string | undefined]
  const to = pathPart === '' ? path.join(root, file) : path.resolve(path.dirname(path.join(root, file)), decodeURI(pathPart))
  if (!to.startsWith(root)) return 'points outside the repository'
  if (!existsSync(to)) return `${path.relative(root, to)} does not exist`
  if (anchor === undefined) return undefined
  if (!statSync(to).isFile() || !to.endsWith('.md')) return `#${anchor} in ${path.relative(root, to)}, which is not a Markdown file`
  return anchors(readFileSync(to, 'utf8')).includes(anchor) ? undefined : `no heading in ${path.relative(root, to)} has the anchor #${anchor}`
}

describe('Markdown links', () => {
  const files = markdownFiles()

  it('reads README.md and every page under docs/', () => {
    expect(files[0]).toBe('README.md')
    expect(files).toEqual(expect.arrayContaining(['docs/speed.md', 'docs/development.md', 'docs/checks/health.md', 'docs/recipes/forks.md']))
  })

  it.each(files)('every relative link in %s resolves', file => {
    const found = links(readFileSync(path.join(root, file), 'utf8'))
    const wrong = found.flatMap(({ line, target }) => {
      const why = broken(file, target)
      return why ? [`${file}:${line}: (${target}) ${why}`] : []
    })
    expect(wrong).toEqual([])
  })

  it('follows the links between the pages (the README links every page under docs/)', () => {
    const readme = links(readFileSync(path.join(root, 'README.md'), 'utf8')).map(({ target }) => target.split('#')[0])
    for (const page of files.slice(1)) expect([page, readme.includes(page)]).toEqual([page, true])
  })

  it('makes anchors as GitHub does', () => {
    const markdown = [
      '# Try it, test it (fresh Debian machine, as root)',
      '## A numeric `USER`',
      '### Forks and Dependabot',
      '```',
      '## not a heading: in a fence',
      '```',
      '## run_profile: [restricted](docs/x.md)',
      '## Forks and Dependabot',
    ].join('\n')
    expect(anchors(markdown)).toEqual([
      'try-it-test-it-fresh-debian-machine-as-root',
      'a-numeric-user',
      'forks-and-dependabot',
      'run_profile-restricted',
      'forks-and-dependabot-1',
    ])
  })

  it('finds the relative links, and tells a broken one', () => {
    const markdown = 'See [speed](docs/speed.md), [the web](https://example.com), `[code](nowhere.md)` and\n[a gone one](docs/recipes/gone.md#x).\n```\n[in a fence](nowhere.md)\n```\n[a wrong anchor](#no-such-heading)'
    expect(links(markdown)).toEqual([
      { line: 1, target: 'docs/speed.md' },
      { line: 2, target: 'docs/recipes/gone.md#x' },
      { line: 6, target: '#no-such-heading' },
    ])
    expect(broken('README.md', 'docs/speed.md')).toBeUndefined()
    expect(broken('README.md', 'docs/recipes/gone.md#x')).toBe('docs/recipes/gone.md does not exist')
    expect(broken('README.md', '#no-such-heading')).toBe('no heading in README.md has the anchor #no-such-heading')
    expect(broken('docs/checks/user.md', '../recipes/production-profiles.md#run-it-as-production-does')).toBeUndefined()
    expect(broken('docs/checks/user.md', '../recipes/production-profiles.md#a-numeric-user')).toMatch(/^no heading in docs\/recipes\/production-profiles\.md/)
  })
})
