import picomatch from 'picomatch'

// What the contents check looks for in the files of the image's layers, as pure functions of a
// file's path (from the image's root, no leading slash: "app/.env") and, for a small file, its
// bytes. Secrets are judged by name where the name says it (.env, id_rsa, .aws/credentials) and
// by content where only the content can (.npmrc with a token, a PEM private key in any file); dev
// dependencies and build tools are grouped by the directories they install into.

/** Files up to this size are read (a key, an .npmrc, a package.json); larger ones are judged by name. */
export const SMALL = 64 * 1024

/**
 * Where keys, certificates and credential-looking files are expected and are not the image
 * author's secrets, so the secret rules do not look there (forbid-paths still does):
 * - node_modules: what packages published, e.g. webpack-dev-server/ssl/server.pem, ssh2's test
 *   keys, fixtures' .env files. Only the package's author can change those (a `test*` subfolder
 *   rule would miss ssl/, fixtures/, spec/), and they are public anyway;
 * - the distribution's certificates and its snakeoil key (/etc/ssl, /etc/pki), and /usr/share
 *   (documentation, keyrings);
 * - system and language libraries: /lib, /usr/lib, /usr/local/lib (Python's own test keys),
 *   Python packages in a virtualenv (site-packages), Go's module cache, Ruby's gems.
 * Everything else, the app's own tree and the home directories (/root/.npmrc) above all, is looked at.
 */
const EXPECTED = [
  '**/node_modules/**',
  'usr/share/**',
  'etc/ssl/**',
  'etc/pki/**',
  'etc/ca-certificates/**',
  'usr/local/share/ca-certificates/**',
  'lib/**',
  'lib64/**',
  'usr/lib/**',
  'usr/lib64/**',
  'usr/local/lib/**',
  '**/site-packages/**',
  '**/dist-packages/**',
  '**/go/pkg/mod/**',
  'usr/local/bundle/**'
]
const expected = picomatch(EXPECTED, { dot: true })

/** Glob options: dotfiles match too, and an unclosed bracket is an error rather than a literal. */

/** What a file is when its name says it is a secret, "read" when only its bytes can tell, else nothing. */
export function secretByName(path: string, size: number): string | 'read' | undefined {
  if (size === 0 || expected(path)) return undefined
  const base = path.slice(path.lastIndexOf('/') + 1)
  if (base === '.env' || (base.startsWith('.env.') && !/^\.env\.(example|sample|template|dist)$/i.test(base))) return 'environment file'
  if (/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(base)) return 'SSH private key'
  if (path === '.aws/credentials' || path.endsWith('/.aws/credentials')) return 'AWS credentials'
  if (base === '.netrc' || base === '_netrc') return 'netrc credentials'
  if (base === '.git-credentials') return 'git credentials'
  if (size <= SMALL && (base === '.npmrc' || base === '.yarnrc.yml' || path.endsWith('.docker/config.json'))) return 'read'
  // a PEM private key is a few hundred bytes at least
  if (size >= 100 && size <= SMALL) return 'read'
  return undefined
}

/** What a small file is when its content holds a credential. Its content is never kept. */
export function secretByContent(path: string, content: Buffer): string | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1)
  if (base === '.npmrc' || base === '.yarnrc.yml') {
    // a token written out; a reference to the environment (${NPM_TOKEN}) holds none
    const token = base === '.npmrc' ? /(^|[:\s])(_authToken|_auth|_password)\s*=\s*(?!["']?\$\{)\S/m : /\bnpmAuth(Token|Ident)\s*:\s*(?!["']?\$\{)["']?\S/
    if (token.test(content.toString('utf8'))) return `${base === '.npmrc' ? 'npm' : 'yarn'} auth token`
  }
  if (path.endsWith('.docker/config.json') && dockerAuths(content)) return 'Docker registry credentials'
  if (privateKey(content)) return 'private key (PEM)'
  return undefined
}

/** A Docker client config whose `auths` hold credentials (a credsStore-only config holds none). */
function dockerAuths(content: Buffer): boolean {
  try {
    const auths = (JSON.parse(content.toString('utf8')) as { auths?: Record<string, Record<string, unknown>> }).auths ?? {}
    return Object.values(auths).some(entry => ['auth', 'identitytoken', 'password', 'registrytoken'].some(key => typeof entry?.[key] === 'string' && entry[key] !== ''))
  } catch {
    return false
  }
}

/**
 * A PEM (or PGP) private key block with a body: BEGIN and END lines around 100+ base64 characters.
 * The body rule keeps out code that only names the markers (a bundled crypto library).
 */
function privateKey(content: Buffer): boolean {
  if (content.indexOf('PRIVATE KEY') < 0) return false
  const text = content.toString('latin1')
  for (const m of text.matchAll(/-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY( BLOCK)?-----([\s\S]*?)-----END \1PRIVATE KEY\2-----/g)) {
    if ((m[3].match(/[A-Za-z0-9+/]/g)?.length ?? 0) >= 100) return true
  }
  return false
}

/**
 * A directory that is a secret as a whole: a repository's history (.git: its config can hold a
 * token, its objects every file ever committed). A .ssh directory is not one: known_hosts holds
 * public host keys (Docker's own `RUN --mount=type=ssh` recipe writes one) and authorized_keys
 * public keys; what matters there, a private key, is found by its name (id_*) or its content.
 */
export function secretDir(path: string): { dir: string; what: string } | undefined {
  const m = /^(.*?(?:^|\/)\.git)\//.exec(path)
  if (!m || expected(path)) return undefined
  return { dir: m[1], what: 'git repository (.git)' }
}

/** "app/node_modules/typescript/lib/tsc.js" → the installed package's folder, "app/node_modules/typescript". */
export function packageDir(path: string): { root: string; name: string; dir: string } | undefined {
  const m = /^(?:(.*?)\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(path)
  if (!m) return undefined
  const root = m[1] ?? ''
  return { root, name: m[2], dir: `${root ? `${root}/` : ''}node_modules/${m[2]}` }
}

/** The app's own package.json (outside node_modules), whose devDependencies are looked for beside it. */
export function isAppManifest(path: string): boolean {
  return (path === 'package.json' || path.endsWith('/package.json')) && !path.includes('node_modules/') && !expected(path)
}

/** An app's package.json: what it needs at run time, and what only to build and test. */
export interface Manifest {
  dependencies: string[]
  devDependencies: string[]
}

/** The names a package.json lists under `fields` (by default, what it needs at run time). */
export function dependencyNames(content: Buffer, fields = ['dependencies', 'optionalDependencies', 'peerDependencies']): string[] {
  try {
    const manifest = JSON.parse(content.toString('utf8')) as Record<string, Record<string, string> | undefined>
    return [...new Set(fields.flatMap(field => Object.keys(manifest[field] ?? {})))]
  } catch {
    return []
  }
}

/** npm's hidden lockfile is read up to this size (a large app's is a few MB). */
export const LOCKFILE_MAX = 32 * 1024 * 1024

/** "app/node_modules/.package-lock.json" → "app" (the folder whose node_modules it describes). */
export function hiddenLockfileRoot(path: string): string | undefined {
  const m = /^(?:(.*)\/)?node_modules\/\.package-lock\.json$/.exec(path)
  if (!m || (m[1] ?? '').includes('node_modules')) return undefined
  return m[1] ?? ''
}

/**
 * The package folders a hidden lockfile marks dev-only, from the image's root: npm sets "dev": true
 * on a package that only devDependencies reach, so a devDependency that a production dependency
 * also needs (semver, under jsonwebtoken) is not marked, and rightly stays after --omit=dev.
 */
export function devOnlyPackages(content: Buffer, root: string): Set<string> | undefined {
  try {
    const lock = JSON.parse(content.toString('utf8')) as { packages?: Record<string, { dev?: boolean }> }
    if (typeof lock.packages !== 'object' || lock.packages === null) return undefined
    const dev = new Set<string>()
    for (const [key, entry] of Object.entries(lock.packages)) if (entry?.dev === true) dev.add(root ? `${root}/${key}` : key)
    return dev
  } catch {
    return undefined // not one npm wrote: the dependency graph decides
  }
}

/** What an image is built for, as its files say: the wording of a fix follows it. */
export type Ecosystem = 'node' | 'python' | 'go' | 'ruby' | 'php' | 'java' | 'rust' | 'erlang'

interface Tool {
  name: string
  /** the program (or header) that says the tool is installed */
  main: RegExp
  /**
   * other names of the same program (`c89-gcc` and `c99-gcc` are Debian's wrapper scripts for gcc,
   * `c++` the alternatives link to g++, `gmake` make's GNU name): counted as the tool, named only
   * when nothing spells it by its own name
   */
  alias?: RegExp
  /** the rest of what it installs, counted in its size */
  parts?: RegExp
  /** whose build tool it is, whatever the image is (else the image's own ecosystem) */
  ecosystem?: Ecosystem
}

/** Where a Go toolchain installs: the official images' /usr/local/go, Debian's /usr/lib/go-1.19. */
const GOROOT = String.raw`usr\/(?:local\/go|lib\/go(?:-[\d.]+)?)\/`
const GO_BIN = new RegExp(`^${GOROOT}bin\\/go$`)
/** A JDK's or JRE's home: Debian's /usr/lib/jvm/java-17-openjdk-amd64, Temurin's /opt/java/openjdk, the old openjdk images' /usr/local/openjdk-17. */
const JAVA_HOME = String.raw`(?:usr\/lib\/jvm\/[^/]+|opt\/java\/[^/]+|usr\/local\/openjdk-[\d.]+)\/`
const JAVA_BIN = new RegExp(`^(?:${JAVA_HOME}|usr\\/(?:local\\/)?)bin\\/java$`)
/** What only a JDK has beside javac: the modules jlink links from, the compiler's symbol table, its own tools. */
const JDK_PARTS = new RegExp(`^${JAVA_HOME}(?:jmods\\/|include\\/|lib\\/(?:ct\\.sym|src\\.zip)$|bin\\/(?:jar|jarsigner|javadoc|javap|jdeps|jdeprscan|jlink|jmod|jpackage|jshell|jdb|jhsdb|jimage|serialver)$)`)

/** Compilers and build tools that a production image does not need (Alpine's build-base, python3-dev, a Go toolchain). */
const TOOLS: Tool[] = [
  {
    name: 'gcc',
    main: /^usr\/(?:local\/)?bin\/(?:[\w.]+-)*gcc(?:-[\d.]+)?$/,
    alias: /\/c(?:89|99)-gcc$/,
    parts: /^usr\/(?:local\/)?(?:libexec|lib)\/gcc\/(?!.*\/cc1plus$)/
  },
  { name: 'g++', main: /^usr\/(?:local\/)?bin\/(?:[\w.]+-)*[gc]\+\+(?:-[\d.]+)?$/, alias: /\/c\+\+$/, parts: /(?:\/cc1plus$|^usr\/include\/c\+\+\/)/ },
  { name: 'make', main: /^usr\/(?:local\/)?bin\/g?make$/, alias: /\/gmake$/ },
  { name: 'python3 headers', main: /^usr\/(?:local\/)?include\/python3[\d.]*m?\/Python\.h$/, parts: /^usr\/(?:local\/)?include\/python3[\d.]*m?\// },
  { name: 'Go toolchain', main: GO_BIN, parts: new RegExp(`^${GOROOT}`), ecosystem: 'go' },
  // Debian's /usr/bin/rustc and /usr/lib/rustlib, or rustup's toolchains (the official images'
  // /usr/local/rustup, a user's ~/.rustup) with its proxies in a cargo bin/
  {
    name: 'Rust toolchain (rustc, cargo)',
    main: /(?:^|\/)bin\/(?:rustc|cargo)$/,
    alias: /\/cargo$/,
    parts: /(?:^|\/)(?:lib\/rustlib\/|rustup\/toolchains\/|lib\/(?:[\w-]+\/)?librustc_driver-\w+\.so$|bin\/rustdoc$)/,
    ecosystem: 'rust'
  },
  { name: 'JDK (javac)', main: new RegExp(`^(?:${JAVA_HOME}|usr\\/(?:local\\/)?)bin\\/javac$`), parts: JDK_PARTS, ecosystem: 'java' },
  { name: 'Erlang compiler (erlc)', main: /^usr\/(?:local\/)?(?:lib\/erlang\/)?bin\/erlc$/, ecosystem: 'erlang' }
]

/**
 * Which build tool a path belongs to, and whether it is the one that says the tool is there. `rank`
 * orders the programs that say so, the tool's own name first: gcc, then gcc-12, then
 * x86_64-linux-gnu-gcc-12, and an alias (c89-gcc) last, so a finding names the tool as it is called.
 */
export function toolOf(path: string): { name: string; main: boolean; rank: number; ecosystem?: Ecosystem } | undefined {
  for (const tool of TOOLS) {
    const ecosystem = tool.ecosystem && { ecosystem: tool.ecosystem }
    if (tool.main.test(path)) {
      const base = path.slice(path.lastIndexOf('/') + 1)
      const rank = tool.alias?.test(path) ? 3 : base === tool.name || /\/bin\/(?:go|rustc|javac|erlc)$/.test(path) ? 0 : base.startsWith(`${tool.name}-`) ? 1 : 2
      return { name: tool.name, main: true, rank, ...ecosystem }
    }
    if (tool.parts?.test(path)) return { name: tool.name, main: false, rank: 4, ...ecosystem }
  }
  return undefined
}

/** Of two programs of the same tool, the one to name (toolOf's rank; the first among equals). */
export function betterToolPath(a: string | undefined, b: string): string {
  return a === undefined || toolOf(b)!.rank < toolOf(a)!.rank ? b : a
}

/** The runtimes that say what an image runs where no manifest was copied. */
const RUNTIMES: [Ecosystem, RegExp][] = [
  ['node', /^usr\/(?:local\/)?bin\/node$/],
  ['python', /^usr\/(?:local\/)?bin\/python3(?:\.\d+)?$/],
  ['go', GO_BIN],
  ['ruby', /^usr\/(?:local\/)?bin\/ruby(?:[\d.]+)?$/],
  ['php', /^usr\/(?:local\/)?bin\/php(?:[\d.]+)?$/],
  ['java', JAVA_BIN],
  ['erlang', /^usr\/(?:local\/)?(?:lib\/erlang\/)?bin\/erl$/]
]

/** An app's own manifest, by its name. */
const MANIFESTS: [Ecosystem, RegExp][] = [
  ['node', /^package\.json$/],
  ['go', /^go\.mod$/],
  ['python', /^(?:pyproject\.toml|requirements[\w.-]*\.txt|Pipfile|setup\.py|manage\.py|poetry\.lock|uv\.lock)$/],
  ['ruby', /^(?:Gemfile|Gemfile\.lock|config\.ru)$/],
  ['php', /^composer\.(?:json|lock)$/],
  ['java', /^(?:pom\.xml|build\.gradle(?:\.kts)?)$/],
  ['rust', /^Cargo\.(?:toml|lock)$/],
  ['erlang', /^(?:rebar\.config|mix\.exs)$/]
]

/**
 * A file that says what the image runs. An app's own manifest outside the libraries (package.json,
 * pyproject.toml, requirements.txt, manage.py, go.mod) says it best ("app"); a runtime (node,
 * python3, a Go toolchain) says it where no manifest was copied ("runtime").
 */
export function ecosystemOf(path: string): { ecosystem: Ecosystem; by: 'app' | 'runtime' } | undefined {
  const runtime = RUNTIMES.find(([, re]) => re.test(path))
  if (runtime) return { ecosystem: runtime[0], by: 'runtime' }
  const base = path.slice(path.lastIndexOf('/') + 1)
  const ecosystem = MANIFESTS.find(([, re]) => re.test(base))?.[0]
  // (the name first: the globs are asked only of the few files it names)
  if (!ecosystem || expected(path) || path.includes('node_modules/') || /(^|\/)go\/pkg\/mod\//.test(path)) return undefined
  return { ecosystem, by: 'app' }
}
