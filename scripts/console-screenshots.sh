#!/usr/bin/env bash
# Regenerates the console screenshots of docs/console.md (docs/images/console-*.png):
# tests/integration/tst_consolescreens (and tst_consoleops, the operator pages) loads two confabd nodes on the test services, stops
# their S3 server to make a dead letter and grabs every view in English and German.
# BUILD_DIR (default build) is the CMake build directory to use.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-build}
cd "$root"
cmake -S . -B "$build" -G Ninja
cmake --build "$build" --target tst_consolescreens tst_consoleapps tst_consoleops confabd
cd "$build"
CONFAB_SCREENSHOT_DIR="$root/docs/images" \
  ctest -R 'services_start|tst_consolescreens|tst_consoleapps|tst_consoleops|services_stop' --output-on-failure
ls -l "$root"/docs/images/console-*.png
