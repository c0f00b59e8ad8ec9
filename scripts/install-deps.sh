#!/usr/bin/env bash
# Installs everything Confab needs to build, test and run on Debian 12 (as root, or via sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
packages=(
  # openssl: the TLS tests make a throwaway CA and certificates with its CLI.
  build-essential cmake ninja-build pkg-config git ca-certificates openssl
  qt6-base-dev libqt6opengl6-dev qt6-websockets-dev qt6-httpserver-dev qt6-charts-dev
  qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools
  libqt6sql6-psql libhiredis-dev libzstd-dev libssl-dev prometheus-cpp-dev liburing-dev
  libgoogle-perftools-dev
  qcoro-qt6-dev qtkeychain-qt6-dev libqt6svg6 qt6-translations-l10n libsimdjson-dev rapidjson-dev
  postgresql postgresql-client redis-server redis-tools curl prometheus xvfb xauth
  libsystemd-dev
  # tst_openapi: docs/openapi.yaml checked against the OpenAPI 3.1 schema (tests/server/openapi_check.py).
  python3 python3-yaml python3-jsonschema
  # The libFuzzer targets (scripts/fuzz.sh): clang 14 and its runtime (libFuzzer, ASan, UBSan),
  # which clang only recommends.
  clang libclang-rt-14-dev
  # The .deb packages (scripts/build-deb.sh) and their test: debhelper, lintian, systemd-analyze.
  dpkg-dev debhelper lintian systemd adduser
  # The web chat's browser test (tests/examples/web-chat): headless, driven by puppeteer-core.
  chromium
)
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Node packages, each pinned by its committed lock file: the S3 test server; the TypeScript
# client sdk/js (@confab/client: ws, and tsup/typescript to build it; ctest builds it in
# tst_sdk_js_build before its tests); the web chat example (esbuild, @confab/client from sdk/js)
# and its browser test (puppeteer-core).
here=$(cd "$(dirname "$0")/.." && pwd)
for dir in tests/fixtures/s3 sdk/js examples/web-chat tests/examples/web-chat; do
  (cd "$here/$dir" && npm ci --no-audit --no-fund --silent)
done
