#!/usr/bin/env bash
# Releases image-gate as a version users can pin:
#   bash scripts/release.sh [--no-push] [vX.Y.Z]
# Asks for the version when none is given. Refuses a version that is not vX.Y.Z or not greater than
# the latest release tag, a dirty working tree, and a dist/ that is not the bundle of src/ (users run
# dist/, not src/). Then sets package.json's version, commits it, tags the commit vX.Y.Z (annotated),
# moves the major tag (v0 for 0.x.y, vN for N.x.y) to it, and pushes the commit and both tags to
# origin. --no-push does everything but the push, to look before publishing (then push as printed).
set -euo pipefail

push=1
version=
for arg in "$@"; do
  case $arg in
    --no-push) push= ;;
    -h | --help) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "release: unknown option $arg" >&2; exit 2 ;;
    *) version=$arg ;;
  esac
done

fail() { echo "release: $*" >&2; exit 1; }

cd "$(git rev-parse --show-toplevel)"
[ -z "$(git status --porcelain)" ] || fail "the working tree has changes; commit or stash them first:
$(git status --short)"
git symbolic-ref -q HEAD >/dev/null || fail "HEAD is detached; release from a branch"

semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$'
# the greatest vX.Y.Z tag (version order, not date), or none
latest=$(git tag --list 'v*' --sort=-v:refname | grep -E "$semver" | head -n 1 || true)
echo "latest release: ${latest:-none yet}"

if [ -z "$version" ]; then
  read -r -p 'new version (vX.Y.Z): ' version || true
fi
[[ $version =~ $semver ]] || fail "'$version' is not a version of the form vX.Y.Z (e.g. v0.2.0)"
if [ -n "$latest" ]; then
  greatest=$(printf '%s\n%s\n' "$latest" "$version" | sort -V | tail -n 1)
  [ "$version" != "$latest" ] && [ "$greatest" = "$version" ] || fail "$version is not greater than the latest release, $latest"
fi

# dist/ must be what npm run bundle makes of src/ now: the runner runs dist/index.js, not src/
built=$(mktemp -d)
trap 'rm -rf "$built"' EXIT
bash scripts/bundle.sh "$built/dist" >/dev/null
if ! diff -r -q dist "$built/dist" >/dev/null; then
  diff -r -q dist "$built/dist" || true
  fail "dist/ is not the bundle of src/: run 'npm run bundle', commit dist/, then release"
fi

major=${version%%.*} # v0 for 0.x.y: under semver every 0.x release may break, but users pin @v0
npm version "${version#v}" --no-git-tag-version --allow-same-version >/dev/null
git add package.json
[ ! -f package-lock.json ] || git add package-lock.json
if ! git diff --cached --quiet; then
  git commit --quiet -m "Release $version"
fi
git tag --annotate "$version" -m "$version"
# the major tag users pin (@v0) follows the newest release of that major
git tag --force --annotate "$major" -m "$major: $version" "$version^{commit}" >/dev/null
echo "tagged $version and moved $major to it ($(git rev-parse --short HEAD))"

if [ -z "$push" ]; then
  echo "not pushed (--no-push); to publish:"
  echo "  git push --follow-tags origin HEAD && git push --force origin refs/tags/$major"
  exit 0
fi
git push --follow-tags origin HEAD
git push --force origin "refs/tags/$major"
echo "released $version: users of @$major get it now"
