import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import * as path from 'node:path'

// The login `docker login` (and docker/login-action) stored for a registry, found as the docker CLI
// finds it: in $DOCKER_CONFIG/config.json (else ~/.docker/config.json), a credential helper named for
// that registry (credHelpers), else the credential store (credsStore), else the `auths` entry. The
// push talks to the registry itself (registry/client.ts), so it needs the same login the engine's
// `docker push` would have used.

export interface Login {
  username?: string
  password?: string
  /** an OAuth2 refresh token (a helper's "<token>" user, or auths' identitytoken) */
  identityToken?: string
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>
  credHelpers?: Record<string, string>
  credsStore?: string
}

/** The Docker CLI's config directory. */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKER_CONFIG || path.join(env.HOME || homedir(), '.docker')
}

/** ghcr.io, https://ghcr.io, https://index.docker.io/v1/ → the host, as the CLI compares auths' keys. */
function hostOf(key: string): string {
  return key.replace(/^https?:\/\//, '').split('/')[0]
}

/**
 * The login for `loginKey` (a registry's host, or the default registry's URL); undefined when there
 * is none (the registry is then asked without one). A helper that fails is an error: the push would
 * otherwise go out anonymous and fail with a less telling "unauthorized".
 */
export async function loginFor(loginKey: string, env: NodeJS.ProcessEnv = process.env, limitMs = 30_000): Promise<Login | undefined> {
  let config: ConfigFile = {}
  const file = path.join(configDir(env), 'config.json')
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as ConfigFile
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`could not read the Docker config ${file}: ${(err as Error).message}`, { cause: err })
  }
  const host = hostOf(loginKey)
  const helper = config.credHelpers?.[host] ?? config.credHelpers?.[loginKey] ?? config.credsStore
  if (helper) return await fromHelper(helper, loginKey, env, limitMs)
  const auths = config.auths ?? {}
  const entry = auths[loginKey] ?? Object.entries(auths).find(([key]) => hostOf(key) === host)?.[1]
  if (!entry) return undefined
  if (entry.identitytoken) return { identityToken: entry.identitytoken }
  if (entry.auth) {
    const plain = Buffer.from(entry.auth, 'base64').toString('utf8')
    const cut = plain.indexOf(':')
    if (cut < 0) throw new Error(`the Docker config ${file} has a login for ${host} that is not user:password`)
    return { username: plain.slice(0, cut), password: plain.slice(cut + 1) }
  }
  return entry.username ? { username: entry.username, password: entry.password ?? '' } : undefined
}

/** `docker-credential-NAME get`, the server on its stdin: {Username, Secret}; "not found" is no login. */
async function fromHelper(name: string, server: string, env: NodeJS.ProcessEnv, limitMs: number): Promise<Login | undefined> {
  // a name from the config file: a program on PATH, never a path
  if (!/^[\w.-]+$/.test(name)) throw new Error(`the Docker config names the credential helper "${name}", which is not a helper's name`)
  const program = `docker-credential-${name}`
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(`docker-credential-${name}`, ['get'], { stdio: ['pipe', 'pipe', 'pipe'], env })
    let out = ''
    let err = ''
    const limit = setTimeout(() => child.kill('SIGKILL'), limitMs)
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s))
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s))
    child.once('error', e => (clearTimeout(limit), reject((e as NodeJS.ErrnoException).code === 'ENOENT' ? new Error(`the Docker config names the credential helper ${program}, which is not on PATH`) : e)))
    child.once('close', c => (clearTimeout(limit), resolve({ code: c, stdout: out, stderr: err })))
    child.stdin.end(server)
  })
  if (code !== 0) {
    const said = (stdout || stderr).trim()
    if (/credentials not found/i.test(said)) return undefined
    throw new Error(`the credential helper ${program} failed for ${server}: ${said || `exit ${code}`}`)
  }
  const got = JSON.parse(stdout) as { Username?: string; Secret?: string }
  if (!got.Secret) return undefined
  return got.Username === '<token>' ? { identityToken: got.Secret } : { username: got.Username ?? '', password: got.Secret }
}
