#!/usr/bin/env bash
# Produces the figures of docs/benchmarks.md and docs/benchmarks-log.md on this machine: starts
# PostgreSQL, Redis and the S3 test server (tests/fixtures/services.sh), runs confabd from ./build,
# and drives it with confab-bench. Prints every command it runs and what it measured. Needs a
# Release build:
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build
#   bash tools/bench/figures.sh [all|ack|noflush|fanout|idle|flush|puts|history|snapshot|dayload|vs-nats
#                                |wsbench-publish|wsbench-fanout|wsbench-idle|fanout-ceiling|scaleout]
# dayload and vs-nats drive confabd with ../shared/bench's wsbench (the same client and workload
# as NATS JetStream gets); vs-nats runs NATS JetStream too and prints the ratios. They need
# wsbench's source ($CONFAB_SHARED_BENCH, default ../shared/bench; not in this repository) and
# its packages (its README), and build it into $WSBENCH_BUILD.
# Optional measurements of the wsbench runs (dayload, vs-nats, wsbench-SCENARIO):
#   FIGURES_PERF=DIR        perf record -g of confabd for FIGURES_PERF_SECONDS (default 8) from
#                           1 s after every connection of the run is open; DIR/confab-<scenario>
#                           .data and a .txt report
#   FIGURES_MALLOCCOUNT=1   confabd runs with tools/bench/malloccount.c preloaded and each run
#                           prints the allocations (malloc, calloc, realloc; every thread) of the
#                           same window per ingested message and per delivery: a count, not a
#                           timing, so it compares builds on a busy host
#   FIGURES_REDIS_CALLS=1   Redis's INFO commandstats over the same window: calls and microseconds
#                           of Redis's thread per ingested message, by command (inside scripts too)
#   FIGURES_SYSCALLS=1      perf stat counts of confabd's write, writev, sendmsg, io_uring_enter, sendto,
#                           epoll_ctl, epoll_wait, read, recvfrom in the same window, and each per
#                           delivery and per ingested message (syscall tracepoints: root or
#                           perf_event_paranoid -1)
#   FIGURES_LOGS=DIR        keep confabd's log(s) and Redis's log there when the script ends
#   FIGURES_REDIS_UNIX=1    confabd reaches Redis through its Unix socket (unix:// URL) instead of
#                           TCP on loopback
#   FIGURES_STACK=1         the CPU of confabd, Redis (with its AOF rewrites' children) and
#                           PostgreSQL with its backends in the same window, while the load runs (the "around the run" lines include setup:
#                           issuing tokens and creating conversations); with
#                           FIGURES_PERF_SECONDS=30 for a long steady window
#   FIGURES_REDIS_ARGS=".." more settings for the Redis of the run, as redis-server's command line
#                           takes them (e.g. "--auto-aof-rewrite-percentage 400"; default: none,
#                           Redis's own defaults)
#   FIGURES_REDIS_MODULE=F  the Redis module Redis loads (default: ./build's confab-redis.so, as the
#                           quick start's Redis loads it); empty: none, confabd accepts in Lua
# wsbench-publish, wsbench-fanout, wsbench-idle: one of ../shared/bench's scenarios alone;
#   FIGURES_WSBENCH_ARGS="..." adds to (or overrides) its wsbench arguments, e.g. "--duration 120".
# fanout-ceiling: the fanout scenario's shape (10 conversations of 100) at each total send rate of
#   FIGURES_FANOUT_RATES (default "1000 1500 2000 3000" msgs/s, x100 deliveries/s), a fresh confabd
#   for each, the stack pinned to cpu 0 and wsbench (one thread) to cpu 1 as in dayload, to find
#   where confabd saturates one core.
# The accept script alone, on a scratch Redis without confabd: tools/bench/accept-script.py;
# Redis's CPU per message at the day's pace, today's script against write-only calls:
# tools/bench/redis-paced.py.
# Where confabd allocates, from a heaptrack recording of any run: tools/bench/alloc-sites.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(pwd)
bin=${CONFABD:-$root/build/server/confabd}
bench=${CONFAB_BENCH:-$root/build/tools/bench/confab-bench}
which=${1:-all}
work=$(mktemp -d /tmp/confab-figures.XXXXXX)
envfile="$work/services.env"
PUB=${FIGURES_PUBLIC_PORT:-28080}
INT=${FIGURES_INTERNAL_PORT:-28081}
TOKEN=figures-admin-token
ulimit -n "$(ulimit -Hn)"

module=${FIGURES_REDIS_MODULE-$root/build/server/redismodule/confab-redis.so}
[ -z "$module" ] || [ -f "$module" ] || { echo "no Redis module at $module (FIGURES_REDIS_MODULE= for none)" >&2; exit 2; }
CONFAB_TEST_REDIS_MODULE=$module CONFAB_TEST_REDIS_ARGS=${FIGURES_REDIS_ARGS:-} \
  bash tests/fixtures/services.sh start "$envfile" >/dev/null
# shellcheck disable=SC1090
. "$envfile"
confabd_pid=""
cleanup() {
  [ -n "$confabd_pid" ] && kill "$confabd_pid" 2>/dev/null && wait "$confabd_pid" 2>/dev/null || true
  # A run that failed (its set-up refused, say) leaves measure_when_connected waiting for
  # connections that never come.
  local j; for j in $(jobs -p); do kill "$j" 2>/dev/null || true; done
  if [ -n "${FIGURES_LOGS:-}" ]; then
    mkdir -p "$FIGURES_LOGS"
    cp "$work"/*.log "$FIGURES_LOGS"/ 2>/dev/null || true
    cp "$CONFAB_TEST_DIR/redis/log" "$FIGURES_LOGS/redis.log" 2>/dev/null || true
  fi
  bash tests/fixtures/services.sh stop "$envfile" >/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
db=0

# start_confabd [VAR=value ...]: a fresh database for each start, the given overrides.
start_confabd() {
  [ -n "$confabd_pid" ] && kill "$confabd_pid" 2>/dev/null && wait "$confabd_pid" 2>/dev/null || true
  db=$((db + 1))
  psql -qX "$CONFAB_TEST_PG_URL" -c "CREATE DATABASE figures$db" >/dev/null
  redis-cli -u "$CONFAB_TEST_REDIS_URL" FLUSHALL >/dev/null
  : >"$work/empty.ini"
  local preload=()
  if [ -n "${FIGURES_MALLOCCOUNT:-}" ]; then
    [ -f "$work/malloccount.so" ] || cc -O2 -shared -fPIC -o "$work/malloccount.so" tools/bench/malloccount.c -lpthread
    preload=(LD_PRELOAD="$work/malloccount.so" MALLOCCOUNT_FILE="$work/malloccount")
  fi
  launch_confabd bench "$PUB" "$INT" confabd "${preload[@]}" "$@"
  confabd_pid=$launched_pid
}

# launch_confabd NODE_ID PUBLIC_PORT INTERNAL_PORT LOG_NAME [VAR=value ...]: one node on this
# run's database, Redis and bucket; sets launched_pid once its /readyz answers.
launched_pid=""
redis_url=$CONFAB_TEST_REDIS_URL
[ "${FIGURES_REDIS_UNIX:-0}" = 1 ] && redis_url=$CONFAB_TEST_REDIS_SOCKET_URL
launch_confabd() {
  local id=$1 pub=$2 int=$3 log=$4; shift 4
  env CONFAB_POSTGRES_URL="${CONFAB_TEST_PG_URL%/postgres}/figures$db" CONFAB_REDIS_URL="$redis_url" \
    CONFAB_S3_ENDPOINT="$CONFAB_TEST_S3_ENDPOINT" CONFAB_S3_BUCKET="$CONFAB_TEST_S3_BUCKET" \
    CONFAB_S3_ACCESS_KEY=S3RVER CONFAB_S3_SECRET_KEY=S3RVER CONFAB_ADMIN_TOKEN=$TOKEN \
    CONFAB_SERVER_LISTEN=127.0.0.1:$pub CONFAB_SERVER_INTERNAL_LISTEN=127.0.0.1:$int CONFAB_SERVER_NODE_ID=$id \
    CONFAB_LIMITS_MAX_CONNS=20000 QT_NO_GLIB=1 "$@" \
    "$bin" serve --config "$work/empty.ini" >"$work/$log.log" 2>&1 &
  launched_pid=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$int/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "$id did not become ready:" >&2; cat "$work/$log.log" >&2; exit 1
}

run_bench() {
  echo "\$ confab-bench $*"
  "$bench" --api http://127.0.0.1:$PUB --admin http://127.0.0.1:$INT --admin-token $TOKEN "$@"
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$confabd_pid/status"; }
# CPU seconds (user + system) a process has used so far: proc_cpu_s PID; cpu_s is confabd's.
proc_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }
cpu_s() { proc_cpu_s "$confabd_pid"; }
# Redis with the children it has reaped: its AOF rewrites run in forked children.
redis_cpu_s() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15 + $16 + $17) / hz}' "/proc/$(redis_pid)/stat"; }
metric() { curl -fs "http://127.0.0.1:$INT/metrics" | awk -v f="$1" '$1 == f {print $2}'; }
metric_sum() { curl -fs "http://127.0.0.1:$INT/metrics" | awk -v f="$1" -v l="$2" 'index($1, f "{") == 1 && index($1, l) {s += $2} END {print s + 0}'; }
stats() { curl -fs -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$INT/admin/stats"; }
sql() { psql -qAtX "${CONFAB_TEST_PG_URL%/postgres}/figures$db" -c "$1"; }

section() { printf '\n== %s ==\n' "$1"; }

# wsbench's source: the side-by-side client, not part of this repository (docs/benchmarks.md,
# "Side by side"). CONFAB_SHARED_BENCH, else ../shared/bench beside the checkout. Built out of
# tree (that folder may be read-only).
shared_bench=$(cd "${CONFAB_SHARED_BENCH:-$root/../shared/bench}" 2>/dev/null && pwd || true)
export WSBENCH=${WSBENCH:-${WSBENCH_BUILD:-/tmp/wsbench-build}/wsbench}
export BENCH_RESULTS=${BENCH_RESULTS:-$root/bench-results}
ensure_wsbench() {
  [ -n "$shared_bench" ] || {
    echo "no wsbench source: set CONFAB_SHARED_BENCH, or put it at ../shared/bench beside the checkout" >&2
    exit 1
  }
  if [ ! -x "$WSBENCH" ]; then
    cmake -S "$shared_bench" -B "$(dirname "$WSBENCH")" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
    ninja -C "$(dirname "$WSBENCH")" wsbench >/dev/null
  fi
}

# This run's own Redis and PostgreSQL (the fixture's pid files), not other Redis on the host.
redis_pid() { cat "$CONFAB_TEST_DIR/redis/pid"; }
postgres_pid() { head -1 "$CONFAB_TEST_DIR/pg/data/postmaster.pid"; }
# CPU seconds of the whole PostgreSQL server: the postmaster, its live backends and workers, and
# what its children that already exited used. run-confab.sh's "postgres" line is the postmaster
# alone, which leaves out the backends that run confabd's statements.
postgres_cpu_s() {
  local pm p ticks=0
  pm=$(postgres_pid)
  ticks=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pm/stat")
  for p in $(pgrep -P "$pm"); do
    ticks=$((ticks + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", t / hz}'
}

# The whole Confab stack (confabd with every thread, its Redis, its PostgreSQL and all of that
# server's processes) on cpu $1.
pin_stack() {
  local cpu=$1 p
  for p in $confabd_pid "$(redis_pid)" "$(postgres_pid)" $(pgrep -P "$(postgres_pid)"); do
    taskset -a -cp "$cpu" "$p" >/dev/null 2>&1 || true
  done
}

# FIGURES_PERF / FIGURES_MALLOCCOUNT: once confabd holds $1 connections (+1 s), measure for
# FIGURES_PERF_SECONDS (default 8): a perf profile, and/or the allocations of that window.
measure_when_connected() {
  local conns=$1 name=$2 secs=${FIGURES_PERF_SECONDS:-8} a0 m0=0 d0=0
  until [ "$(metric confab_ws_connections 2>/dev/null || echo 0)" -ge "$conns" ] 2>/dev/null; do sleep 0.2; done
  sleep 1
  if [ -n "${FIGURES_MALLOCCOUNT:-}" ]; then
    a0=$(cat "$work/malloccount"); m0=$(metric confab_messages_ingested_total); d0=$(metric confab_messages_delivered_total)
  fi
  local stat_pid="" calls=syscalls:sys_enter_
  if [ -n "${FIGURES_SYSCALLS:-}" ]; then
    perf stat -x, -o "$work/syscalls.csv" -e "${calls}write,${calls}writev,${calls}sendmsg,${calls}io_uring_enter,${calls}sendto,${calls}epoll_ctl,${calls}epoll_wait,${calls}read,${calls}recvfrom" \
      -p "$confabd_pid" -- sleep "$secs" 2>/dev/null &
    stat_pid=$!
    [ -n "${FIGURES_MALLOCCOUNT:-}" ] || { m0=$(metric confab_messages_ingested_total); d0=$(metric confab_messages_delivered_total); }
  fi
  local stack0=()
  [ -z "${FIGURES_STACK:-}" ] || stack0=("$(date +%s.%N)" "$(cpu_s)" "$(redis_cpu_s)" "$(postgres_cpu_s)")
  local r0=0
  if [ -n "${FIGURES_REDIS_CALLS:-}" ]; then
    redis-cli -u "$CONFAB_TEST_REDIS_URL" CONFIG RESETSTAT >/dev/null
    r0=$(metric confab_messages_ingested_total)
  fi
  if [ -n "${FIGURES_PERF:-}" ]; then
    mkdir -p "$FIGURES_PERF"
    perf record -q -g -F 999 -p "$confabd_pid" -o "$FIGURES_PERF/$name.data" -- sleep "$secs" 2>/dev/null
  else
    sleep "$secs"
  fi
  if [ -n "${FIGURES_STACK:-}" ]; then
    awk -v t0="${stack0[0]}" -v t1="$(date +%s.%N)" -v c0="${stack0[1]}" -v c1="$(cpu_s)" -v r0="${stack0[2]}" \
        -v r1="$(redis_cpu_s)" -v p0="${stack0[3]}" -v p1="$(postgres_cpu_s)" 'BEGIN {
      t = t1 - t0; c = (c1 - c0) / t; r = (r1 - r0) / t; p = (p1 - p0) / t
      printf "stack CPU in the window (%.1f s): confabd %.2f + Redis %.2f + PostgreSQL with its backends %.2f = %.2f cores\n", t, c, r, p, c + r + p }'
  fi
  if [ -n "$stat_pid" ]; then
    wait "$stat_pid" || true
    awk -F, -v d="$(( $(metric confab_messages_delivered_total) - d0 ))" -v m="$(( $(metric confab_messages_ingested_total) - m0 ))" '
      $3 ~ /^syscalls:sys_enter_/ { n = $3; sub(/^syscalls:sys_enter_/, "", n); line = line sprintf(" %s %d", n, $1)
                                    if (d > 0) line = line sprintf(" (%.3f/delivery%s)", $1 / d, m > 0 ? sprintf(", %.2f/message", $1 / m) : "") }
      END { printf "confabd system calls in the window (%d messages, %d deliveries):%s\n", m, d, line }' "$work/syscalls.csv"
  fi
  if [ -n "${FIGURES_REDIS_CALLS:-}" ]; then
    redis-cli -u "$CONFAB_TEST_REDIS_URL" INFO commandstats | tr -d '\r' |
      awk -F'[:,=]' -v m="$(( $(metric confab_messages_ingested_total) - r0 ))" '
        /^cmdstat_/ { sub(/^cmdstat_/, "", $1); calls[$1] = $3; us[$1] = $5; total += $5 }
        END { printf "Redis in the window: %d messages, %.1f us of its thread per message\n", m, (m ? total / m : 0)
              for (c in calls) if (m) printf "  %-12s %6.2f calls  %6.2f us per message\n", c, calls[c] / m, us[c] / m }' |
      { IFS= read -r header; echo "$header"; sort -k4 -rn; }
  fi
  if [ -n "${FIGURES_MALLOCCOUNT:-}" ]; then
    awk -v a0="$a0" -v a1="$(cat "$work/malloccount")" -v m0="$m0" -v m1="$(metric confab_messages_ingested_total)" \
        -v d0="$d0" -v d1="$(metric confab_messages_delivered_total)" -v s="$secs" 'BEGIN {
      a = a1 - a0; m = m1 - m0; d = d1 - d0
      printf "confabd allocations in %d s of the run: %d; %d messages ingested, %d deliveries", s, a, m, d
      if (m > 0) printf "; %.1f per message", a / m
      if (d > 0) printf ", %.2f per delivery", a / d
      printf "\n" }'
  fi
  if [ -n "${FIGURES_PERF:-}" ]; then
    perf report -i "$FIGURES_PERF/$name.data" --no-children --percent-limit 0.5 --stdio 2>/dev/null \
      >"$FIGURES_PERF/$name.txt" || true
    echo "perf: $FIGURES_PERF/$name.data, report $FIGURES_PERF/$name.txt"
  fi
}

# wsbench against the running confabd through ../shared/bench/run-confab.sh:
#   run_confab_wsbench SCENARIO [--client-cpus LIST] [-- wsbench args]
run_confab_wsbench() {
  local scenario=$1 opts=() measure_pid="" conns; shift
  if [[ ${1:-} == --client-cpus ]]; then opts=(--client-cpus "$2"); shift 2; fi
  echo "\$ run-confab.sh ${opts[*]} $scenario $*"
  if [ -n "${FIGURES_PERF:-}${FIGURES_MALLOCCOUNT:-}${FIGURES_SYSCALLS:-}${FIGURES_REDIS_CALLS:-}${FIGURES_STACK:-}" ]; then
    conns=$(printf '%s\n' "$@" | awk 'p {print; exit} $0 == "--conns" {p = 1}')
    # shellcheck disable=SC1091
    [ -n "$conns" ] || conns=$(. "$shared_bench/lib.sh"; scenario_args "$scenario"; printf '%s\n' "${args[@]}" |
      awk 'p {print; exit} $0 == "--conns" {p = 1}')
    measure_when_connected "$conns" "confab-$scenario" &
    measure_pid=$!
  fi
  local pg0
  pg0=$(postgres_cpu_s)
  bash "$shared_bench/run-confab.sh" --api-url "http://127.0.0.1:$PUB" --admin-url "http://127.0.0.1:$INT" \
    --admin-token "$TOKEN" --server-pid "$confabd_pid" --quiet-wait 30 \
    --also-pid "redis=$(redis_pid)" --also-pid "postgres=$(postgres_pid)" \
    --results "$BENCH_RESULTS/figures.jsonl" "${opts[@]}" "$scenario" "$@"
  echo "   postgres with its backends (from /proc, around the run): cpu $(awk -v a="$(postgres_cpu_s)" -v b="$pg0" 'BEGIN {printf "%.2f", a - b}') s"
  [ -z "$measure_pid" ] || wait "$measure_pid" || true
}

#   run_nats_wsbench SCENARIO [--server-cpus LIST --client-cpus LIST] [-- wsbench args]
run_nats_wsbench() {
  local scenario=$1 opts=(); shift
  while [[ ${1:-} == --server-cpus || ${1:-} == --client-cpus ]]; do opts+=("$1" "$2"); shift 2; done
  echo "\$ run-nats.sh ${opts[*]} $scenario $*"
  bash "$shared_bench/run-nats.sh" --quiet-wait 30 --results "$BENCH_RESULTS/figures.jsonl" "${opts[@]}" "$scenario" "$@"
}

# The day's load of issue 9: 10,000 users in 1,000 conversations of 10, every user sending,
# 1,700 msgs/s in total, 100-byte bodies.
DAYLOAD=(--conns 10000 --convs 1000 --members 10 --senders 10000 --inflight 1 --rate 1700 --size 100
         --duration 60 --warmup 5)

if [[ $which == all || $which == ack ]]; then
  section "publish-ack: 200 connections in 20 conversations, 20 senders x 32 in flight, 100 B"
  start_confabd
  run_bench --connections 200 --conversations 20 --senders 20 --inflight 32 --duration 10 | tee "$work/ack.out" &
  bench_pid=$!
  until grep -q 'connections ready' "$work/ack.out" 2>/dev/null; do sleep 0.2; done
  sleep 3 # past the 2 s warm-up
  cpu0=$(cpu_s)
  sleep 5
  cpu1=$(cpu_s)
  wait $bench_pid
  acks=$(awk '/^acks\/s/ {print $2}' "$work/ack.out")
  echo "confabd CPU during 5 s of the measured window: $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", (b - a) / 5}') cores," \
       "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$acks" 'BEGIN {printf "%.1f", (b - a) / 5 * 1e6 / n}') us of confabd CPU per acked message"
  echo "confabd RSS after the run: $(rss_kb) kB"
  section "same at a fixed 10,000 msgs/s"
  run_bench --connections 200 --conversations 20 --senders 20 --inflight 32 --rate 10000 --duration 10
fi

if [[ $which == noflush ]]; then
  section "publish-ack as above with the flush worker idle (max_age 1d, max_bytes 1 GiB): the storage pipeline's cost"
  start_confabd CONFAB_SEGMENTS_MAX_AGE=1d CONFAB_SEGMENTS_MAX_BYTES=1073741824
  run_bench --connections 200 --conversations 20 --senders 20 --inflight 32 --duration 10
  run_bench --connections 200 --conversations 20 --senders 20 --inflight 32 --rate 10000 --duration 10
fi

if [[ $which == all || $which == fanout ]]; then
  section "fan-out: 1,000 connections in 10 conversations of 100, 1,000 msgs/s"
  start_confabd
  run_bench --connections 1000 --conversations 10 --senders 10 --rate 1000 --duration 10 | tee "$work/fanout.out" &
  bench_pid=$!
  until grep -q 'connections ready' "$work/fanout.out" 2>/dev/null; do sleep 0.2; done
  sleep 3 # past the 2 s warm-up
  cpu0=$(cpu_s)
  sleep 5
  cpu1=$(cpu_s)
  wait $bench_pid
  deliveries=$(awk '/^deliveries\/s/ {print $2}' "$work/fanout.out")
  echo "confabd CPU during 5 s of the measured window: $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.2f", (b - a) / 5}') cores," \
       "$(awk -v a="$cpu0" -v b="$cpu1" -v n="$deliveries" 'BEGIN {printf "%.2f", (b - a) / 5 * 1e6 / n}') us of confabd CPU per delivery"
fi

if [[ $which == all || $which == idle ]]; then
  idle=${FIGURES_IDLE_CONNECTIONS:-10000}
  section "idle: $idle authenticated connections"
  start_confabd
  before=$(rss_kb)
  run_bench --connections "$idle" --conversations $((idle / 10)) --idle --duration 25 | tee "$work/idle.out" &
  bench_pid=$!
  # Connecting takes from seconds to minutes depending on the machine's load.
  until grep -q 'holding' "$work/idle.out" 2>/dev/null; do sleep 0.5; done
  sleep 5
  after=$(rss_kb)
  # What holding them costs: pings and presence refreshes only.
  cpu0=$(cpu_s); sleep 15; cpu1=$(cpu_s)
  wait $bench_pid
  echo "confabd RSS $before kB -> $after kB: $(( (after - before) * 1024 / idle )) bytes per connection"
  echo "confabd CPU while holding them (15 s): $(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {printf "%.4f", (b - a) / 15}') cores"
fi

if [[ $which == all || $which == flush ]]; then
  section "flush at a steady 2,000 msgs/s for 60 s, 100-byte bodies of varied words ([segments] defaults: max_bytes 1 MiB, max_age 30s)"
  start_confabd
  run_bench --connections 200 --conversations 20 --senders 20 --rate 2000 --duration 60 --text-bodies
  echo "stats flush: $(stats | sed -E 's/.*"flush":(\{[^}]*\}).*/\1/')"
  echo "seal to index commit (encode + PUT + index), ms, from the log:"
  grep -o 'sealed in [0-9]* ms' "$work/confabd.log" | awk '{print $3}' | sort -n |
    awk '{v[NR]=$1} END {if (NR) printf "  %d segments: p50 %d p99 %d max %d\n", NR, v[int(NR*0.5)+1], v[int(NR*0.99)+ (NR*0.99 == int(NR*0.99) ? 0 : 1)], v[NR]}'
  echo "segments: $(sql "SELECT count(*) || ' objects, ' || sum(bytes) || ' bytes' FROM segments")," \
       "$(sql "SELECT sum(last_seq - first_seq + 1) || ' messages in ' || count(*) || ' blocks' FROM segment_blocks")"
  echo "bytes per message in segments: $(sql "SELECT round(sum(bytes)::numeric / (SELECT sum(last_seq - first_seq + 1) FROM segment_blocks), 1) FROM segments")"
  convo=$(sql "SELECT id FROM conversations LIMIT 1")
  app=$(sql "SELECT app_id FROM conversations LIMIT 1")
  redis-cli -u "$CONFAB_TEST_REDIS_URL" --raw XRANGE "c:{$app:$convo}:log" - + COUNT 1000 | awk 'NR % 3 == 0 {n++; s += length($0)} END {printf "raw envelope JSON per message (tail sample of %d): %.1f bytes\n", n, s / n}'
fi

if [[ $which == all || $which == puts ]]; then
  section "object PUTs per million messages: 1,000 active conversations, 2,000 msgs/s for 60 s"
  start_confabd
  run_bench --connections 1000 --conversations 1000 --senders 1000 --inflight 4 --rate 2000 --duration 60 --text-bodies
  curl -fs -X POST -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$INT/admin/flush" >/dev/null
  puts=$(metric_sum confab_s3_requests_total 'op="put"')
  msgs=$(metric confab_messages_ingested_total)
  echo "$puts PUTs for $msgs messages: $(awk -v p="$puts" -v m="$msgs" 'BEGIN {printf "%.0f", p * 1e6 / m}') PUTs per million messages"
  echo "segments: $(sql "SELECT count(*) || ' objects, ' || round(avg(bytes)) || ' bytes each, ' || round(avg(blocks)) || ' blocks each' FROM segments")"
fi

if [[ $which == all || $which == history ]]; then
  section "history pages (limit 50) from the Redis tail: 20 conversations of 500 messages"
  start_confabd
  run_bench --connections 20 --conversations 20 --senders 20 --inflight 16 --rate 5000 --duration 2 --warmup 0 --history-reads 3000
  echo "confabd: $(metric_sum confab_history_read_duration_seconds_count 'source=')" "history reads counted"
  section "history pages (limit 50) from segments: the same with [segments] hot_window = 0"
  start_confabd CONFAB_SEGMENTS_HOT_WINDOW=0
  run_bench --connections 20 --conversations 20 --senders 20 --inflight 16 --rate 5000 --duration 2 --warmup 0 --history-reads 3000
  curl -fs "http://127.0.0.1:$INT/metrics" | grep -E '^confab_history_read_duration_seconds_count' || true
  echo "block GETs: $(metric_sum confab_s3_requests_total 'op="get"')"
fi

if [[ $which == snapshot ]]; then
  section "a stats frame and /metrics of a loaded node (200 connections, 2,000 msgs/s)"
  start_confabd
  run_bench --connections 200 --conversations 20 --senders 20 --rate 2000 --duration 20 --text-bodies >/dev/null &
  bench_pid=$!
  sleep 15
  echo "\$ curl -H 'Authorization: Bearer ...' http://127.0.0.1:$INT/admin/stats"
  stats | python3 -m json.tool
  echo "\$ curl http://127.0.0.1:$INT/metrics   (confab_* families, histogram buckets left out)"
  curl -fs "http://127.0.0.1:$INT/metrics" | grep -E '^confab_' | grep -v '_bucket{'
  wait $bench_pid
fi

# scaleout: two nodes on one Redis, then the same two nodes on a 3-master Redis Cluster
# (docs/running.md, "Scaling out"). Each node gets its own confab-bench (its own app, 200
# connections, 20 senders x 32 in flight); the figure is the sum of both nodes' acks/s.
second_pid=""
start_second_confabd() {
  launch_confabd bench-b $((PUB + 2)) $((INT + 2)) confabd-b "$@"
  second_pid=$launched_pid
}
stop_second_confabd() { [ -n "$second_pid" ] && kill "$second_pid" 2>/dev/null && wait "$second_pid" 2>/dev/null || true; second_pid=""; }
cluster_ports=(${FIGURES_CLUSTER_PORTS:-27001 27002 27003})
start_redis_cluster() {
  local p nodes=()
  for p in "${cluster_ports[@]}"; do
    mkdir -p "$work/rc$p"
    redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file "$work/rc$p/nodes.conf" \
      --appendonly yes --save '' --dir "$work/rc$p" --daemonize yes --pidfile "$work/rc$p/pid" --logfile "$work/rc$p/log"
    nodes+=("127.0.0.1:$p")
  done
  sleep 0.5
  redis-cli --cluster create "${nodes[@]}" --cluster-yes >/dev/null
  for _ in $(seq 1 100); do
    [[ $(redis-cli -p "${cluster_ports[0]}" CLUSTER INFO | tr -d '\r' | awk -F: '$1 == "cluster_state" {print $2}') == ok ]] && break
    sleep 0.1
  done
}
stop_redis_cluster() {
  local p
  for p in "${cluster_ports[@]}"; do [ -f "$work/rc$p/pid" ] && kill "$(cat "$work/rc$p/pid")" 2>/dev/null || true; done
}
# Both nodes under load at once; prints each node's line and the sum.
run_pair() {
  local label=$1; shift
  run_bench --connections 200 --conversations 20 --senders 20 --inflight 32 --duration 10 "$@" >"$work/pair-a.out" &
  local a=$!
  echo "\$ confab-bench --api http://127.0.0.1:$((PUB + 2)) ... (the same against the second node)"
  "$bench" --api http://127.0.0.1:$((PUB + 2)) --admin http://127.0.0.1:$((INT + 2)) --admin-token $TOKEN \
    --connections 200 --conversations 20 --senders 20 --inflight 32 --duration 10 "$@" >"$work/pair-b.out"
  wait $a
  grep -h '^acks/s' "$work/pair-a.out" "$work/pair-b.out"
  echo "$label: $(awk '/^acks\/s/ {s += $2} END {printf "%.0f", s}' "$work/pair-a.out" "$work/pair-b.out") acks/s over both nodes"
}

if [[ $which == scaleout ]]; then
  section "scale-out: 2 nodes on one Redis"
  start_confabd
  start_second_confabd
  run_pair "one Redis"
  stop_second_confabd
  section "scale-out: the same 2 nodes on a 3-master Redis Cluster (ports ${cluster_ports[*]})"
  trap 'stop_second_confabd; stop_redis_cluster; cleanup' EXIT
  start_redis_cluster
  seeds=$(printf '127.0.0.1:%s,' "${cluster_ports[@]}"); seeds=${seeds%,}
  start_confabd CONFAB_REDIS_CLUSTER_NODES="$seeds"
  start_second_confabd CONFAB_REDIS_CLUSTER_NODES="$seeds"
  run_pair "Redis Cluster"
fi

if [[ $which == dayload ]]; then
  section "a day's load on one core: confabd + Redis + PostgreSQL pinned to cpu 0, local-directory segments, wsbench on cpu 1"
  ensure_wsbench
  mkdir -p "$work/segments"
  start_confabd CONFAB_S3_ENDPOINT="file://$work/segments"
  pin_stack 0
  run_confab_wsbench custom --client-cpus 1 -- "${DAYLOAD[@]}"
  echo "Redis used_memory after the run: $(redis-cli -u "$CONFAB_TEST_REDIS_URL" INFO memory | awk -F: '/^used_memory:/ {print $2}' | tr -d '\r') bytes"
fi

if [[ $which == wsbench-* ]]; then
  ensure_wsbench
  mkdir -p "$BENCH_RESULTS"
  section "Confab: ../shared/bench's ${which#wsbench-} scenario"
  start_confabd
  read -r -a more <<<"${FIGURES_WSBENCH_ARGS:-}"
  if [ "${#more[@]}" -gt 0 ]; then
    run_confab_wsbench "${which#wsbench-}" -- "${more[@]}"
  else
    run_confab_wsbench "${which#wsbench-}"
  fi
fi

if [[ $which == fanout-ceiling ]]; then
  ensure_wsbench
  mkdir -p "$BENCH_RESULTS"
  for rate in ${FIGURES_FANOUT_RATES:-1000 1500 2000 3000}; do
    section "fan-out ceiling: 10 conversations of 100, $rate msgs/s ($((rate * 100)) deliveries/s)"
    start_confabd
    pin_stack 0
    run_confab_wsbench custom --client-cpus 1 -- --conns 1000 --convs 10 --members 100 --senders 10 --inflight 32 \
      --rate "$rate" --size 100 --duration 15 --warmup 3
  done
fi

if [[ $which == vs-nats ]]; then
  # Same client, same workloads, one run each, NATS JetStream first.
  ensure_wsbench
  mkdir -p "$BENCH_RESULTS"
  section "NATS JetStream: publish, fanout, idle, and the day's load on cpu 0"
  run_nats_wsbench publish
  run_nats_wsbench fanout
  run_nats_wsbench idle
  run_nats_wsbench custom --server-cpus 0 --client-cpus 1 -- "${DAYLOAD[@]}"
  section "Confab: the same"
  start_confabd
  run_confab_wsbench publish
  start_confabd
  run_confab_wsbench fanout
  start_confabd
  run_confab_wsbench idle
  mkdir -p "$work/segments"
  start_confabd CONFAB_S3_ENDPOINT="file://$work/segments"
  pin_stack 0
  run_confab_wsbench custom --client-cpus 1 -- "${DAYLOAD[@]}"
  section "ratios (Confab / NATS) from $BENCH_RESULTS/figures.jsonl, the last run of each"
  python3 tools/bench/compare.py "$BENCH_RESULTS/figures.jsonl"
fi
