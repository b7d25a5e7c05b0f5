#!/usr/bin/env bash
# Build an offline stand-in for debian:bookworm-slim with `docker import`: Debian bookworm's minbase
# (dash as /bin/sh, coreutils, dpkg, useradd), the package set the slim image is made of, with its
# docs left out, and an apt-get that only "installs" what is already in the image (nothing is
# downloaded). A shell-form CMD runs under it as `/bin/sh -c`: dash, which stays PID 1.
# Usage: scripts/debian-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=debian:bookworm-slim
DESCRIPTION='image-gate offline stand-in for debian:bookworm-slim (Debian bookworm minbase)'
PACKAGES=()
CHANGES=('ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' 'CMD ["bash"]')
customize() { :; }
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
