// What the contents check looks for in a Python image's site-packages (and dist-packages), as pure
// functions of a path and a small file's bytes: the installed distributions (their metadata folders,
// `pytest-8.0.0.dist-info`), what each needs at run time, and which are development and test tools
// that a runtime image does not need, as npm's devDependencies are for Node.

/** A Python distribution's metadata folder in one layer. */
export interface PythonDist {
  name: string
  version?: string
  /** what it needs at run time (METADATA's Requires-Dist without an extra; requires.txt) */
  requires?: string[]
  /** the bytes RECORD lists (dist-info of a dev tool) */
  record?: number
  /** the packages an egg-info says it installs (top_level.txt) */
  topLevel?: string[]
}

/**
 * An installed Python distribution's metadata folder and the file in it, for a path under a
 * site-packages or dist-packages (pip, poetry and uv write `pytest-8.0.0.dist-info`, setuptools and
 * Debian's packages `pytest-7.2.1.egg-info`): "…/site-packages/pytest-8.0.0.dist-info/METADATA" →
 * the folder, the site folder, the distribution's normalized name and version, "METADATA".
 */
export function pythonDist(path: string): { dir: string; site: string; name: string; version?: string; file: string } | undefined {
  const m = /^((?:.*\/)?(?:site|dist)-packages)\/(([^/-]+)(?:-([^/-]+))?(?:-[^/]*)?\.(?:dist|egg)-info)\/([^/]+)$/.exec(path)
  if (!m || path.includes('node_modules/')) return undefined
  return { dir: `${m[1]}/${m[2]}`, site: m[1], name: normalizeDist(m[3]), ...(m[4] && { version: m[4] }), file: m[5] }
}

/** "…/site-packages/_pytest/python.py" → "…/site-packages/_pytest": what a distribution installs is counted by these. */
export function siteEntry(path: string): string | undefined {
  const m = /^((?:.*\/)?(?:site|dist)-packages\/[^/]+)\//.exec(path) ?? /^((?:.*\/)?(?:site|dist)-packages\/[^/]+\.py)$/.exec(path)
  return m && !path.includes('node_modules/') ? m[1] : undefined
}

/** PEP 503's normalized name: "Flake8_Bugbear" → "flake8-bugbear". */
export function normalizeDist(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-')
}

/**
 * Python's development and test tools: what `npm ci --omit=dev` would leave out of a Node image.
 * The app runs without them; a runtime image that has them installed its dev requirements.
 */
const PYTHON_DEV: Record<string, string> = {
  pytest: 'test runner',
  coverage: 'coverage tool',
  tox: 'test automation tool',
  nox: 'test automation tool',
  mypy: 'type checker',
  pyright: 'type checker',
  black: 'formatter',
  isort: 'formatter',
  autopep8: 'formatter',
  yapf: 'formatter',
  ruff: 'linter',
  flake8: 'linter',
  pylint: 'linter',
  pycodestyle: 'linter',
  pyflakes: 'linter',
  pydocstyle: 'linter',
  bandit: 'linter',
  'pre-commit': 'git hook manager'
}

/** What a Python dev tool is ("test runner", "pytest plugin"), or undefined for any other distribution. */
export function pythonDevTool(name: string): string | undefined {
  if (PYTHON_DEV[name]) return PYTHON_DEV[name]
  if (name.startsWith('pytest-')) return 'pytest plugin'
  if (name.startsWith('flake8-')) return 'flake8 plugin'
  return undefined
}

/**
 * The distributions a Python package needs at run time, from its METADATA (`Requires-Dist: pytest
 * (>=7); python_version < "4"`) or an egg-info's requires.txt (the lines before any `[extra]`
 * section). A requirement of an extra (`; extra == "test"`) is not needed to run.
 */
export function pythonRequires(file: string, content: Buffer): string[] {
  const text = content.toString('utf8')
  const names: string[] = []
  if (file === 'requires.txt') {
    for (const line of text.split('\n')) {
      if (line.startsWith('[')) break
      const m = /^\s*([A-Za-z0-9][\w.-]*)/.exec(line)
      if (m) names.push(normalizeDist(m[1]))
    }
    return names
  }
  // the headers end at the first blank line (the description follows)
  for (const line of text.split(/\r?\n\r?\n/)[0].split(/\r?\n/)) {
    const m = /^Requires-Dist:\s*([A-Za-z0-9][\w.-]*)(.*)$/i.exec(line)
    if (m && !/\bextra\s*==/.test(m[2])) names.push(normalizeDist(m[1]))
  }
  return names
}

/** The bytes RECORD says a distribution installed (`path,sha256=…,size` per file; its own line has no size). */
export function recordBytes(content: Buffer): number {
  let bytes = 0
  for (const line of content.toString('utf8').split('\n')) {
    const size = /,(\d+)\s*$/.exec(line)
    if (size) bytes += Number(size[1])
  }
  return bytes
}
