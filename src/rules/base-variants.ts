// The image to run on when the final stage's base image itself carries compilers or a toolchain
// (no stage built on it can take them out): the official images' own smaller variant, or the
// runtime image a toolchain's output runs on. Pure, from the FROM reference alone: the full ruby,
// python and node images (buildpack-deps underneath) have a -slim variant; Debian's php images keep
// phpize's gcc and make (the -alpine ones install and remove them per docker-php-ext-install); every
// rust and golang image is the toolchain; a JDK has its JRE.

export interface RunVariant {
  /** what the base carries, in a clause: "the full ruby image carries compilers for native gems" */
  why: string
  /** the image to run on */
  variant: string
  /** how the build moves to a stage of its own, in a clause */
  how: string
}

/** "docker.io/library/ruby:3.1" → { name: "ruby", tag: "3.1" }; undefined for another namespace's image. */
function officialRef(ref: string): { name: string; tag: string } | undefined {
  const m = /^(?:(?:docker\.io|index\.docker\.io)\/)?(?:library\/)?([a-z0-9][a-z0-9._-]*)(?::([\w][\w.-]*))?(?:@sha256:[0-9a-f]+)?$/.exec(ref.trim())
  return m ? { name: m[1], tag: m[2] ?? 'latest' } : undefined
}

/** The Debian release a tag names ("3.1-bookworm" → "bookworm"), else bookworm. */
function codename(tag: string): string {
  return /\b(bookworm|bullseye|buster|trixie)\b/.exec(tag)?.[1] ?? 'bookworm'
}

/** The plain OS image a toolchain image's binaries run on: its Alpine release, else its Debian one. */
function runtimeOf(tag: string): string {
  const alpine = /alpine([\d.]+)?/.exec(tag)
  return alpine ? `alpine:${alpine[1] ?? 'latest'}` : `debian:${codename(tag)}-slim`
}

/** "3.1" → "3.1-slim", "latest" → "slim", "3.1-bookworm" → "3.1-slim-bookworm". */
function slim(tag: string): string {
  if (tag === 'latest') return 'slim'
  const release = /-(bookworm|bullseye|buster|trixie)$/.exec(tag)
  return release ? `${tag.slice(0, release.index)}-slim${release[0]}` : `${tag}-slim`
}

export function runVariant(base: string): RunVariant | undefined {
  const ref = officialRef(base)
  if (!ref) return undefined
  const { name, tag } = ref
  const from = `${name}:${tag}`
  if (/slim|alpine/.test(tag) && name !== 'rust' && name !== 'golang') return undefined
  switch (name) {
    case 'ruby':
      return { why: 'the full ruby image carries compilers for native gems', variant: `ruby:${slim(tag)}`, how: `bundle install in a stage FROM ${from} and COPY --from=build /usr/local/bundle /usr/local/bundle into a final stage FROM ruby:${slim(tag)}` }
    case 'python':
      return { why: 'the full python image carries compilers for native wheels', variant: `python:${slim(tag)}`, how: `build wheels in a stage FROM ${from} and install them in a final stage FROM python:${slim(tag)}` }
    case 'node':
      return { why: 'the full node image carries compilers for native addons', variant: `node:${slim(tag)}`, how: `npm ci in a stage FROM ${from} and copy the app with its node_modules into a final stage FROM node:${slim(tag)}` }
    case 'buildpack-deps':
      return { why: 'buildpack-deps is a build image', variant: `debian:${codename(tag)}-slim`, how: `build in a stage FROM ${from} and copy only what it builds into a final stage FROM debian:${codename(tag)}-slim` }
    case 'php': {
      // the apache variants are Debian's only: php-fpm on Alpine behind a web server instead
      const variant = tag.includes('apache') ? `php:${tag.replace(/-?apache.*$/, '') || 'latest'}-fpm-alpine`.replace(/^php:latest-/, 'php:') : tag === 'latest' ? 'php:alpine' : `php:${tag}-alpine`
      const how = tag.includes('apache') ? `there is no apache -alpine variant: run ${variant} behind a web server` : `docker-php-ext-install there installs gcc and make only while it builds`
      return { why: "Debian's php images keep phpize's compilers for docker-php-ext-install", variant, how }
    }
    case 'rust': {
      const runtime = runtimeOf(tag)
      return { why: `every rust image${/slim|alpine/.test(tag) ? '' : `, ${name}:${slim(tag)} too,`} is the Rust toolchain`, variant: runtime, how: `cargo build --release in a stage FROM ${from} and copy only the binary into a final stage FROM ${runtime}` }
    }
    case 'golang':
      return { why: 'every golang image is the Go toolchain', variant: 'scratch', how: `go build (CGO_ENABLED=0) in a stage FROM ${from} and copy only the binary into a final stage FROM scratch (or ${runtimeOf(tag)})` }
    case 'erlang':
    case 'elixir':
      return { why: `the ${name} image is the whole OTP, compilers included`, variant: `debian:${codename(tag)}-slim`, how: `build a release (rebar3 as prod release, mix release) in a stage FROM ${from} and copy it into a final stage FROM debian:${codename(tag)}-slim: the release carries its runtime` }
    case 'eclipse-temurin':
    case 'openjdk':
    case 'maven':
    case 'gradle': {
      const jre = jreOf(name, tag)
      if (!jre) return undefined
      return { why: 'a JDK image carries the compiler and the modules jlink links from', variant: jre, how: `build the jar in a stage FROM ${from} and copy only the jar into a final stage FROM ${jre}` }
    }
  }
  return undefined
}

/** The Temurin JRE of a JDK image's Java version: "17-jdk-jammy" → eclipse-temurin:17-jre-jammy; maven:3.9-eclipse-temurin-17 → eclipse-temurin:17-jre. */
function jreOf(name: string, tag: string): string | undefined {
  if (name === 'eclipse-temurin') {
    if (/jre/.test(tag) || !/^\d+/.test(tag)) return undefined
    return `eclipse-temurin:${/jdk/.test(tag) ? tag.replace('jdk', 'jre') : tag.replace(/^([\d.u_+-]*?\d)(?=-|$)/, '$1-jre')}`
  }
  const version = name === 'openjdk' ? /^(\d+)/.exec(tag)?.[1] : /(?:temurin-|jdk-?)(\d+)/.exec(tag)?.[1]
  return version ? `eclipse-temurin:${version}-jre` : undefined
}
