# Shared by the offline base-image stand-ins (python-standin.sh, golang-standin.sh): sourced, not run.
#
# Each stand-in assembles a small rootfs from what the host or Debian's archive has and imports it
# with `docker import` under the tag real Dockerfiles name, so those Dockerfiles build verbatim where
# no registry is reachable. The caller sets TAG and DESCRIPTION before sourcing this file.

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
for p in $pkgs; do
  command -v "$p" >/dev/null 2>&1 || { echo "E: Unable to locate package $p (offline stand-in: nothing can be downloaded)" >&2; exit 100; }
done
for p in $pkgs; do say "$p is already in the image ($(command -v "$p"))"; done
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
