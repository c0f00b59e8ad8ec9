#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: dependencies, build (warnings are
# errors), then every test through ctest, which starts and stops real PostgreSQL, Redis and
# an S3 server itself, then every fuzz target for 20 s (scripts/fuzz.sh, a clang build in
# build-fuzz). Run as root (PostgreSQL's initdb is run as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
(cd build && ctest --output-on-failure -j2 --timeout 600 "$@")
# Every libFuzzer target for a short fixed time (docs/fuzzing.md), when the whole suite runs
# (no ctest arguments) or CONFAB_FUZZ_SECONDS asks for it; CONFAB_FUZZ_SECONDS=0 skips.
default_fuzz=20
[ "$#" -eq 0 ] || default_fuzz=0
fuzz_seconds=${CONFAB_FUZZ_SECONDS:-$default_fuzz}
if [ "$fuzz_seconds" -gt 0 ]; then
  bash scripts/fuzz.sh "$fuzz_seconds"
fi
