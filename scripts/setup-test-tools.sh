#!/usr/bin/env bash
# What the end-to-end tests need besides a Docker engine (scripts/setup-docker.sh), installed only
# where missing, as root on Debian; elsewhere it says what is missing and exits 1:
#   - Debian's docker-registry (CNCF distribution 2.8): the tests start it on 127.0.0.1 to push to
#     and pull from a real registry (nothing is started here);
#   - binfmt handlers for arm64 (qemu-user-static with binfmt-support, registered with the F flag so
#     they work inside containers), only where none is registered: on GitHub's runners
#     docker/setup-qemu-action registers them;
#   - a static arm64 busybox (Debian's busybox-static:arm64, downloaded and unpacked, the machine's
#     dpkg architectures untouched) at $BUSYBOX_ARM64, for FROM scratch arm64 fixtures;
#   - mmdebstrap and tini, for the offline base-image stand-ins built from Debian's packages
#     (scripts/*-standin.sh) and the init programs the runtime fixtures copy (tini-static).
# Usage: scripts/setup-test-tools.sh   (prints nothing but what it installs)
set -euo pipefail

BUSYBOX_ARM64=/var/cache/image-gate/busybox-arm64
log() { printf 'setup-test-tools: %s\n' "$*" >&2; }

missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
handler=/proc/sys/fs/binfmt_misc/qemu-aarch64
[ "$(uname -m)" = aarch64 ] || [ -e "$handler" ] || missing+=(qemu-user-static binfmt-support)
[ -x "$BUSYBOX_ARM64" ] || missing+=(busybox-static:arm64)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
[ -x /usr/bin/tini-static ] || missing+=(tini)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ] || ! [ -r /etc/debian_version ] || ! command -v apt-get >/dev/null 2>&1; then
  log "missing: ${missing[*]} (this script installs them only as root on Debian)"
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive

pkgs=()
[ -x /usr/bin/docker-registry ] || pkgs+=(docker-registry)
command -v mmdebstrap >/dev/null 2>&1 || pkgs+=(mmdebstrap)
[ -x /usr/bin/tini-static ] || pkgs+=(tini)
if [ "$(uname -m)" != aarch64 ] && ! [ -e "$handler" ]; then
  # binfmt_misc is a filesystem of its own; a container or a fresh VM may not have it mounted
  [ -e /proc/sys/fs/binfmt_misc/register ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
  pkgs+=(qemu-user-static binfmt-support)
fi
if [ ${#pkgs[@]} -gt 0 ]; then
  log "installing ${pkgs[*]} from Debian"
  apt-get update -qq
  # the packages' services are not started (no init system here): the tests start the registry
  apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
fi
if [ "$(uname -m)" != aarch64 ] && ! [ -e "$handler" ]; then
  update-binfmts --enable qemu-aarch64 >/dev/null 2>&1 || true
  [ -e "$handler" ] || { log "qemu-user-static is installed but no arm64 handler is registered in binfmt_misc"; exit 1; }
fi

if ! [ -x "$BUSYBOX_ARM64" ]; then
  log "downloading Debian's static busybox for arm64"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  APT_ARCH=arm64 bash "$(dirname "$0")/apt-download.sh" bookworm "$tmp" busybox-static:arm64
  dpkg-deb -x "$tmp"/busybox-static_*_arm64.deb "$tmp/root"
  mkdir -p "$(dirname "$BUSYBOX_ARM64")"
  install -m 755 "$tmp/root/bin/busybox" "$BUSYBOX_ARM64"
fi
