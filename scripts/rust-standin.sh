#!/usr/bin/env bash
# Build an offline stand-in for rust:1.63 with `docker import`: Debian bookworm's Rust 1.63 toolchain
# (rustc, cargo) with gcc, make and libc6-dev for linking, as the full rust image carries (its
# buildpack-deps base), and curl. The toolchain's commands are in /usr/local/cargo/bin, CARGO_HOME
# and RUSTUP_HOME world-writable under /usr/local, as there. Nothing can be fetched by cargo here:
# crates without dependencies build.
# Usage: scripts/rust-standin.sh [--force] [--cache-only]   (standin-lib.sh: debian_standin)
set -euo pipefail
TAG=rust:1.63
DESCRIPTION='image-gate offline stand-in for rust:1.63 (Debian rustc 1.63 + cargo + gcc)'
PACKAGES=(rustc cargo gcc make libc6-dev curl)
CHANGES=(
  'ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo'
  'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
  'ENV RUST_VERSION=1.63.0'
)
customize() {
  local tool
  mkdir -p "$root/usr/local/cargo/bin" "$root/usr/local/rustup"
  for tool in rustc rustdoc cargo; do ln -s "/usr/bin/$tool" "$root/usr/local/cargo/bin/$tool"; done
  chmod -R a+w "$root/usr/local/cargo" "$root/usr/local/rustup"
}
. "$(dirname "$0")/standin-lib.sh"
debian_standin "$@"
