#!/usr/bin/env bash
# Build an offline stand-in for the image python:3.11-slim with `docker import`.
#
# Python services start `FROM python:3.11-slim`. Where no registry is reachable nothing can be
# pulled, so this assembles a Debian-like rootfs and imports it under that tag:
#   - Debian bookworm's python3.11 (python3.11-minimal, libpython3.11-minimal, libpython3.11-stdlib,
#     downloaded from Debian's archive and unpacked) plus the host libraries its modules link to,
#     with python/python3 in /usr/local/bin as the real image has them;
#   - static busybox for sh and the core utilities, WITHOUT wget: like the real slim image, it has
#     neither wget nor curl, so a health probe has to be written with python;
#   - useradd/groupadd (the host's), Debian's base accounts, and an apt-get that only "installs"
#     what is already in the image (nothing is downloaded).
# Usage: scripts/python-standin.sh [--force]   (does nothing when python:3.11-slim exists)
set -euo pipefail
TAG=python:3.11-slim
DESCRIPTION='image-gate offline stand-in for python:3.11-slim (Debian python3.11 + busybox)'
. "$(dirname "$0")/standin-lib.sh"
standin_start "$@"

mkdir -p "$tmp/debs"
(cd "$tmp/debs" && apt-get -o APT::Sandbox::User=root download python3.11-minimal libpython3.11-minimal libpython3.11-stdlib >/dev/null) ||
  die "cannot download python3.11 from Debian's archive (apt-get download)"
for deb in "$tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$root"; done
rm -rf "$root/usr/share/doc" "$root/usr/share/man" "$root/usr/lib/python3.11/test"
version=$("$root/usr/bin/python3.11" -c 'import sys; print(sys.version.split()[0])' 2>/dev/null || echo 3.11)

# The libraries python and its extension modules link to, from the host (same Debian release).
copy_libs "$root/usr/bin/python3.11"
for so in "$root"/usr/lib/python3.11/lib-dynload/*.so; do copy_libs "$so"; done
ln -s python3.11 "$root/usr/bin/python3"
for name in python python3; do ln -s /usr/bin/python3.11 "$root/usr/local/bin/$name"; done

install_busybox wget nc ftpget ftpput tftp httpd ssl_client
for tool in useradd groupadd usermod userdel groupdel; do
  [ -x "/usr/sbin/$tool" ] && copy_with_libs "/usr/sbin/$tool" "/usr/sbin/$tool"
done
[ -f /etc/login.defs ] && cp /etc/login.defs "$root/etc/login.defs"
mkdir -p "$root/etc/default" "$root/etc/skel"
debian_accounts
apt_shim
os_release debian "$DESCRIPTION, python $version"

standin_import \
  --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV LANG=C.UTF-8' \
  --change "ENV PYTHON_VERSION=$version" \
  --change 'CMD ["python3"]'
