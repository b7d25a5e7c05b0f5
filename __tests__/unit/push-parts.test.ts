import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { outputsOf } from '../../src/publish/outputs.js'
import { insecureRegistry, parseChallenge } from '../../src/registry/client.js'
import { loginFor } from '../../src/registry/credentials.js'
import { defaultRegistry, repositories, target } from '../../src/registry/reference.js'
import { partlyLine, pushLine } from '../../src/render/push-line.js'
import { newReport } from '../../src/report/report.js'
import { annotationsAt, buildAnnotations, parseAnnotation, type Annotation } from '../../src/rules/annotations.js'

// The pure pieces of the push: how a tag names a registry and repository, the login the Docker
// config holds, the annotations input, and the words of a partly pushed run.

const HUB = defaultRegistry('https://index.hub.example/v1/', { 'hub.example': { Name: 'hub.example', Official: true } })

describe('a tag as Docker reads it', () => {
  it.each([
    ['app', 'index.hub.example', 'library/app', 'latest'],
    ['o/app:1.2', 'index.hub.example', 'o/app', '1.2'],
    ['hub.example/o/app:1', 'index.hub.example', 'o/app', '1'],
    ['ghcr.example/o/app:1.0.0', 'ghcr.example', 'o/app', '1.0.0'],
    ['localhost:5000/app:dev', 'localhost:5000', 'app', 'dev'],
    ['127.0.0.1:5091/rv/one:1', '127.0.0.1:5091', 'rv/one', '1']
  ])('%s: %s, %s, %s', (ref, host, name, tag) => {
    expect(target(ref, HUB)).toMatchObject({ host, name, tag, ref })
  })

  it("the default registry's login is under its URL, as docker login stores it; a digest is no tag to push", () => {
    expect(target('app:1', HUB).loginKey).toBe('https://index.hub.example/v1/')
    expect(() => target('app@sha256:00', HUB)).toThrow('app@sha256:00 names a digest: a push needs a tag')
  })

  it('one entry per repository, in the order first named', () => {
    const tags = ['r.example/a:1', 'r.example/a:latest', 'q.example/a:1'].map(t => target(t, HUB))
    expect(repositories(tags).map(r => `${r.host}/${r.name}`)).toEqual(['r.example/a', 'q.example/a'])
  })

  it('plain HTTP only where the engine allows it: 127.0.0.0/8 and its insecure registries', () => {
    const config = { InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: { 'mirror.example:5000': { Secure: false } } }
    expect([insecureRegistry('127.0.0.1:5000', config), insecureRegistry('localhost:5000', config), insecureRegistry('mirror.example:5000', config), insecureRegistry('ghcr.example', config)]).toEqual([true, true, true, false])
  })

  it("reads a registry's challenge", () => {
    expect(parseChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:o/app:pull"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:o/app:pull' }
    })
  })
})

describe('the login docker login stored', () => {
  const config = (doc: unknown) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-config-'))
    writeFileSync(path.join(dir, 'config.json'), JSON.stringify(doc))
    return { DOCKER_CONFIG: dir }
  }

  it("auths' user:password, found by the registry's host whatever form the key has", async () => {
    const env = config({ auths: { 'https://r.example': { auth: Buffer.from('me:p:w').toString('base64') } } })
    expect(await loginFor('r.example', env)).toEqual({ username: 'me', password: 'p:w' })
    expect(await loginFor('other.example', env)).toBeUndefined()
  })

  it('an identity token is kept as one (a token service is asked with it)', async () => {
    expect(await loginFor('r.example', config({ auths: { 'r.example': { identitytoken: 'refresh' } } }))).toEqual({ identityToken: 'refresh' })
  })

  it('no config at all is no login; a helper that is not a plain name is refused, never run', async () => {
    expect(await loginFor('r.example', { DOCKER_CONFIG: mkdtempSync(path.join(tmpdir(), 'image-gate-config-')) })).toBeUndefined()
    await expect(loginFor('r.example', config({ credsStore: '../x' }))).rejects.toThrow('the Docker config names the credential helper "../x", which is not a helper\'s name')
    await expect(loginFor('r.example', config({ credHelpers: { 'r.example': 'image-gate-none' } }))).rejects.toThrow('the Docker config names the credential helper docker-credential-image-gate-none, which is not on PATH')
  })
})

describe('the annotations input, as buildx reads it', () => {
  const parsed = (...lines: string[]) => lines.map(l => parseAnnotation(l) as Annotation)

  it('levels, a platform, and a value that holds "=" and ","', () => {
    expect(parseAnnotation('org.example.a=x=y,z')).toMatchObject({ levels: ['manifest'], key: 'org.example.a', value: 'x=y,z' })
    expect(parseAnnotation('manifest,index:k=v')).toMatchObject({ levels: ['manifest', 'index'], key: 'k', value: 'v' })
    expect(parseAnnotation('manifest[linux/arm64]:k=v')).toMatchObject({ levels: ['manifest'], platform: 'linux/arm64' })
  })

  it('refuses what has no place, in words that say why', () => {
    expect(parseAnnotation('no-equals')).toBe('"no-equals" is not KEY=VALUE (with an optional level: index:KEY=VALUE)')
    expect(parseAnnotation('indx:k=v')).toBe('"indx:k=v" names the level "indx": the levels are manifest, manifest-descriptor, index, index-descriptor')
    expect(parseAnnotation('index[linux/amd64]:k=v')).toBe('"index[linux/amd64]:k=v": a platform ([linux/amd64]) applies to manifest levels only, not to the index')
    expect(parseAnnotation('index-descriptor:k=v')).toMatch(/^"index-descriptor:k=v": index-descriptor annotations go on an OCI layout's index\.json/)
  })

  it('each level gets its own, one platform its own too; the build gets the manifest levels', () => {
    const all = parsed('index:d=1', 'manifest:m=2', 'manifest[linux/arm64/v8]:arm=3', 'manifest-descriptor:md=4')
    expect(annotationsAt(all, 'index')).toEqual({ d: '1' })
    expect(annotationsAt(all, 'manifest', 'linux/amd64')).toEqual({ m: '2' })
    expect(annotationsAt(all, 'manifest', 'linux/arm64')).toEqual({ m: '2', arm: '3' })
    expect(buildAnnotations(all, 'linux/amd64')).toEqual(['manifest:m=2', 'manifest-descriptor:md=4'])
    expect(buildAnnotations(all, 'linux/arm64')).toEqual(['manifest:m=2', 'manifest[linux/arm64/v8]:arm=3', 'manifest-descriptor:md=4'])
  })
})

describe('partly pushed, in the report, the line and the outputs', () => {
  const A = 'ghcr.example/o/app:1.2.0'
  const B = 'mirror.example/o/app:1.2.0'
  const digest = `sha256:${'a'.repeat(64)}`

  it('names every tag that moved, to what, and the ones that did not', () => {
    const report = newReport()
    report.push = { outcome: 'partly-pushed', tags: [A, `${A.split(':')[0]}:latest`, B], digest, mediaType: 'application/vnd.oci.image.index.v1+json', size: 10, moved: [{ tag: A, digest }, { tag: `${A.split(':')[0]}:latest`, digest }], unmoved: [B], why: 'push of x failed: no' }
    expect(pushLine(report)).toBe(`partly pushed: ${A} and :latest now serve ${digest}; ${B} did not move: push of x failed: no`)
    const outputs = outputsOf(report)
    expect(outputs.digest).toBe(digest)
    expect(JSON.parse(outputs.metadata)).toMatchObject({ 'containerimage.digest': digest, 'image.name': `${A},${A.split(':')[0]}:latest` })
  })

  it('after every tag moved (a read-back that failed), and after a timeout, which the report error says', () => {
    const push = { outcome: 'partly-pushed' as const, tags: [A], moved: [{ tag: A, digest }], unmoved: [] }
    expect(partlyLine(push, 'the registry serves it as another')).toBe(`partly pushed: ${A} now serves ${digest}; every tag moved, but the registry serves it as another`)
    const report = newReport()
    report.push = { ...push, tags: [A, B], unmoved: [B] }
    report.error = { kind: 'timeout', message: 'timed out' }
    expect(pushLine(report)).toBe(`partly pushed: ${A} now serves ${digest}; ${B} did not move: the run timed out`)
  })
})
