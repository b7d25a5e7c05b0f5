#!/usr/bin/env bash
# Build an offline stand-in for eclipse-temurin:17-jdk with `docker import`: Debian bookworm's
# openjdk-17-jdk-headless (javac, jar, jlink: a compiler where a JRE would do) at
# JAVA_HOME=/opt/java/openjdk, as the real image lays it out, with its /__cacert_entrypoint.sh
# ENTRYPOINT, CMD ["jshell"] and, as there, curl, wget and binutils.
# Usage: scripts/temurin-jdk-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=eclipse-temurin:17-jdk
DESCRIPTION='image-gate offline stand-in for eclipse-temurin:17-jdk (Debian openjdk-17-jdk-headless)'
PACKAGES=(openjdk-17-jdk-headless ca-certificates curl wget binutils)
CHANGES=(
  'ENV JAVA_HOME=/opt/java/openjdk'
  'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV JAVA_VERSION=jdk-17'
  'ENTRYPOINT ["/__cacert_entrypoint.sh"]'
  'CMD ["jshell"]'
)
customize() { temurin_layout; }
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
