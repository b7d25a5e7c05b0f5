import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { instructionPlace } from '../../src/dockerfile/places.js'
import { annotateContents } from '../../src/publish/annotations.js'
import { outputsOf } from '../../src/publish/outputs.js'
import { COMMENT_MAX_CHARS, renderMarkdown } from '../../src/render/markdown.js'
import { renderText } from '../../src/render/text.js'
import { silent } from '../../src/sink.js'
import { readSaveStream } from '../../src/saved/saved-image.js'
import { type Entry } from './tar.js'
import { image, judgedWith, scan } from './contents-scan.js'
import { reportOf } from './fixtures.js'
import { contentsOf } from '../../src/stages/size.js'

// The contents check on synthetic `docker save` archives: layers made here as tars, with a config
// whose history names the instruction of each layer. What it finds, what it leaves alone, and that
// no secret's value ever reaches the report or anything rendered from it.

const PASSWORD = 'hunter2-correct-horse-battery'
const KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7'.repeat(6)
const PEM = `-----BEGIN PRIVATE KEY-----\n${KEY_BODY.match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`

const BASE: [string, Entry[]] = ['ADD alpine-minirootfs.tar.gz /', [{ name: 'bin/busybox', data: 'x'.repeat(2000) }, { name: 'etc/passwd', data: 'root:x:0:0:root:/root:/bin/sh\n' }]]
const paths = (contents: { findings: { path: string }[] }) => contents.findings.map(f => f.path)

describe('contents scan: secrets', () => {
  it('finds secrets by name and by content, and leaves templates, certificates and marker-only code alone', async () => {
    const contents = await scan([
      BASE,
      ['ENV NODE_ENV=production', 'empty'],
      ['WORKDIR /app', [{ name: 'app/', type: 'directory' }]],
      [
        'COPY . .',
        [
          { name: 'app/.env', data: `DB_PASSWORD=${PASSWORD}\n` },
          { name: 'app/.env.production', data: `API_KEY=${PASSWORD}\n` },
          { name: 'app/.env.example', data: 'DB_PASSWORD=changeme\n' },
          { name: 'app/.env.sample', data: 'DB_PASSWORD=\n' },
          { name: 'app/.git/config', data: `[remote "origin"]\n\turl = https://x:${PASSWORD}@github.example/a/b\n` },
          { name: 'app/.git/HEAD', data: 'ref: refs/heads/main\n' },
          { name: 'app/certs/server.key.bak', data: PEM },
          { name: 'app/certs/ca.pem', data: `-----BEGIN CERTIFICATE-----\n${KEY_BODY}\n-----END CERTIFICATE-----\n` },
          { name: 'app/dist/jwt.js', data: "const head = '-----BEGIN PRIVATE KEY-----'; const tail = '-----END PRIVATE KEY-----'; module.exports = { head, tail }\n" },
          { name: 'app/.npmrc', data: `//registry.npmjs.org/:_authToken=${PASSWORD}\n` },
          { name: 'app/packages/a/.npmrc', data: '//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n' },
          { name: 'app/.yarnrc.yml', data: `npmAuthToken: "${PASSWORD}"\n` },
          { name: 'app/.env.empty' }
        ]
      ],
      [
        'RUN setup-credentials',
        [
          { name: 'root/.ssh/id_ed25519', data: PEM },
          // public keys: not secrets (a deploy key's private half above is)
          { name: 'root/.ssh/known_hosts', data: `github.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`.repeat(3) },
          { name: 'root/.ssh/authorized_keys', data: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl ci@example\n` },
          { name: 'root/.ssh/config', data: 'Host github.example\n  IdentityFile ~/.ssh/id_ed25519\n  StrictHostKeyChecking yes\n' },
          { name: 'root/.aws/credentials', data: `[default]\naws_secret_access_key = ${PASSWORD}\n` },
          { name: 'root/.docker/config.json', data: JSON.stringify({ auths: { 'ghcr.io': { auth: Buffer.from(`u:${PASSWORD}`).toString('base64') } } }) },
          { name: 'home/node/.docker/config.json', data: JSON.stringify({ auths: { 'ghcr.io': {} }, credsStore: 'desktop' }) },
          { name: 'root/.netrc', data: `machine github.example login x password ${PASSWORD}\n` }
        ]
      ],
      [
        'RUN apk add openssl ca-certificates',
        [
          { name: 'etc/ssl/private/ssl-cert-snakeoil.key', data: PEM },
          { name: 'usr/lib/python3.11/test/keycert.pem', data: PEM },
          { name: 'app/node_modules/ssh2/test/fixtures/id_rsa', data: PEM },
          { name: 'app/node_modules/webpack-dev-server/ssl/server.pem', data: PEM },
          { name: 'app/node_modules/dotenv/.env', data: `X=${PASSWORD}\n` }
        ]
      ]
    ])
    expect(contents.findings.map(f => [f.path, f.what, f.instruction])).toEqual([
      ['/app/.env', 'environment file', 'COPY . .'],
      ['/app/.env.production', 'environment file', 'COPY . .'],
      ['/app/certs/server.key.bak', 'private key (PEM)', 'COPY . .'],
      ['/app/.npmrc', 'npm auth token', 'COPY . .'],
      ['/app/.yarnrc.yml', 'yarn auth token', 'COPY . .'],
      ['/app/.git', 'git repository (.git)', 'COPY . .'],
      ['/root/.ssh/id_ed25519', 'SSH private key', 'RUN setup-credentials'],
      ['/root/.aws/credentials', 'AWS credentials', 'RUN setup-credentials'],
      ['/root/.docker/config.json', 'Docker registry credentials', 'RUN setup-credentials'],
      ['/root/.netrc', 'netrc credentials', 'RUN setup-credentials']
    ])
    expect(contents.findings.find(f => f.path === '/app/.git')!.size).toBe(`[remote "origin"]\n\turl = https://x:${PASSWORD}@github.example/a/b\n`.length + 21)
    expect(contents.findings.find(f => f.path === '/app/.env')!.size).toBe(`DB_PASSWORD=${PASSWORD}\n`.length)
    expect(contents).toMatchObject({ layers: 5, count: 10, allowed: 0 })
    // no value of any file is kept: only names, sizes and instructions
    expect(JSON.stringify(contents)).not.toContain(PASSWORD)
    expect(JSON.stringify(contents)).not.toContain('MIIE')
  })

  it('still finds a file a later layer deleted (a whiteout), and says which layer deleted it', async () => {
    const contents = await scan([
      BASE,
      ['COPY . .', [{ name: 'app/.env', data: `DB_PASSWORD=${PASSWORD}\n` }, { name: 'app/keys/deploy', data: PEM }, { name: 'app/index.js', data: 'x' }]],
      ['RUN rm -f .env', [{ name: 'app/.wh..env', data: '' }]],
      ['RUN rm -rf keys && mkdir keys', [{ name: 'app/keys/.wh..wh..opq', data: '' }]]
    ])
    expect(contents.findings.map(f => [f.path, f.instruction, f.deletedBy])).toEqual([
      ['/app/.env', 'COPY . .', 'RUN rm -f .env'],
      ['/app/keys/deploy', 'COPY . .', 'RUN rm -rf keys && mkdir keys']
    ])
    const report = judgedWith(contents)
    expect(report.checks.find(c => c.name === 'contents')!.detail).toContain(
      '/app/.env (environment file, 42 B, from COPY . .; deleted in a later layer (RUN rm -f .env), but that only hides it: it still ships in the layer that added it)'
    )
  })

  it('lets allow-paths through and refuses forbid-paths', async () => {
    const layers: Array<[string, Entry[]]> = [
      BASE,
      [
        'COPY . .',
        [
          { name: 'app/test/fixtures/client.pem', data: PEM },
          { name: 'app/.env', data: `A=${PASSWORD}\n` },
          { name: 'app/npm-debug.log', data: 'npm ERR! 404\n' },
          { name: 'app/logs/old.log', data: 'x' }
        ]
      ]
    ]
    expect(paths(await scan(layers))).toEqual(['/app/test/fixtures/client.pem', '/app/.env'])
    const contents = await scan(layers, { allowPaths: ['app/test/fixtures/*.pem', '/app/.env'], forbidPaths: ['*.log'] })
    expect(contents.findings.map(f => [f.kind, f.path, f.what])).toEqual([
      ['forbidden', '/app/npm-debug.log', 'matches forbid-paths'],
      ['forbidden', '/app/logs/old.log', 'matches forbid-paths']
    ])
    expect(contents).toMatchObject({ count: 2, allowed: 2 })
    // a forbidden path that is also a secret is named once, as the secret
    expect((await scan(layers, { forbidPaths: ['app/**'] })).findings.filter(f => f.path === '/app/.env').map(f => f.kind)).toEqual(['secret'])
  })
})

describe('contents scan: dev dependencies and build tools', () => {
  const manifest = JSON.stringify({ dependencies: { express: '^4' }, devDependencies: { typescript: '^5', '@types/node': '^20', jest: '^29', express: '^4' } })
  it('names the devDependencies installed beside the app package.json, with their installed size', async () => {
    const contents = await scan([
      BASE,
      ['COPY package*.json ./', [{ name: 'app/package.json', data: manifest }]],
      [
        'RUN npm ci',
        [
          { name: 'app/node_modules/typescript/package.json', data: '{}' },
          { name: 'app/node_modules/typescript/lib/tsc.js', data: 'x'.repeat(50_000) },
          { name: 'app/node_modules/@types/node/index.d.ts', data: 'y'.repeat(3_000) },
          { name: 'app/node_modules/express/index.js', data: 'z'.repeat(1_000) }
        ]
      ],
      ['RUN npm prune --omit=dev', [{ name: 'app/node_modules/.wh.typescript', data: '' }, { name: 'app/node_modules/@types/.wh.node', data: '' }]]
    ])
    expect(contents.findings.map(f => [f.kind, f.path, f.what, f.size, f.instruction, f.deletedBy])).toEqual([
      ['dev-dependency', '/app/node_modules/typescript', 'devDependency of /app/package.json', 50_002, 'RUN npm ci', 'RUN npm prune --omit=dev'],
      ['dev-dependency', '/app/node_modules/@types/node', 'devDependency of /app/package.json', 3_000, 'RUN npm ci', 'RUN npm prune --omit=dev']
    ])
    const row = judgedWith(contents).checks.find(c => c.name === 'contents')!
    expect(row).toMatchObject({ status: 'fail', value: '2 dev dependencies (53.0 kB)' })
    expect(row.detail).toContain('npm ci --omit=dev')
  })

  // jsonwebtoken needs semver at run time, and the app also lists semver as a devDependency:
  // `npm ci --omit=dev` keeps it, rightly. Only typescript is dev-only.
  const app = JSON.stringify({ dependencies: { jsonwebtoken: '^9' }, devDependencies: { semver: '^7', typescript: '^5' } })
  const installed: Entry[] = [
    { name: 'app/node_modules/jsonwebtoken/package.json', data: JSON.stringify({ name: 'jsonwebtoken', dependencies: { semver: '^7', ms: '^2' } }) },
    { name: 'app/node_modules/jsonwebtoken/index.js', data: 'j'.repeat(1_000) },
    { name: 'app/node_modules/ms/package.json', data: '{"name":"ms"}' },
    { name: 'app/node_modules/semver/package.json', data: '{"name":"semver"}' },
    { name: 'app/node_modules/semver/index.js', data: 's'.repeat(2_000) },
    { name: 'app/node_modules/typescript/package.json', data: '{"name":"typescript"}' },
    { name: 'app/node_modules/typescript/lib/tsc.js', data: 't'.repeat(5_000) }
  ]
  const devPaths = (contents: Awaited<ReturnType<typeof scan>>) => contents.findings.filter(f => f.kind === 'dev-dependency').map(f => f.path)

  it('keeps a devDependency that a production dependency needs: by the dependency graph', async () => {
    const contents = await scan([BASE, ['COPY package*.json ./', [{ name: 'app/package.json', data: app }]], ['RUN npm ci', installed]])
    expect(devPaths(contents)).toEqual(['/app/node_modules/typescript'])
    // nested: a copy under jsonwebtoken's own node_modules serves it, so the top-level semver is dev-only
    const nested = await scan([
      BASE,
      ['COPY package*.json ./', [{ name: 'app/package.json', data: app }]],
      ['RUN npm ci', [...installed, { name: 'app/node_modules/jsonwebtoken/node_modules/semver/package.json', data: '{"name":"semver"}' }]]
    ])
    expect(devPaths(nested)).toEqual(['/app/node_modules/typescript', '/app/node_modules/semver'])
  })

  it('keeps a devDependency that a production dependency needs: by what npm wrote in its hidden lockfile', async () => {
    const lock = (dev: string[]) => ({
      name: 'app/node_modules/.package-lock.json',
      data: JSON.stringify({
        name: 'app',
        lockfileVersion: 3,
        packages: Object.fromEntries(['jsonwebtoken', 'ms', 'semver', 'typescript'].map(n => [`node_modules/${n}`, { version: '1.0.0', ...(dev.includes(n) && { dev: true }) }]))
      })
    })
    // the lockfile is believed over the graph (here: no package manifests to walk at all)
    const bare = installed.filter(e => !e.name.endsWith('/package.json'))
    const contents = await scan([BASE, ['COPY package*.json ./', [{ name: 'app/package.json', data: app }]], ['RUN npm ci', [...bare, lock(['typescript'])]]])
    expect(devPaths(contents)).toEqual(['/app/node_modules/typescript'])
    const both = await scan([BASE, ['COPY package*.json ./', [{ name: 'app/package.json', data: app }]], ['RUN npm ci', [...bare, lock(['typescript', 'semver'])]]])
    expect(devPaths(both)).toEqual(['/app/node_modules/typescript', '/app/node_modules/semver'])
  })

  it('names compilers, make, python headers and a typescript that is not a devDependency', async () => {
    const contents = await scan([
      BASE,
      [
        'RUN apk add build-base python3-dev',
        [
          { name: 'usr/bin/gcc', type: 'symlink', linkname: 'gcc-12' },
          { name: 'usr/bin/gcc-12', data: 'g'.repeat(1_000) },
          { name: 'usr/libexec/gcc/x86_64-alpine-linux-musl/12/cc1', data: 'c'.repeat(20_000) },
          { name: 'usr/libexec/gcc/x86_64-alpine-linux-musl/12/cc1plus', data: 'p'.repeat(30_000) },
          { name: 'usr/bin/g++', data: 'g'.repeat(1_000) },
          { name: 'usr/bin/make', data: 'm'.repeat(500) },
          { name: 'usr/include/python3.11/Python.h', data: 'h'.repeat(200) },
          { name: 'usr/include/python3.11/object.h', data: 'h'.repeat(300) },
          { name: 'usr/lib/libgcc_s.so.1', data: 'l'.repeat(100) }
        ]
      ],
      ['RUN npm install -g typescript', [{ name: 'usr/local/lib/node_modules/typescript/lib/tsc.js', data: 't'.repeat(4_000) }]]
    ])
    expect(contents.findings.map(f => [f.kind, f.what, f.path, f.size])).toEqual([
      ['build-tool', 'g++', '/usr/bin/g++', 31_000],
      ['build-tool', 'gcc', '/usr/bin/gcc', 21_000],
      ['build-tool', 'typescript (tsc)', '/usr/local/lib/node_modules/typescript', 4_000],
      ['build-tool', 'make', '/usr/bin/make', 500],
      ['build-tool', 'python3 headers', '/usr/include/python3.11/Python.h', 500]
    ])
  })

  it('finds nothing in a clean image, and says what it read', async () => {
    const contents = await scan([BASE, ['COPY --from=build /app/dist ./dist', [{ name: 'app/dist/index.js', data: 'console.log(1)\n' }, { name: 'app/package.json', data: manifest }]]])
    expect(contents).toEqual({ layers: 2, files: 4, findings: [], count: 0, allowed: 0 })
    expect(judgedWith(contents).checks.find(c => c.name === 'contents')).toEqual({
      name: 'contents',
      status: 'pass',
      value: 'clean',
      limit: 'no secrets, dev dependencies or build tools',
      detail: 'Read 4 files in 2 layers: no secrets, devDependencies or build tools.'
    })
  })

  it('counts one file in one layer in the singular', async () => {
    const contents = await scan([['COPY server /server', [{ name: 'server', data: 'binary' }]]])
    expect(contents).toMatchObject({ layers: 1, files: 1, count: 0 })
    expect(judgedWith(contents).checks.find(c => c.name === 'contents')!.detail).toBe('Read 1 file in 1 layer: no secrets, devDependencies or build tools.')
  })

  it('scans in the same pass as the compressed size, and without it', async () => {
    const layers: Array<[string, Entry[]]> = [BASE, ['COPY . .', [{ name: 'app/.env', data: `A=${PASSWORD}\n` }]]]
    const measured = await readSaveStream(await image(layers), { threads: 1, scan: { forbid: () => false } })
    expect(measured.compressed).toBeGreaterThan(0)
    expect(contentsOf(measured, { allowPaths: [] }).findings.map(f => f.path)).toEqual(['/app/.env'])
    expect(paths(await scan(layers, { compress: false }))).toEqual(['/app/.env'])
  })
})

describe('contents row and outputs', () => {
  it('fails with the paths, sizes, instructions and fixes; never a value', async () => {
    const contents = await scan([BASE, ['COPY . .', [{ name: 'app/.env', data: `DB_PASSWORD=${PASSWORD}\n` }, { name: 'app/id_rsa', data: PEM }]]])
    const report = judgedWith(contents)
    const row = report.checks.find(c => c.name === 'contents')!
    expect(row).toMatchObject({ status: 'fail', value: '2 secrets', limit: 'no secrets, dev dependencies or build tools' })
    expect(row.detail).toMatch(/^\/app\/\.env \(environment file, 42 B, from COPY \. \.\); \/app\/id_rsa \(SSH private key, 371 B, from COPY \. \.\)\. Keep secrets out of the build context/)
    expect(outputsOf(reportOf(report))['contents-findings']).toBe('2')
    const dir = mkdtempSync(path.join(tmpdir(), 'contents-'))
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:18-alpine\nWORKDIR /app\nCOPY . .\nCMD ["node", "index.js"]\n')
    const errors: string[] = []
    annotateContents(reportOf(report), { file: path.join(dir, 'Dockerfile'), target: '' }, { ...silent, error: (m, place) => void errors.push(`${place?.line} ${place?.title}: ${m}`) }, dir)
    expect(errors).toEqual([expect.stringMatching(/^3 image-gate: this COPY puts a secret into the image: \/app\/\.env .*Add \*\*\/\.env, \*\*\/id_rsa to \.dockerignore/)])
    for (const shown of [JSON.stringify(report), renderMarkdown(reportOf(report)), renderText(reportOf(report)), ...Object.values(outputsOf(reportOf(report))), ...errors]) {
      expect(shown).not.toContain(PASSWORD)
      expect(shown).not.toContain('MIIE')
    }
  })

  it('reports without judging under require-clean-contents: false, and says when it did not scan', async () => {
    const contents = await scan([BASE, ['COPY . .', [{ name: 'app/.env', data: `A=${PASSWORD}\n` }]]])
    const row = judgedWith(contents, { requireCleanContents: false }).checks.find(c => c.name === 'contents')!
    expect(row).toMatchObject({ status: 'skip', value: '1 secret' })
    expect(row.detail).toMatch(/Not judged \(require-clean-contents: false\)\.$/)
    const notScanned = judgedWith({ notScanned: 'not scanned: the containerd image store keeps the layers compressed', findings: [], count: 0, allowed: 0 })
    expect(notScanned.checks.find(c => c.name === 'contents')).toMatchObject({ status: 'skip', value: 'not scanned', detail: 'not scanned: the containerd image store keeps the layers compressed.' })
    expect(outputsOf(reportOf(notScanned))['contents-findings']).toBe('')
  })
})

describe('many findings', () => {
  // 250 source maps in a `RUN npm ci` layer, then a token in the same layer: the forbid-paths cap
  // (200 listed per layer) must not push the secret out, and allowed matches are counted, not listed
  const npmLayer = (maps: number): [string, Entry[]] => [
    'RUN echo "//npm.pkg/:_authToken=$TOKEN" > /root/.npmrc && npm ci',
    [
      ...Array.from({ length: maps }, (_, i) => ({ name: `app/node_modules/pkg${i}/index.js.map`, data: '{}' })),
      { name: 'root/.npmrc', data: `//npm.pkg/:_authToken=${PASSWORD}\n` }
    ]
  ]

  it('never drops a secret for forbid-paths matches, however many', async () => {
    const allowed = await scan([BASE, npmLayer(250)], { forbidPaths: ['**/*.map'], allowPaths: ['**/node_modules/**'] })
    expect(allowed.findings.map(f => [f.kind, f.path, f.what])).toEqual([['secret', '/root/.npmrc', 'npm auth token']])
    expect([allowed.count, allowed.allowed]).toEqual([1, 250])
    const row = judgedWith(allowed).checks.find(c => c.name === 'contents')!
    expect(row).toMatchObject({ status: 'fail', value: '1 secret' })
    expect(row.detail).toMatch(/^\/root\/\.npmrc \(npm auth token, /)

    const forbidden = await scan([BASE, npmLayer(1_400)], { forbidPaths: ['**/*.map'] })
    expect(forbidden.findings[0]).toMatchObject({ kind: 'secret', path: '/root/.npmrc' })
    expect(forbidden.count).toBe(1_401)
    const capped = judgedWith(forbidden).checks.find(c => c.name === 'contents')!
    expect(capped.value).toBe('1401 findings (1 secret, 99 forbidden paths among the first 100)')
    expect(capped.detail).toContain('; and 1,398 more (the first 40 listed below).')
    expect(renderMarkdown(reportOf(judgedWith(forbidden)))).toContain('Contents findings (the first 40 of 1401)')
  })

  it('lists the first 40 in the summary, cut to fit a comment, and counts them all', () => {
    const findings = Array.from({ length: 100 }, (_, i) => ({
      kind: 'forbidden' as const,
      what: 'matches forbid-paths',
      path: `/app/${'deep/'.repeat(100)}file${i}.log`,
      size: 10,
      instruction: `COPY ${'x'.repeat(1_000)} .`,
      deletedBy: `RUN ${'y'.repeat(1_000)}`
    }))
    const report = judgedWith({ layers: 2, files: 500, findings, count: 150, allowed: 0 })
    expect(report.checks.find(c => c.name === 'contents')).toMatchObject({ status: 'fail', value: '150 findings (100 forbidden paths among the first 100)' })
    const comment = renderMarkdown(reportOf(report), COMMENT_MAX_CHARS)
    expect(comment).toContain('<details><summary>Contents findings (the first 40 of 150)</summary>')
    expect(comment.length).toBeLessThan(COMMENT_MAX_CHARS)
  })
})

describe('instructionPlace', () => {
  const dockerfile = [
    'FROM node:18-alpine AS build',
    'WORKDIR /app',
    'COPY . .',
    'RUN npm ci && \\',
    '    npm run build',
    '',
    'FROM node:18-alpine AS base',
    'WORKDIR /app',
    '',
    'FROM base',
    'COPY --from=build --chown=node:node /app/dist ./dist',
    'COPY  package.json   ./',
    'RUN ["npm", "ci", "--omit=dev"]'
  ].join('\n')
  it.each([
    ['COPY /app/dist ./dist', 11, 'INSTRUCTION'],
    ['COPY package.json ./', 12, 'INSTRUCTION'],
    ['RUN npm ci --omit=dev', 13, 'INSTRUCTION'],
    ['WORKDIR /app', 8, 'INSTRUCTION'], // from the stage the final one is built on
    ['RUN npm ci && npm run build', 7, 'FROM'], // the build stage's: not in the final image's stages, so its base
    ['ADD alpine-minirootfs.tar.gz /', 7, 'FROM'] // the base image's own layer: the FROM line it came through
  ])('%s → line %i', (instruction, line, kind) => {
    expect(instructionPlace(dockerfile, instruction)).toMatchObject({ line, instruction: kind })
  })
})
