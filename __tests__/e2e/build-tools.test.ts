import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { formatSize } from '../../src/units.js'
import { checkRow, removeImages, runAction, standin, takeLeftovers, type ActionRun } from './action.js'

// Build tools beyond gcc and make, on the images that carry them (issue 29): the full ruby image's
// compilers, php's (phpize's), a Rust toolchain, a JDK where a JRE would do. Each comes with the
// final stage's base image, so the row names the base and the image to run on instead, with the
// exact words a user reads; sizes are the scan's own figures.

jest.setTimeout(300_000)
const TAG = 'image-gate-e2e/build-tools'
afterEach(async () => expect(await takeLeftovers()).toBe(''))
afterAll(() => removeImages(TAG))
beforeAll(() => {
  for (const name of ['ruby', 'php-fpm', 'rust', 'temurin-jdk'] as const) standin(name)
}, 240_000)

function context(lines: string[], files: Record<string, string> = {}): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'image-gate-tools-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    writeFileSync(path.join(dir, name), text)
  }
  writeFileSync(path.join(dir, 'Dockerfile'), [...lines, ''].join('\n'))
  return dir
}

/** Watched, not probed, and stopped at once: only the contents row is about. */
const QUICK = { 'require-healthcheck': 'false', 'stop-timeout': '1' }
const KEEP = `CMD ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]`

/** "/usr/bin/gcc (gcc, 83.2 MB, from (base image))" for the finding named `what`, with its size as the report has it. */
function named(run: ActionRun, what: string): string {
  const f = run.report.runs[0].contents.findings.find(x => x.what === what)
  if (!f) throw new Error(`no ${what} among ${run.report.runs[0].contents.findings.map(x => x.what).join(', ')}`)
  return `${f.path} (${what}, ${formatSize(f.size)}, from (base image))`
}

describe('compilers that come with the base image', () => {
  it('ruby:3.1 (the full image): gcc and make, and ruby:3.1-slim to run on', async () => {
    const run = await runAction({ context: context(['FROM ruby:3.1', 'WORKDIR /app', 'COPY Gemfile .', 'USER 10001', KEEP], { Gemfile: "gem 'puma'\n" }), tags: `${TAG}:ruby`, ...QUICK })
    expect(run.report.runs[0].contents.findings.map(f => [f.kind, f.what, f.path, f.ecosystem, f.fromBase])).toEqual([
      ['build-tool', 'gcc', '/usr/bin/gcc', 'ruby', 'ruby:3.1'],
      ['build-tool', 'make', '/usr/bin/make', 'ruby', 'ruby:3.1']
    ])
    expect(checkRow(run, 'contents').detail).toBe(
      `${named(run, 'gcc')}; ${named(run, 'make')}. gcc and make come with the base image ruby:3.1 (the full ruby image carries compilers for native gems), so a final stage FROM ruby:3.1 ships them however the build is staged: ` +
        'run on ruby:3.1-slim (bundle install in a stage FROM ruby:3.1 and COPY --from=build /usr/local/bundle /usr/local/bundle into a final stage FROM ruby:3.1-slim).'
    )
  })

  it('php:8.2-fpm, built in two stages on it: still its compilers, and the -alpine variant', async () => {
    const lines = ['FROM php:8.2-fpm AS build', 'RUN mkdir -p /out && echo "extension=x" > /out/x.ini', '', 'FROM php:8.2-fpm', 'COPY --from=build /out /usr/local/etc/php/conf.d/', 'USER www-data']
    const run = await runAction({ context: context(lines), tags: `${TAG}:php`, ...QUICK })
    expect(run.report.runs[0].contents.findings.map(f => [f.what, f.ecosystem, f.fromBase])).toEqual([
      ['gcc', 'php', 'php:8.2-fpm'],
      ['make', 'php', 'php:8.2-fpm']
    ])
    expect(checkRow(run, 'contents').detail).toBe(
      `${named(run, 'gcc')}; ${named(run, 'make')}. gcc and make come with the base image php:8.2-fpm (Debian's php images keep phpize's compilers for docker-php-ext-install), so a final stage FROM php:8.2-fpm ships them however the build is staged: ` +
        'run on php:8.2-fpm-alpine (docker-php-ext-install there installs gcc and make only while it builds).'
    )
  })
})

describe('toolchains', () => {
  it('rust:1.63 as the final stage: the Rust toolchain (rustc, cargo) with its libraries, and debian-slim for the binary', async () => {
    const files = { 'Cargo.toml': '[package]\nname = "app"\nversion = "0.1.0"\nedition = "2021"\n', 'src/main.rs': 'fn main() { loop { std::thread::sleep(std::time::Duration::from_secs(1)); } }\n' }
    const run = await runAction({ context: context(['FROM rust:1.63', 'WORKDIR /app', 'COPY . .', 'RUN cargo build --release --offline', 'USER 10001', 'CMD ["/app/target/release/app"]'], files), tags: `${TAG}:rust`, ...QUICK })
    expect(run.report.runs[0].build.ok).toBe(true)
    const rust = run.report.runs[0].contents.findings.find(f => f.what === 'Rust toolchain (rustc, cargo)')
    expect(rust).toMatchObject({ kind: 'build-tool', path: '/usr/local/cargo/bin/rustc', ecosystem: 'rust', fromBase: 'rust:1.63' })
    // rustc's driver and the standard library's rlibs, not the 14 kB rustc launcher alone
    expect(rust!.size).toBeGreaterThan(150_000_000)
    expect(checkRow(run, 'contents').detail).toBe(
      `${named(run, 'Rust toolchain (rustc, cargo)')}; ${named(run, 'gcc')}; ${named(run, 'make')}. Rust toolchain (rustc, cargo), gcc and make come with the base image rust:1.63 (every rust image, rust:1.63-slim too, is the Rust toolchain), so a final stage FROM rust:1.63 ships them however the build is staged: ` +
        'run on debian:bookworm-slim (cargo build --release in a stage FROM rust:1.63 and copy only the binary into a final stage FROM debian:bookworm-slim).'
    )
  })

  it('eclipse-temurin:17-jdk where a JRE would do: javac and what only a JDK has, and the -jre image', async () => {
    const app = 'public class App { public static void main(String[] a) throws Exception { Thread.sleep(Long.MAX_VALUE); } }\n'
    const run = await runAction({ context: context(['FROM eclipse-temurin:17-jdk', 'WORKDIR /app', 'COPY App.java .', 'RUN javac App.java', 'USER 10001', 'CMD ["java", "-cp", "/app", "App"]'], { 'App.java': app }), tags: `${TAG}:jdk`, ...QUICK })
    const jdk = run.report.runs[0].contents.findings.find(f => f.what === 'JDK (javac)')
    expect(jdk).toMatchObject({ kind: 'build-tool', path: '/usr/lib/jvm/java-17-openjdk-amd64/bin/javac', ecosystem: 'java', fromBase: 'eclipse-temurin:17-jdk' })
    // jmods, ct.sym and the JDK's own tools
    expect(jdk!.size).toBeGreaterThan(50_000_000)
    expect(checkRow(run, 'contents').detail).toBe(
      `${named(run, 'JDK (javac)')}. JDK (javac) comes with the base image eclipse-temurin:17-jdk (a JDK image carries the compiler and the modules jlink links from), so a final stage FROM eclipse-temurin:17-jdk ships it however the build is staged: ` +
        'run on eclipse-temurin:17-jre (build the jar in a stage FROM eclipse-temurin:17-jdk and copy only the jar into a final stage FROM eclipse-temurin:17-jre).'
    )
  })
})
