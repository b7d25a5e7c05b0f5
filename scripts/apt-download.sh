#!/usr/bin/env bash
# apt-download.sh SUITE DIR PACKAGE... : downloads the .debs of PACKAGE... from another Debian suite
# (trixie, sid) into DIR, without adding that suite to the machine's apt sources: a temporary
# sources list reuses this machine's own mirror (the first URI of its main archive). Installs nothing.
set -euo pipefail
suite=$1 dir=$2
shift 2

mirror=$(grep -hE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list 2>/dev/null \
  | grep -v -- '-security' | grep -oE '(https?|file)://[^ ]+/debian/?' | head -n1 || true)
[ -n "$mirror" ] || { echo "apt-download: cannot find this machine's Debian mirror in /etc/apt" >&2; exit 1; }

lists=$(mktemp -d)
trap 'rm -rf "$lists"' EXIT
mkdir -p "$lists/lists/partial" "$lists/sources.list.d"
arch=${APT_ARCH:-$(dpkg --print-architecture)}
printf 'deb [arch=%s signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s %s main\n' "$arch" "$mirror" "$suite" >"$lists/sources.list"
apt_opts=(-o "APT::Architectures::=$arch" -o "Dir::Etc::SourceList=$lists/sources.list" -o "Dir::Etc::SourceParts=$lists/sources.list.d"
          -o "Dir::State::Lists=$lists/lists" -o "APT::Get::List-Cleanup=0"
          -o "APT::Sandbox::User=root")  # the temp dirs are root's; no _apt sandbox needed
apt-get "${apt_opts[@]}" update -qq
mkdir -p "$dir"
(cd "$dir" && apt-get "${apt_opts[@]}" download "$@" >/dev/null)
