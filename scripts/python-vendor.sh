#!/usr/bin/env bash
# python-vendor.sh DEST PACKAGE... : puts Debian bookworm's pure-Python packages (python3-gunicorn,
# python3-pkg-resources, ...) into DEST as `pip install --target DEST` lays them out: the modules at
# DEST's top level and each console script in DEST/bin (`#!/usr/local/bin/python`, as pip writes
# it for python:3.11-slim). A Dockerfile then COPYs DEST and sets PYTHONPATH (and PATH for bin):
# the honest offline form of `RUN pip install gunicorn`, which needs an index nothing here reaches.
# The .debs are cached in /var/cache/image-gate/standins/debs (flock: engines and worktrees share it).
set -euo pipefail
dest=$1
shift
[ $# -gt 0 ] || { echo "usage: $0 DEST PACKAGE..." >&2; exit 2; }
cache=${IMAGE_GATE_STANDIN_CACHE:-/var/cache/image-gate/standins}/debs
mkdir -p "$cache" "$dest/bin"
exec 9>"$cache/.lock"
flock 9
for pkg in "$@"; do
  if ! compgen -G "$cache/${pkg}_*.deb" >/dev/null; then
    (cd "$cache" && apt-get -o APT::Sandbox::User=root download "$pkg" >/dev/null) ||
      { echo "python-vendor: cannot download $pkg from Debian's archive (apt-get download)" >&2; exit 1; }
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pkg in "$@"; do dpkg-deb -x "$(compgen -G "$cache/${pkg}_*.deb" | tail -n1)" "$tmp"; done
flock -u 9
cp -r "$tmp"/usr/lib/python3/dist-packages/. "$dest/"
# console scripts from each package's entry points ([console_scripts] name = module:function)
for ep in "$dest"/*.egg-info/entry_points.txt "$dest"/*.dist-info/entry_points.txt; do
  [ -f "$ep" ] || continue
  awk '/^\[/ { on = ($0 == "[console_scripts]") } on && /=/ { gsub(/ /, ""); print }' "$ep" |
    while IFS='=' read -r name target; do
      cat >"$dest/bin/$name" <<PY
#!/usr/local/bin/python
import sys
from ${target%%:*} import ${target#*:}
if __name__ == "__main__":
    sys.exit(${target#*:}())
PY
      chmod 755 "$dest/bin/$name"
    done
done
