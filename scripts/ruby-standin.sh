#!/usr/bin/env bash
# Build an offline stand-in for ruby:3.1 with `docker import`: Debian bookworm's ruby 3.1 with puma,
# WEBrick, rack and bundler (Debian's packages of those gems, found by rubygems and `bundle exec`),
# and, like the real full ruby image (buildpack-deps underneath), a C toolchain (gcc, make,
# libc6-dev) and curl and wget: a base that carries compilers. GEM_HOME is /usr/local/bundle, as there.
# Nothing can be fetched by `gem install` or `bundle install` here: a Gemfile naming only these gems
# resolves from what is installed (`bundle install --local`).
# Usage: scripts/ruby-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=ruby:3.1
DESCRIPTION='image-gate offline stand-in for ruby:3.1 (Debian ruby 3.1 + puma, webrick, rack, bundler)'
PACKAGES=(ruby3.1 ruby puma ruby-webrick ruby-rack bundler gcc make libc6-dev curl wget)
CHANGES=(
  'ENV PATH=/usr/local/bundle/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV RUBY_VERSION=3.1.2'
  'ENV GEM_HOME=/usr/local/bundle'
  'ENV BUNDLE_SILENCE_ROOT_WARNING=1 BUNDLE_APP_CONFIG=/usr/local/bundle'
  'CMD ["irb"]'
)
customize() {
  mkdir -p "$root/usr/local/bundle/bin"
  chmod 1777 "$root/usr/local/bundle" "$root/usr/local/bundle/bin"
}
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
