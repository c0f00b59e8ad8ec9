#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: dependencies, build (warnings are
# errors), then every test through ctest, which starts and stops real PostgreSQL, Redis and
# an S3 server itself. Run as root (PostgreSQL's initdb is run as the postgres user).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build
cd build
ctest --output-on-failure -j2 --timeout 600 "$@"
