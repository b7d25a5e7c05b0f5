// The line of each key of a TOML file. smol-toml gives the values but no positions, so the text is
// scanned: a table header ([env], [[http_service.checks]], the nth of an array numbered from 0 as
// [n]) starts a table, and a `key =` line is that key of the table it is in. Good enough for what
// fly.toml writes; a line inside a multi-line string that looks like `key =` may be taken for one
// (the value would still be right, only its line off), and a dotted or quoted key is found by its
// whole text.

export class TomlLines {
  private readonly lines = new Map<string, number>()

  constructor(text: string) {
    const counts = new Map<string, number>()
    let table = ''
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim()
      const header = /^(\[\[?)\s*([^\]]+?)\s*\]\]?/.exec(line)
      if (header) {
        const name = header[2].replace(/\s*\.\s*/g, '.').replace(/["']/g, '')
        if (header[1] === '[[') {
          // the nth [[a.b]]: a.b[n]; a sub-table of it ([a.b.c]) is under the last one
          const array = this.arrays(name, counts)
          const n = counts.get(array) ?? 0
          counts.set(array, n + 1)
          table = `${array}[${n}]`
        } else table = this.arrays(name, counts)
        this.lines.set(table, i + 1)
        return
      }
      const key = /^("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=/.exec(line)
      if (key) {
        const at = table ? `${table}.${key[1].replace(/["']/g, '')}` : key[1].replace(/["']/g, '')
        if (!this.lines.has(at)) this.lines.set(at, i + 1)
      }
    })
  }

  /** services.http_checks within the 2nd [[services]]: services[1].http_checks (counts are kept by that path, so each [[services]] numbers its own from 0) */
  private arrays(name: string, counts: Map<string, number>): string {
    const parts = name.split('.')
    let path = ''
    parts.forEach((part, i) => {
      path = path ? `${path}.${part}` : part
      const n = counts.get(path)
      if (n !== undefined && i < parts.length - 1) path = `${path}[${n - 1}]`
    })
    return path
  }

  /** The line of `key` (services[0].http_checks[0].path), else of the nearest table holding it, else 1. */
  line(key: string): number {
    for (let at = key; at; at = at.replace(/(\.[^.[]+|\[\d+\])$/, '')) {
      const found = this.lines.get(at)
      if (found) return found
      if (!/(\.[^.[]+|\[\d+\])$/.test(at)) break
    }
    return 1
  }
}
