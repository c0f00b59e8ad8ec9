#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/) with clang in build-fuzz and runs each for a fixed time.
#   scripts/fuzz.sh [SECONDS] [TARGET...]   (default: 20 s each, every target: fuzz_*)
# Each target starts from its seed corpus fuzz/corpus/<name> (read only) and writes what it
# learns to build-fuzz/fuzz-work/<name>; logs go to build-fuzz/fuzz-logs/<name>.log. A crash,
# leak, sanitizer report or timeout fails the script and leaves the input in
# build-fuzz/fuzz-logs/ (add it to the corpus as a regression seed once fixed).
# FUZZ_NICE (default 19) is the niceness of the runs; FUZZ_BUILD_DIR (default build-fuzz) the
# build dir. docs/fuzzing.md has the long runs.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${FUZZ_BUILD_DIR:-build-fuzz}
seconds=${1:-20}
shift || true
if ! command -v clang++ >/dev/null 2>&1; then
  echo "fuzz.sh: clang++ not found (scripts/install-deps.sh installs clang and libFuzzer)" >&2
  exit 1
fi
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCONFAB_FUZZ=ON \
  -DCONFAB_BUILD_TESTS=OFF -DCONFAB_BUILD_CONSOLE=OFF "${launcher[@]}" >/dev/null
cmake --build "$dir" --target confab_fuzz
targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for f in fuzz/fuzz_*.cpp; do targets+=("$(basename "$f" .cpp)"); done
fi
mkdir -p "$dir/fuzz-logs"
failed=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  work=$dir/fuzz-work/$name
  mkdir -p "$work"
  log=$dir/fuzz-logs/$name.log
  echo "fuzz.sh: $t for ${seconds}s"
  if nice -n "${FUZZ_NICE:-19}" "$dir/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$dir/fuzz-logs/$name-" "$work" "fuzz/corpus/$name" >"$log" 2>&1; then
    grep -E '^(#[0-9]+.*DONE|Done [0-9]+ runs)' "$log" | tail -2 || true
  else
    echo "fuzz.sh: $t FAILED, see $log:" >&2
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" >&2 || tail -20 "$log" >&2
    failed=1
  fi
done
exit "$failed"
