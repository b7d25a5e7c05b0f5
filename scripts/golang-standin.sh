#!/usr/bin/env bash
# Build an offline stand-in for the image golang:1.19 with `docker import`.
#
# Go services build `FROM golang:1.19 AS build` and copy the binary into scratch or distroless.
# Where no registry is reachable nothing can be pulled, so this assembles a rootfs and imports it
# under that tag:
#   - Debian bookworm's Go 1.19 toolchain (golang-1.19-go and golang-1.19-src, downloaded from
#     Debian's archive and unpacked) at /usr/local/go, where the real image has it;
#   - static busybox with all its applets for sh and the core utilities;
#   - Debian's base accounts and an apt-get that only "installs" what is already in the image.
# Nothing can be fetched by `go mod download` here: modules without dependencies build (use
# CGO_ENABLED=0: the stand-in has no C compiler).
# Usage: scripts/golang-standin.sh [--force]   (does nothing when golang:1.19 exists)
set -euo pipefail
TAG=golang:1.19
DESCRIPTION='image-gate offline stand-in for golang:1.19 (Debian Go 1.19 + busybox)'
. "$(dirname "$0")/standin-lib.sh"
standin_start "$@"

mkdir -p "$tmp/debs"
(cd "$tmp/debs" && apt-get -o APT::Sandbox::User=root download golang-1.19-go golang-1.19-src >/dev/null) ||
  die "cannot download golang-1.19 from Debian's archive (apt-get download)"
for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
rm -rf "$root/usr/share/doc" "$root/usr/share/man"
ln -s /usr/lib/go-1.19 "$root/usr/local/go"
for bin in "$root"/usr/lib/go-1.19/bin/* "$root"/usr/lib/go-1.19/pkg/tool/*/*; do copy_libs "$bin"; done
version=$(cat "$root/usr/lib/go-1.19/VERSION")

install_busybox
debian_accounts
apt_shim
os_release debian "$DESCRIPTION, $version"
mkdir -p "$root/go/bin" "$root/go/src"
chmod -R 777 "$root/go"

standin_import \
  --change 'ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV GOPATH=/go' \
  --change "ENV GOLANG_VERSION=${version#go}" \
  --change 'WORKDIR /go'
