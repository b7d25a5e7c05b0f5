#!/usr/bin/env bash
# Build an offline stand-in for eclipse-temurin:17-jre with `docker import`: Debian bookworm's
# openjdk-17-jre-headless (the java launcher and the runtime's modules, jdk.httpserver among them)
# at JAVA_HOME=/opt/java/openjdk, as the real image lays it out, with its /__cacert_entrypoint.sh
# ENTRYPOINT (which execs the command: java is PID 1) and, as there, curl and wget. No javac.
# Usage: scripts/temurin-jre-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=eclipse-temurin:17-jre
DESCRIPTION='image-gate offline stand-in for eclipse-temurin:17-jre (Debian openjdk-17-jre-headless)'
PACKAGES=(openjdk-17-jre-headless ca-certificates curl wget)
CHANGES=(
  'ENV JAVA_HOME=/opt/java/openjdk'
  'ENV PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV LANG=C.UTF-8'
  'ENV JAVA_VERSION=jdk-17'
  'ENTRYPOINT ["/__cacert_entrypoint.sh"]'
)
customize() { temurin_layout; }
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
