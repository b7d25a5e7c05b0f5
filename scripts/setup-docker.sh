#!/usr/bin/env bash
# Make a Docker engine with buildx available, for the tests and the local demo.
#
# Where `docker buildx version` and `docker info` already work (GitHub runners, a developer's
# laptop) this does nothing. As root on Debian it installs what is missing:
#   - docker.io and busybox-static from Debian (busybox is what the offline fixture images run),
#   - docker-buildx from Debian trixie (bookworm has none; the .deb needs only libc), fetched with
#     `apt-get download` through a temporary sources list that reuses this machine's own mirror,
#   - then starts dockerd in the background and waits until it answers.
# Anywhere else it says what is missing and exits 1.
set -euo pipefail

log() { printf 'setup-docker: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

engine_ready() { docker info >/dev/null 2>&1; }
buildx_ready() { docker buildx version >/dev/null 2>&1; }

if command -v docker >/dev/null 2>&1 && engine_ready && buildx_ready; then
  log "docker engine and buildx already work; nothing to do"
  exit 0
fi

is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
if [ "$(id -u)" != 0 ] || ! is_debian; then
  missing=()
  command -v docker >/dev/null 2>&1 || missing+=("the docker CLI")
  engine_ready || missing+=("a running Docker engine (docker info fails)")
  buildx_ready || missing+=("the buildx plugin (docker buildx version fails)")
  die "missing: ${missing[*]}. This script installs them only as root on Debian; install Docker Engine with the buildx plugin yourself, start it, and run again."
fi

export DEBIAN_FRONTEND=noninteractive
apt_updated=
apt_update() { [ -n "$apt_updated" ] || { apt-get update -qq; apt_updated=1; }; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v docker >/dev/null 2>&1 || need_pkgs+=(docker.io)
[ -x /bin/busybox ] || need_pkgs+=(busybox-static)
# dumb-init goes into the offline node:18-alpine stand-in (scripts/node-standin.sh).
command -v dumb-init >/dev/null 2>&1 || need_pkgs+=(dumb-init)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing ${need_pkgs[*]} from Debian"
  apt_update
  apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

if ! buildx_ready; then
  log "installing docker-buildx from Debian trixie"
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  bash "$(dirname "$0")/apt-download.sh" trixie "$tmp" docker-buildx
  dpkg -i "$tmp"/docker-buildx_*.deb >/dev/null
  buildx_ready || die "docker-buildx installed but 'docker buildx version' still fails"
fi

if ! engine_ready; then
  log "starting dockerd in the background (log: /var/log/dockerd.log)"
  # setsid: the daemon must outlive this script and the shell that ran it.
  setsid dockerd >/var/log/dockerd.log 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    engine_ready && break
    sleep 1
  done
  engine_ready || { tail -n 20 /var/log/dockerd.log >&2 || true; die "dockerd did not come up within 60 s"; }
fi

log "ready: $(docker version --format 'engine {{.Server.Version}}') / $(docker buildx version)"
