#!/usr/bin/env bash
# Make a Docker engine with buildx available, for the tests and the local demo.
#
# Where `docker buildx version` and `docker info` already work (GitHub runners, a developer's
# laptop) this does nothing. As root on Debian it installs what is missing:
#   - docker.io and busybox-static from Debian (busybox is what the offline fixture images run),
#   - docker-buildx from Debian trixie (bookworm has none; the .deb needs only libc), fetched with
#     `apt-get download` through a temporary sources list that reuses this machine's own mirror,
#   - docker-compose from Debian sid (2.40: the real compose CLI plugin; the .deb needs only libc),
#     fetched the same way and installed with apt,
#   - where the buildx the CLI finds is older than 0.17 (trixie's is 0.13), which compose 2.40 refuses
#     to build with ("compose build requires buildx 0.17 or later"): sid's buildx for compose only.
#     Compose finds buildx the way the CLI finds plugins ($DOCKER_CONFIG/cli-plugins first, then the
#     system's directories), so a compose plugin in /usr/local/lib/docker/cli-plugins (looked in
#     before /usr/libexec) runs sid's compose with DOCKER_CONFIG=$COMPOSE_CONFIG, whose
#     cli-plugins/docker-buildx is sid's buildx. `docker buildx build`, image-gate's own builds,
#     keeps trixie's 0.13. Only when DOCKER_CONFIG is unset: a DOCKER_CONFIG of the caller's (the
#     second engine's, whose buildx is sid's) is left as it is.
#   - then starts dockerd in the background and waits until it answers.
# Anywhere else it says what is missing and exits 1.
set -euo pipefail

log() { printf 'setup-docker: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

engine_ready() { docker info >/dev/null 2>&1; }
buildx_ready() { docker buildx version >/dev/null 2>&1; }
compose_ready() { docker compose version >/dev/null 2>&1; }
# sid's buildx for compose only, and the Docker config directory compose runs with (see above)
SID_PREFIX=${IMAGE_GATE_ENGINE_PREFIX:-/opt/image-gate/docker-sid}
COMPOSE_CONFIG=/opt/image-gate/compose-docker-config
COMPOSE_SHIM=/usr/local/lib/docker/cli-plugins/docker-compose
# whether compose can build: the buildx it finds is 0.17 or later, or it runs with sid's (the shim)
compose_builds() {
  [ -x "$COMPOSE_SHIM" ] && grep -q image-gate "$COMPOSE_SHIM" && return 0
  local v
  v=$(docker buildx version 2>/dev/null | awk '{print $2}' | sed 's/^v//')
  [ -n "$v" ] && [ "$(printf '%s\n0.17.0\n' "$v" | sort -V | head -n1)" = 0.17.0 ]
}

if command -v docker >/dev/null 2>&1 && engine_ready && buildx_ready && compose_ready && compose_builds; then
  log "docker engine, buildx and compose already work; nothing to do"
  exit 0
fi

is_debian() { [ -r /etc/debian_version ] && command -v apt-get >/dev/null 2>&1; }
if [ "$(id -u)" != 0 ] || ! is_debian; then
  missing=()
  command -v docker >/dev/null 2>&1 || missing+=("the docker CLI")
  engine_ready || missing+=("a running Docker engine (docker info fails)")
  buildx_ready || missing+=("the buildx plugin (docker buildx version fails)")
  compose_ready || missing+=("the compose plugin (docker compose version fails)")
  compose_ready && ! compose_builds && missing+=("a buildx of 0.17 or later for compose to build with")
  die "missing: ${missing[*]}. This script installs them only as root on Debian; install Docker Engine with the buildx and compose plugins yourself, start it, and run again."
fi

export DEBIAN_FRONTEND=noninteractive
tmp=$(mktemp -d) # the .debs fetched
trap 'rm -rf "$tmp"' EXIT
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
  bash "$(dirname "$0")/apt-download.sh" trixie "$tmp" docker-buildx
  dpkg -i "$tmp"/docker-buildx_*.deb >/dev/null
  buildx_ready || die "docker-buildx installed but 'docker buildx version' still fails"
fi

if ! compose_ready; then
  log "installing docker-compose from Debian sid"
  bash "$(dirname "$0")/apt-download.sh" sid "$tmp" docker-compose
  apt_update
  apt-get install -y -qq --no-install-recommends "$tmp"/docker-compose_*.deb >/dev/null
  compose_ready || die "docker-compose installed but 'docker compose version' still fails"
fi

if ! compose_builds; then
  log "giving compose sid's buildx (image-gate's own builds keep $(docker buildx version | awk '{print $2}'))"
  sid_buildx=$SID_PREFIX/usr/libexec/docker/cli-plugins/docker-buildx
  if ! [ -x "$sid_buildx" ]; then
    bash "$(dirname "$0")/apt-download.sh" sid "$tmp/sid" docker-buildx
    mkdir -p "$SID_PREFIX"
    dpkg -x "$tmp"/sid/docker-buildx_*.deb "$SID_PREFIX"
  fi
  mkdir -p "$COMPOSE_CONFIG/cli-plugins" "$(dirname "$COMPOSE_SHIM")"
  ln -sfn "$sid_buildx" "$COMPOSE_CONFIG/cli-plugins/docker-buildx"
  # the logins compose pulls with: the default directory's, which is the one in effect when the shim steps in
  ln -sfn "$HOME/.docker/config.json" "$COMPOSE_CONFIG/config.json"
  # the package's compose, under another Docker config directory when the caller has none; the CLI
  # runs a plugin with its arguments (docker-cli-plugin-metadata, then compose's), passed on as they are
  cat >"$COMPOSE_SHIM" <<SHIM
#!/bin/sh
# image-gate's setup-docker.sh: compose with sid's buildx ($sid_buildx), which compose
# 2.40 needs to build, while \`docker buildx\` stays the system's. Remove this file to undo.
[ -n "\${DOCKER_CONFIG:-}" ] || DOCKER_CONFIG=$COMPOSE_CONFIG exec /usr/libexec/docker/cli-plugins/docker-compose "\$@"
exec /usr/libexec/docker/cli-plugins/docker-compose "\$@"
SHIM
  chmod 755 "$COMPOSE_SHIM"
  compose_builds || die "could not give compose a buildx of 0.17 or later"
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

log "ready: $(docker version --format 'engine {{.Server.Version}}') / $(docker buildx version) / $(docker compose version)"
