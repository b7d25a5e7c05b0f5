import { describe, expect, it } from '@jest/globals'
import { runVariant } from '../../src/rules/base-variants.js'
import { toolOf } from '../../src/saved/contents-rules.js'
import { judgedWith, scan } from './contents-scan.js'
import type { Entry } from './tar.js'

// Build tools beyond gcc, g++ and make: a Rust toolchain (Debian's and rustup's), a JDK's javac
// where a JRE would do, Erlang's erlc; and the fix when the base image itself carries them (php,
// the full ruby image, rust): a build stage on it leaves them in, so the row names its variant.

const row = (contents: Awaited<ReturnType<typeof scan>>) => judgedWith(contents).checks.find(c => c.name === 'contents')!
const bytes = (n: number, c = 'x') => c.repeat(n)

describe('which files are which toolchain', () => {
  it.each([
    ['usr/bin/rustc', 'Rust toolchain (rustc, cargo)', true],
    ['usr/bin/cargo', 'Rust toolchain (rustc, cargo)', true],
    ['usr/local/cargo/bin/rustc', 'Rust toolchain (rustc, cargo)', true],
    ['usr/local/rustup/toolchains/1.63.0-x86_64-unknown-linux-gnu/bin/rustc', 'Rust toolchain (rustc, cargo)', true],
    ['usr/local/rustup/toolchains/1.63.0-x86_64-unknown-linux-gnu/lib/librustc_driver-1f2e.so', 'Rust toolchain (rustc, cargo)', false],
    ['usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-a5a4.rlib', 'Rust toolchain (rustc, cargo)', false],
    ['usr/lib/x86_64-linux-gnu/librustc_driver-4c3beb7552356b6f.so', 'Rust toolchain (rustc, cargo)', false],
    ['usr/lib/jvm/java-17-openjdk-amd64/bin/javac', 'JDK (javac)', true],
    ['opt/java/openjdk/bin/javac', 'JDK (javac)', true],
    ['usr/lib/jvm/java-17-openjdk-amd64/jmods/java.base.jmod', 'JDK (javac)', false],
    ['opt/java/openjdk/lib/ct.sym', 'JDK (javac)', false],
    ['usr/lib/erlang/bin/erlc', 'Erlang compiler (erlc)', true],
    ['usr/local/lib/erlang/bin/erlc', 'Erlang compiler (erlc)', true]
  ])('%s: %s', (path, name, main) => {
    expect(toolOf(path)).toMatchObject({ name, main })
  })
  it('leaves a JRE, a rust binary and the app alone', () => {
    expect(toolOf('opt/java/openjdk/bin/java')).toBeUndefined()
    expect(toolOf('opt/java/openjdk/lib/modules')).toBeUndefined()
    expect(toolOf('usr/local/bin/app')).toBeUndefined()
    expect(toolOf('app/target/release/rustc-wrapper')).toBeUndefined()
  })
  it('names rustc before its proxies and cargo', () => {
    expect(toolOf('usr/bin/rustc')?.rank).toBeLessThan(toolOf('usr/bin/cargo')!.rank)
  })
})

describe('the fix', () => {
  const BASE: [string, Entry[]] = ['ADD rootfs.tar.xz /', [{ name: 'bin/sh', data: bytes(100) }]]
  it('a Rust toolchain installed in the final stage: the whole toolchain counted, and the binary copied from a build stage', async () => {
    const rust: [string, Entry[]] = [
      'RUN apt-get install -y rustc cargo',
      [
        { name: 'usr/bin/rustc', data: bytes(1_000) },
        { name: 'usr/bin/cargo', data: bytes(2_000) },
        { name: 'usr/lib/x86_64-linux-gnu/librustc_driver-4c3b.so', data: bytes(5_000) },
        { name: 'usr/lib/rustlib/x86_64-unknown-linux-gnu/lib/libstd-a5a4.rlib', data: bytes(3_000) }
      ]
    ]
    const contents = await scan([BASE, rust, ['COPY . /app', [{ name: 'app/Cargo.toml', data: '[package]\n' }]]], { dockerfile: 'FROM debian:bookworm-slim\nRUN apt-get install -y rustc cargo\nCOPY . /app\n' })
    expect(contents.findings.map(f => [f.what, f.path, f.size, f.ecosystem, f.fromBase])).toEqual([['Rust toolchain (rustc, cargo)', '/usr/bin/rustc', 11_000, 'rust', undefined]])
    expect(row(contents).detail).toBe(
      '/usr/bin/rustc (Rust toolchain (rustc, cargo), 11.0 kB, from RUN apt-get install -y rustc cargo). Build in a stage of its own (FROM rust) and copy only the binary into the final stage (COPY --from=build /app/target/release/app /app): the Rust toolchain stays behind.'
    )
  })

  it('a JDK where a JRE would do: javac and what only a JDK has', async () => {
    const jdk: [string, Entry[]] = [
      '(base image)',
      [
        { name: 'opt/java/openjdk/bin/java', data: bytes(500) },
        { name: 'opt/java/openjdk/bin/javac', data: bytes(100) },
        { name: 'opt/java/openjdk/jmods/java.base.jmod', data: bytes(4_000) },
        { name: 'opt/java/openjdk/lib/ct.sym', data: bytes(900) },
        { name: 'opt/java/openjdk/lib/modules', data: bytes(9_000) }
      ]
    ]
    const contents = await scan([jdk, ['COPY app.jar /app/app.jar', [{ name: 'app/app.jar', data: bytes(50) }]]], { dockerfile: 'FROM eclipse-temurin:17-jdk\nCOPY app.jar /app/app.jar\nCMD ["java", "-jar", "/app/app.jar"]\n' })
    expect(contents.findings.map(f => [f.what, f.size, f.ecosystem, f.fromBase])).toEqual([['JDK (javac)', 5_000, 'java', 'eclipse-temurin:17-jdk']])
    expect(row(contents).detail).toBe(
      '/opt/java/openjdk/bin/javac (JDK (javac), 5.00 kB, from (base image)). JDK (javac) comes with the base image eclipse-temurin:17-jdk (a JDK image carries the compiler and the modules jlink links from), so a final stage FROM eclipse-temurin:17-jdk ships it however the build is staged: run on eclipse-temurin:17-jre (build the jar in a stage FROM eclipse-temurin:17-jdk and copy only the jar into a final stage FROM eclipse-temurin:17-jre).'
    )
  })

  it('compilers the full ruby image carries: the base is named, and its -slim variant', async () => {
    const ruby: [string, Entry[]] = [
      '(base image)',
      [
        { name: 'usr/bin/ruby3.1', data: bytes(200) },
        { name: 'usr/bin/gcc-12', data: bytes(1_000) },
        { name: 'usr/bin/gcc', type: 'symlink', linkname: 'gcc-12' },
        { name: 'usr/bin/make', data: bytes(300) }
      ]
    ]
    const dockerfile = 'FROM ruby:3.1\nWORKDIR /app\nCOPY Gemfile config.ru ./\nRUN bundle install\nCMD ["bundle", "exec", "puma"]\n'
    const contents = await scan([ruby, ['COPY Gemfile config.ru ./', [{ name: 'app/Gemfile', data: "gem 'puma'\n" }]]], { dockerfile })
    expect(contents.findings.map(f => [f.what, f.ecosystem, f.fromBase])).toEqual([
      ['gcc', 'ruby', 'ruby:3.1'],
      ['make', 'ruby', 'ruby:3.1']
    ])
    expect(row(contents).detail).toBe(
      '/usr/bin/gcc (gcc, 1.00 kB, from (base image)); /usr/bin/make (make, 300 B, from (base image)). gcc and make come with the base image ruby:3.1 (the full ruby image carries compilers for native gems), so a final stage FROM ruby:3.1 ships them however the build is staged: ' +
        'run on ruby:3.1-slim (bundle install in a stage FROM ruby:3.1 and COPY --from=build /usr/local/bundle /usr/local/bundle into a final stage FROM ruby:3.1-slim).'
    )
    // installed by the Dockerfile itself: the build-stage advice, in Ruby's words
    const own = await scan([['ADD rootfs.tar /', [{ name: 'usr/bin/ruby3.1', data: bytes(200) }]], ['RUN apt-get install -y gcc', [{ name: 'usr/bin/gcc', data: bytes(1_000) }]]], {
      dockerfile: 'FROM debian:bookworm-slim\nRUN apt-get install -y gcc\n'
    })
    expect(row(own).detail).toBe('/usr/bin/gcc (gcc, 1.00 kB, from RUN apt-get install -y gcc). Keep compilers and build tools in a build stage: bundle install there and copy the gems into the final stage (COPY --from=build /usr/local/bundle /usr/local/bundle).')
  })

  it('a multi-stage build whose final stage is FROM the same base still names the base', async () => {
    const php: [string, Entry[]] = ['(base image)', [{ name: 'usr/bin/php8.2', data: bytes(300) }, { name: 'usr/bin/gcc', data: bytes(1_000) }]]
    const dockerfile = 'FROM php:8.2-fpm AS build\nRUN docker-php-ext-install pdo_mysql\n\nFROM php:8.2-fpm\nCOPY --from=build /usr/local/lib/php/extensions /usr/local/lib/php/extensions\n'
    const contents = await scan([php, ['COPY /usr/local/lib/php/extensions /usr/local/lib/php/extensions', [{ name: 'usr/local/lib/php/extensions/x.so', data: bytes(10) }]]], { dockerfile })
    expect(row(contents).detail).toContain(
      "gcc comes with the base image php:8.2-fpm (Debian's php images keep phpize's compilers for docker-php-ext-install), so a final stage FROM php:8.2-fpm ships it however the build is staged: run on php:8.2-fpm-alpine (docker-php-ext-install there installs gcc and make only while it builds)."
    )
  })

  it('without the Dockerfile the usual build-stage advice', async () => {
    const contents = await scan([['(base image)', [{ name: 'usr/bin/gcc', data: bytes(1_000) }]]])
    expect(contents.findings[0].fromBase).toBeUndefined()
  })
})

describe('runVariant', () => {
  it.each([
    ['ruby:3.1', 'ruby:3.1-slim'],
    ['ruby', 'ruby:slim'],
    ['ruby:latest', 'ruby:slim'],
    ['ruby:3.1-bookworm', 'ruby:3.1-slim-bookworm'],
    ['python:3.11', 'python:3.11-slim'],
    ['node:20', 'node:20-slim'],
    ['php:8.2-fpm', 'php:8.2-fpm-alpine'],
    ['php:8.2-apache', 'php:8.2-fpm-alpine'],
    ['php:8.2-cli', 'php:8.2-cli-alpine'],
    ['php', 'php:alpine'],
    ['rust:1.63', 'debian:bookworm-slim'],
    ['rust:1.63-slim-bullseye', 'debian:bullseye-slim'],
    ['rust:1.63-alpine3.16', 'alpine:3.16'],
    ['golang:1.19', 'scratch'],
    ['eclipse-temurin:17-jdk', 'eclipse-temurin:17-jre'],
    ['eclipse-temurin:17', 'eclipse-temurin:17-jre'],
    ['eclipse-temurin:17-jdk-jammy', 'eclipse-temurin:17-jre-jammy'],
    ['openjdk:17', 'eclipse-temurin:17-jre'],
    ['maven:3.9-eclipse-temurin-17', 'eclipse-temurin:17-jre'],
    ['erlang:26', 'debian:bookworm-slim'],
    ['docker.io/library/ruby:3.1', 'ruby:3.1-slim']
  ])('%s → %s', (base, variant) => {
    expect(runVariant(base)?.variant).toBe(variant)
  })
  it('none for a slim or alpine image, a JRE, another namespace or a plain OS', () => {
    for (const base of ['ruby:3.1-slim', 'php:8.2-fpm-alpine', 'eclipse-temurin:17-jre', 'bitnami/ruby:3.1', 'debian:bookworm', 'ubuntu:22.04']) expect(runVariant(base)).toBeUndefined()
  })
})
