#!/usr/bin/env bash
# second-engine.sh start|stop|config : a second Docker engine for the tests, the newest one Debian packages
# (docker.io from sid: Docker 28.5 today), with the containerd image store, beside the machine's own.
#
# GitHub's runners run Docker 28, and Docker 29 makes the containerd image store the default; the
# machine's engine (bookworm's 20.10) has neither. This engine shares nothing with it:
#   - dockerd comes from sid's .deb unpacked with `dpkg -x` into $PREFIX: nothing is installed over
#     the system's packages (it runs with bookworm's containerd and runc, which it accepts);
#   - its own socket, data root, exec root and pid file under $STATE and $DATA;
#   - its own network namespace ($NETNS), so its bridge and iptables rules stay off the host. Only
#     the network is separate (nsenter --net): `ip netns exec` would also remount /sys, hiding the
#     cgroup mounts dockerd needs.
#   - its own buildx, the one sid packages (docker-buildx, 0.29 today: BuildKit's build checks need
#     0.15), unpacked the same way, as a CLI plugin in its own Docker config directory, so the
#     system's docker and its buildx stay as they are for the machine's engine.
#   - compose: Debian sid's docker-compose (2.40, the real compose CLI plugin) where `docker compose`
#     does not work yet (setup-docker.sh installs it system-wide), unpacked the same way and linked
#     beside that buildx, which it builds with (compose 2.40 needs buildx 0.17 or later).
#   - IMAGE_GATE_ENGINE_USERNS=1: user-namespace remapping ("userns-remap": "default"), so root in a
#     container is an unprivileged host UID, as on hardened hosts: for the test that the user check
#     reads UIDs inside the container, not the host's. dockerd creates the dockremap user and its
#     /etc/subuid and /etc/subgid ranges itself (usermod; 100000:65536 on a machine with none), and
#     leaves existing ones as they are. With the classic image store: under the remap, Docker 28.5's
#     BuildKit cannot mount /proc for a RUN step on the containerd store ("permission denied").
# `start` prints the DOCKER_HOST to use (unix:///run/image-gate-engine/docker.sock); it does nothing when that engine already answers.
# `config` prints the DOCKER_CONFIG to use with it (/run/image-gate-engine/docker-config), whose
# cli-plugins/docker-buildx is that buildx (and docker-compose, where the system has none); `start` makes it. It holds no registry credentials: a
# `docker login` made with it goes there, not into ~/.docker.
# `stop` stops the daemon it started, by the PID in its pid file, and removes the namespace.
# As root on Debian only (like setup-docker.sh).
set -euo pipefail

PREFIX=${IMAGE_GATE_ENGINE_PREFIX:-/opt/image-gate/docker-sid}
# another NAME runs another such engine beside this one (each with its own socket and namespace)
NAME=${IMAGE_GATE_ENGINE_NAME:-image-gate-engine}
STATE=/run/$NAME
DATA=/var/lib/$NAME
NETNS=$NAME
SOCKET="unix://$STATE/docker.sock"
LOG=/var/log/$NAME-dockerd.log
CONFIG=$STATE/docker-config
BUILDX=$PREFIX/usr/libexec/docker/cli-plugins/docker-buildx

log() { printf 'second-engine: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# exactly this name (grep -w would also take "NAME" to exist when only "NAME-2" does)
netns_exists() { ip netns list | awk '{print $1}' | grep -qxF "$NETNS"; }
answers() { DOCKER_HOST=$SOCKET docker version >/dev/null 2>&1; }

# fetch PACKAGE FILE: unpacks sid's PACKAGE into $PREFIX unless FILE is there already
fetch() {
  [ -x "$PREFIX/$2" ] && return
  log "fetching $1 from Debian sid into $PREFIX"
  tmp=$(mktemp -d)
  bash "$(dirname "$0")/apt-download.sh" sid "$tmp" "$1"
  mkdir -p "$PREFIX"
  dpkg -x "$tmp/$1"_*.deb "$PREFIX"
  rm -rf "$tmp"
}

# The engine's Docker config directory: its buildx as a CLI plugin (a link, so a newer one unpacked
# into $PREFIX is used at once). The CLI looks there before the system's plugin directories.
config_dir() {
  fetch docker-buildx usr/libexec/docker/cli-plugins/docker-buildx
  mkdir -p "$CONFIG/cli-plugins"
  ln -sfn "$BUILDX" "$CONFIG/cli-plugins/docker-buildx"
  if ! DOCKER_CONFIG=$CONFIG docker compose version >/dev/null 2>&1; then
    fetch docker-compose usr/libexec/docker/cli-plugins/docker-compose
    ln -sfn "$PREFIX/usr/libexec/docker/cli-plugins/docker-compose" "$CONFIG/cli-plugins/docker-compose"
  fi
}

start() {
  if answers; then
    [ "$(id -u)" = 0 ] && config_dir
    echo "$SOCKET"
    return
  fi
  [ "$(id -u)" = 0 ] && [ -r /etc/debian_version ] || die "needs root on Debian"
  fetch docker.io usr/sbin/dockerd
  netns_exists || ip netns add "$NETNS"
  ip netns exec "$NETNS" ip link set lo up
  mkdir -p "$STATE" "$DATA"
  # dns: its namespace reaches no resolver, so a lookup would wait out its timeouts; the
  # containers' own loopback refuses at once instead, as a runner's resolver answers "no such name"
  # at once (names on a user-defined network still resolve: Docker's embedded DNS answers those)
  if [ "${IMAGE_GATE_ENGINE_USERNS:-}" = 1 ]; then
    # data under $DATA/<uid>.<gid> of the remap (docker info's DockerRootDir), apart from the
    # unremapped engine's if the same name ran without it
    printf '{"features": {"containerd-snapshotter": false}, "dns": ["127.0.0.1"], "userns-remap": "default"}\n' >"$STATE/daemon.json"
  else
    printf '{"features": {"containerd-snapshotter": true}, "dns": ["127.0.0.1"]}\n' >"$STATE/daemon.json"
  fi
  log "starting $("$PREFIX/usr/sbin/dockerd" --version) (log: $LOG)"
  # setsid: the daemon outlives this script. PATH: its own docker-proxy first.
  PATH="$PREFIX/usr/sbin:$PATH" setsid nsenter --net="/run/netns/$NETNS" "$PREFIX/usr/sbin/dockerd" \
    --config-file "$STATE/daemon.json" --host "$SOCKET" --data-root "$DATA" \
    --exec-root "$STATE/exec" --pidfile "$STATE/docker.pid" >"$LOG" 2>&1 </dev/null &
  for _ in $(seq 1 60); do
    answers && break
    sleep 1
  done
  answers || { tail -n 20 "$LOG" >&2 || true; die "the second dockerd did not come up within 60 s"; }
  config_dir
  log "ready: $(DOCKER_HOST=$SOCKET docker info --format 'engine {{.ServerVersion}}, {{.Driver}} ({{index .DriverStatus 0}})' 2>/dev/null), $(DOCKER_CONFIG=$CONFIG docker buildx version 2>/dev/null), $(DOCKER_CONFIG=$CONFIG docker compose version 2>/dev/null)"
  echo "$SOCKET"
}

stop() {
  if [ -s "$STATE/docker.pid" ]; then
    pid=$(cat "$STATE/docker.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
      done
    fi
  fi
  if netns_exists; then ip netns delete "$NETNS"; fi
  log "stopped"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  config) echo "$CONFIG" ;;
  *) die "usage: second-engine.sh start|stop|config" ;;
esac
