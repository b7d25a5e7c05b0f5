#!/usr/bin/env bash
# standins.sh [NAME...]: builds the rootfs tarballs of the Debian-built stand-ins (all of them, or the
# NAMEs: debian, ruby, php-fpm, php-apache, nginx, temurin-jre, temurin-jdk, rust) into their cache,
# without an engine, so that the tests only import them (seconds each). A tarball already cached for
# the script as it is now costs nothing; a fresh machine builds each once (about 3 minutes in all).
# scripts/test.sh runs it before the end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")"
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(debian ruby php-fpm php-apache nginx temurin-jre temurin-jdk rust)
for name in "${names[@]}"; do
  [ -f "$name-standin.sh" ] || { echo "standins.sh: no scripts/$name-standin.sh" >&2; exit 2; }
  bash "$name-standin.sh" --cache-only
done
