# Shared by the offline base-image stand-ins (scripts/*-standin.sh): sourced, not run.
#
# Each stand-in assembles a small rootfs from what the host or Debian's archive has and imports it
# with `docker import` under the tag real Dockerfiles name, so those Dockerfiles build verbatim where
# no registry is reachable. The caller sets TAG and DESCRIPTION before sourcing this file.
# Two kinds: python, golang and node assemble their rootfs by hand (standin_start ... standin_import);
# the others are Debian bookworm itself, installed by mmdebstrap and cached (debian_standin, below).

log() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# standin_start [--force]: exits 0 when the image is already there (real or ours), else makes $root.
standin_start() {
  local force=
  for arg in "$@"; do
    case "$arg" in
      --force) force=1 ;;
      *) die "unknown argument '$arg' (usage: $0 [--force])" ;;
    esac
  done
  command -v docker >/dev/null 2>&1 || die "docker CLI not found (see scripts/setup-docker.sh)"
  if [ -z "$force" ] && docker image inspect "$TAG" >/dev/null 2>&1; then
    log "$TAG already present; nothing to do (--force rebuilds)"
    exit 0
  fi
  docker info >/dev/null 2>&1 || die "docker engine not reachable (docker info fails; run scripts/setup-docker.sh)"
  umask 022 # everything in the image must be readable by non-root users
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/standin.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  root=$tmp/rootfs
  mkdir "$root"
  chmod 755 "$root" # becomes the image's /; mktemp's 0700 would lock non-root users out
  mkdir -p "$root"/{bin,sbin,etc,root,tmp,var/tmp,run,opt,mnt,srv,proc,sys,dev,home} \
    "$root"/usr/{bin,sbin,lib} "$root"/usr/local/{bin,sbin,lib}
  chmod 1777 "$root/tmp" "$root/var/tmp"
  chmod 700 "$root/root"
}

# Copy the libraries ldd resolves for a host binary to the same absolute paths (incl. the loader).
copy_libs() { # <host-binary>
  local lib
  for lib in $(ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
    [ -e "$root$lib" ] && continue
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
}

copy_with_libs() { # <host-binary> <path-in-image>
  mkdir -p "$root$(dirname "$2")"
  cp -L "$1" "$root$2"
  copy_libs "$1"
}

# The static busybox as /bin/busybox with applet symlinks, except the applets named (a Debian-slim
# base has no wget, so a stand-in for one must not have it either).
install_busybox() { # [applet-to-leave-out ...]
  local busybox=/bin/busybox path name skip
  [ -x "$busybox" ] && ! ldd "$busybox" >/dev/null 2>&1 ||
    die "static busybox not found at /bin/busybox (Debian: apt-get install -y busybox-static)"
  cp -L "$busybox" "$root/bin/busybox"
  for path in $("$busybox" --list-full); do
    name=${path##*/}
    case "$name" in linuxrc | busybox) continue ;; esac
    for skip in "$@"; do [ "$name" = "$skip" ] && continue 2; done
    [ -e "$root/$path" ] || [ -L "$root/$path" ] && continue
    mkdir -p "$root/$(dirname "$path")"
    ln -s /bin/busybox "$root/$path"
  done
}

# Debian's base accounts (root, daemon, bin, sys, nobody/nogroup) and name lookups from files.
debian_accounts() {
  cat >"$root/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
bin:x:2:2:bin:/bin:/usr/sbin/nologin
sys:x:3:3:sys:/dev:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
  cat >"$root/etc/group" <<'EOF'
root:x:0:
daemon:x:1:
bin:x:2:
sys:x:3:
nogroup:x:65534:
EOF
  sed 's/^\([^:]*\):.*/\1:*:19000:0:99999:7:::/' "$root/etc/passwd" >"$root/etc/shadow"
  sed 's/^\([^:]*\):.*/\1:*::/' "$root/etc/group" >"$root/etc/gshadow"
  chmod 640 "$root/etc/shadow" "$root/etc/gshadow"
  printf '/bin/sh\n' >"$root/etc/shells"
  printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
}

# apt-get stand-in: nothing can be downloaded, so `apt-get install` succeeds only for packages whose
# command is already in the image; `update` does nothing. Real Dockerfiles' apt lines then build.
apt_shim() {
  mkdir -p "$root/var/lib/apt/lists" "$root/var/cache/apt"
  cat >"$root/usr/bin/apt-get" <<'EOF'
#!/bin/sh
# image-gate offline stand-in for apt-get: nothing is downloaded.
say() { echo "apt-get (image-gate offline stand-in): $*"; }
sub=
pkgs=
for a; do
  case $a in
    -*) ;;
    *) if [ -z "$sub" ]; then sub=$a; else pkgs="$pkgs ${a%%=*}"; fi ;;
  esac
done
case $sub in
  update | clean | autoclean | autoremove | upgrade | dist-upgrade) say "'apt-get $sub' does nothing offline"; exit 0 ;;
  install) ;;
  *) echo "E: 'apt-get $sub' is not supported by the offline stand-in" >&2; exit 100 ;;
esac
# a package is there when its command is, or when dpkg (in the Debian-built stand-ins) has it installed
installed() { dpkg-query -W -f '${Status}' "$1" 2>/dev/null | grep -q ' installed$'; }
for p in $pkgs; do
  command -v "$p" >/dev/null 2>&1 || installed "$p" || { echo "E: Unable to locate package $p (offline stand-in: nothing can be downloaded)" >&2; exit 100; }
done
for p in $pkgs; do
  if command -v "$p" >/dev/null 2>&1; then say "$p is already in the image ($(command -v "$p"))"; else say "$p is already installed"; fi
done
EOF
  chmod 755 "$root/usr/bin/apt-get"
  ln -sf apt-get "$root/usr/bin/apt"
}

os_release() { # <id-like> <pretty>
  cat >"$root/etc/os-release" <<EOF
NAME="image-gate offline stand-in"
ID=image-gate-standin
ID_LIKE=$1
VERSION_CODENAME=bookworm
PRETTY_NAME="$2"
EOF
}

# standin_import [--change ...]: tars $root (all root-owned) and imports it as $TAG.
standin_import() {
  local tarball=$tmp/rootfs.tar old_id new_id
  tar -C "$root" --numeric-owner --owner=0 --group=0 -cf "$tarball" .
  old_id=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
  log "importing $(du -sh "$tarball" | cut -f1) rootfs as $TAG"
  new_id=$(docker import --change "LABEL org.opencontainers.image.description=\"$DESCRIPTION\"" "$@" "$tarball" "$TAG")
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  log "built $TAG: $new_id ($(docker image inspect -f '{{.Size}}' "$TAG" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
}

# --- Stand-ins that are Debian bookworm itself (mmdebstrap), cached ------------------------------
#
# The script sets TAG, DESCRIPTION, PACKAGES (installed with their dependencies on top of Debian's
# minbase, the package set of debian:bookworm-slim), CHANGES (the `docker import --change` lines:
# ENV, CMD, STOPSIGNAL, ...), defines customize() (what the real image adds to those packages, done
# in $root), then calls `debian_standin "$@"`. The rootfs is built once per machine: its tarball is
# cached in $STANDIN_CACHE under a key hashed from the script and this file (an edited script
# builds anew), under flock, so engines and worktrees building at once share one build. A cached
# tarball is only imported. The image's history comment names the key: an engine with an image of
# an older script imports the new one; an image not made by a stand-in script is left alone.
STANDIN_CACHE=${IMAGE_GATE_STANDIN_CACHE:-/var/cache/image-gate/standins}
STANDIN_MARK='image-gate offline stand-in'

# debian_standin [--force] [--cache-only]: --force rebuilds the tarball and imports it over any
# image of that tag; --cache-only builds the tarball without an engine (scripts/test.sh does, once).
debian_standin() {
  local force= cache_only= arg name key tarball comment
  for arg in "$@"; do
    case "$arg" in
      --force) force=1 ;;
      --cache-only) cache_only=1 ;;
      *) die "unknown argument '$arg' (usage: $0 [--force] [--cache-only])" ;;
    esac
  done
  name=${0##*/}
  name=${name%-standin.sh}
  key=$(cat "$0" "${BASH_SOURCE[0]}" | sha256sum | cut -c1-16)
  tarball=$STANDIN_CACHE/$name-$key.tar
  if [ -z "$cache_only" ]; then
    command -v docker >/dev/null 2>&1 || die "docker CLI not found (see scripts/setup-docker.sh)"
    if [ -z "$force" ] && comment=$(docker image inspect -f '{{.Comment}}' "$TAG" 2>/dev/null); then
      case "$comment" in
        "$STANDIN_MARK $name $key") exit 0 ;;
        "$STANDIN_MARK "*) log "$TAG is a stand-in of an older script: replacing it" ;;
        *) log "$TAG already present (not made by $0); left alone (--force replaces it)"; exit 0 ;;
      esac
    fi
    docker info >/dev/null 2>&1 || die "docker engine not reachable (docker info fails; run scripts/setup-docker.sh)"
  fi
  mkdir -p "$STANDIN_CACHE"
  # one lock per stand-in: exclusive to build, shared to import (a build removes unused old tarballs)
  exec 9>"$STANDIN_CACHE/$name.lock"
  flock 9
  if [ -n "$force" ] || ! [ -s "$tarball" ]; then debian_build "$tarball" "$name"; fi
  touch "$tarball"
  flock -s 9
  [ -n "$cache_only" ] && exit 0
  debian_import "$tarball" "$STANDIN_MARK $name $key"
}

# The host's own apt sources for bookworm (the machine's mirror), one mmdebstrap MIRROR argument each.
debian_sources() {
  local file found=
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] && grep -qE '^[^#]*bookworm' "$file" && echo "$file" && found=1
  done
  [ -n "$found" ] || die "no bookworm source in /etc/apt: the Debian-built stand-ins need Debian's archive"
}

debian_build() { # <tarball> <name>
  local tarball=$1 started=$SECONDS old sources include=()
  [ "$(id -u)" = 0 ] || die "building $TAG needs root (mmdebstrap installs Debian's packages into a chroot)"
  command -v mmdebstrap >/dev/null 2>&1 || die "mmdebstrap not found (Debian: apt-get install mmdebstrap; scripts/setup-test-tools.sh installs it)"
  mapfile -t sources < <(debian_sources)
  [ ${#PACKAGES[@]} -eq 0 ] || include=(--include="$(IFS=,; echo "${PACKAGES[*]}")")
  umask 022
  tmp=$(mktemp -d "$STANDIN_CACHE/.build-$2.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  root=$tmp/rootfs
  log "building $TAG from Debian bookworm: ${PACKAGES[*]:-minbase only}"
  # minbase is what debian:bookworm-slim is made of; docs, man pages and translations are left out
  # as the slim images do (dpkg keeps excluding them for packages a Dockerfile installs later);
  # man1 stays as an empty folder, where update-alternatives links java's man page (OpenJDK's
  # postinst fails without it).
  mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    "${include[@]}" \
    --aptopt='Acquire::Languages "none"' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --essential-hook='mkdir -p "$1/usr/share/man/man1"' \
    bookworm "$root" "${sources[@]}" >"$tmp/mmdebstrap.log" 2>&1 || {
    grep -E '^(E:|dpkg: error|.*: error)' "$tmp/mmdebstrap.log" | head -n 20 >&2
    die "mmdebstrap could not install ${PACKAGES[*]:-minbase} (its errors above)"
  }
  customize
  apt_shim
  rm -f "$root/etc/apt/apt.conf.d/99mmdebstrap" "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/*
  find "$root/var/log" -type f -delete # dpkg's and apt's logs of the build (customize's symlinks stay)
  # numeric owners as dpkg and customize set them (www-data's files stay 33's)
  tar -C "$root" --numeric-owner -cf "$tmp/rootfs.tar" .
  mv "$tmp/rootfs.tar" "$tarball"
  # tarballs of other versions of the script (other branches' worktrees may import them) go once
  # none has imported them for two days (an import touches its tarball)
  find "$STANDIN_CACHE" -maxdepth 1 -name "$2-*.tar" ! -path "$tarball" -mtime +1 -delete
  rm -rf "$tmp"
  trap - EXIT
  log "built $(du -h "$tarball" | cut -f1) rootfs of $TAG in $((SECONDS - started)) s: $tarball"
}

debian_import() { # <tarball> <comment>
  local old_id new_id change args=()
  for change in "${CHANGES[@]}"; do args+=(--change "$change"); done
  old_id=$(docker image inspect -f '{{.Id}}' "$TAG" 2>/dev/null || true)
  new_id=$(docker import --message "$2" --change "LABEL org.opencontainers.image.description=\"$DESCRIPTION\"" "${args[@]}" "$1" "$TAG")
  if [ -n "$old_id" ] && [ "$old_id" != "$new_id" ]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  log "imported $TAG: $new_id"
}

# Writes an executable file in the rootfs from standard input (entrypoint scripts, wrappers).
put_script() { # <path-in-image>
  mkdir -p "$root$(dirname "$1")"
  cat >"$root$1"
  chmod 755 "$root$1"
}

# The official php images' layout over Debian's php (php-fpm-standin.sh, php-apache-standin.sh):
# $PHP_INI_DIR is /usr/local/etc/php, here the SAPI's own config dir with the two php.ini templates,
# and /var/www/html is www-data's and world-writable, as there.
php_layout() { # <sapi: fpm | apache2>
  mkdir -p "$root/usr/local/etc" "$root/run/php"
  cp "$root/usr/lib/php/8.2/php.ini-production" "$root/usr/lib/php/8.2/php.ini-development" "$root/etc/php/8.2/$1/"
  ln -s "/etc/php/8.2/$1" "$root/usr/local/etc/php"
  rm -rf "$root/var/www/html"
  mkdir -p "$root/var/www/html"
  chown 33:33 "$root/var/www/html"
  chmod 1777 "$root/var/www/html"
}

# The official images' ENTRYPOINT: a first argument that is an option goes to the server.
docker_php_entrypoint() { # <server command>
  put_script /usr/local/bin/docker-php-entrypoint <<EOS
#!/bin/sh
set -e
# first arg is \`-f\` or \`--some-option\`: run it with $1
if [ "\${1#-}" != "\$1" ]; then
	set -- $1 "\$@"
fi
exec "\$@"
EOS
}

# The Temurin images' layout over Debian's OpenJDK (temurin-jre-standin.sh, temurin-jdk-standin.sh):
# the JDK or JRE at /opt/java/openjdk, and the ENTRYPOINT that execs the command it is given.
temurin_layout() {
  mkdir -p "$root/opt/java"
  ln -s "/usr/lib/jvm/java-17-openjdk-$(dpkg --print-architecture)" "$root/opt/java/openjdk"
  put_script /__cacert_entrypoint.sh <<'SH'
#!/usr/bin/env bash
# The real image's entrypoint can add certificates (USE_SYSTEM_CA_CERTS); this stand-in's only runs
# the command, by exec, so it is PID 1.
set -e
exec "$@"
SH
}
