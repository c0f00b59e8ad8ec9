#!/usr/bin/env bash
# Builds the Debian packages confabd, confab-console and confab-tools into dist/ from a clean
# export of HEAD (git archive: uncommitted changes are not packaged), then runs lintian on them.
#
#   bash scripts/build-deb.sh                  Release build of the export with Debian's
#                                              hardening flags, tests off (a full compile)
#   bash scripts/build-deb.sh --prebuilt DIR   package the binaries of the Release build tree DIR
#                                              instead (it must be built from HEAD); the test
#                                              suite does this with the tree it has just built
#
# The version comes from git tags vX.Y.Z (cmake/version.cmake): the same string is the
# package version, `confabd --version`, /healthz and the console's About box.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
prebuilt=""
while [ $# -gt 0 ]; do
  case $1 in
    --prebuilt) prebuilt=$(cd "${2:?--prebuilt DIR}" && pwd); shift 2 ;;
    *) echo "usage: $0 [--prebuilt BUILD_DIR]" >&2; exit 2 ;;
  esac
done
for tool in dpkg-buildpackage dh lintian; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool is missing: bash scripts/install-deps.sh" >&2; exit 1; }
done

base=$(sed -n 's/^project(Confab VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
read -r version commit < <(cmake -DSOURCE_DIR="$root" -DBASE_VERSION="$base" -P cmake/version.cmake)
in_git=false
git rev-parse --git-dir >/dev/null 2>&1 && in_git=true
if $in_git && [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "build-deb: warning: uncommitted changes are not packaged (the packages are built from HEAD, $commit)" >&2
fi
if [ -n "$prebuilt" ]; then
  generated="$prebuilt/shared/generated/version.cpp"
  if ! grep -qF "\"$version\"" "$generated" 2>/dev/null || ! grep -qF "\"$commit\"" "$generated"; then
    echo "build-deb: $prebuilt was not built from HEAD ($version, $commit): run cmake --build $prebuilt first" >&2
    exit 1
  fi
fi

work=$(mktemp -d /tmp/confab-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/confab-$version"
mkdir -p "$src"
if $in_git; then
  git archive --format=tar HEAD | tar -x -C "$src"
else
  # A source tree without git (a release tarball): everything but build products.
  echo "build-deb: not a git checkout: packaging the tree as it is ($version, commit $commit)" >&2
  tar -c --exclude=./.git --exclude='./build*' --exclude=./dist --exclude=node_modules --exclude=./.confab-dev . \
    | tar -x -C "$src"
fi
echo "$version $commit" >"$src/.confab-version"
cp -a "$src/packaging/debian" "$src/debian"
cat >"$src/debian/changelog" <<CHANGELOG
confab ($version) unstable; urgency=medium

  * Built from commit $commit.

 -- Confab maintainers <maintainers@confab.example.org>  $(date -R -u -d "@$( ($in_git && git log -1 --format=%ct) || date +%s)")
CHANGELOG

echo "build-deb: building confab $version (commit $commit)${prebuilt:+ from the build tree $prebuilt}"
start=$(date +%s)
log="$work/build.log"
export CONFAB_PREBUILT="$prebuilt"
if command -v ccache >/dev/null; then
  # Repeated builds of the same commit hit the cache even though each runs in a new directory.
  export CCACHE_BASEDIR="$src" CONFAB_CMAKE_LAUNCHER=ccache
fi
if ! (cd "$src" && dpkg-buildpackage -b -us -uc -j"$(nproc)") >"$log" 2>&1; then
  tail -n 60 "$log" >&2
  echo "build-deb: dpkg-buildpackage failed (log above)" >&2
  exit 1
fi
mkdir -p dist
rm -f dist/*.deb
cp "$work"/*.deb dist/
echo "build-deb: built in $(( $(date +%s) - start )) s:"
ls -l dist/*.deb

# No errors; a warning fails too unless packaging/debian/<package>.lintian-overrides overrides
# it with its reason (none today: docs/packaging.md).
echo "build-deb: lintian"
lintian --fail-on error,warning --show-overrides dist/*.deb
echo "build-deb: lintian found no errors and no unexplained warnings"
