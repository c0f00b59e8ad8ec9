#!/usr/bin/env bash
# Chaos and soak runs against two confabd nodes on their own PostgreSQL, Redis (AOF) and S3 test
# server (tests/fixtures/services.sh, never a shared fixture: this script restarts them).
# docs/chaos.md has the results and what every column means. Needs a build of confabd and
# confab-chaos (tools/chaos):
#   bash tools/chaos.sh chaos   2,000 msgs/s while, in turn: kill -9 a node, restart Redis, restart
#                               PostgreSQL, stop S3 for 30 s, SIGSTOP Redis for 5 s; then checks
#                               that every acked message is in history exactly once and prints
#                               the table. Exit status 1 when a message was lost or duplicated.
#   bash tools/chaos.sh short   the same faults, shorter and at 200 msgs/s (the ctest tst_chaos)
#   bash tools/chaos.sh soak    30 minutes at 1,000 msgs/s, confabd's and Redis's RSS every 30 s
# Environment: CONFABD, CONFAB_CHAOS (binaries), RATE, SOAK_S, SAMPLE_S, DEDUP_WINDOW, CHAOS_WORK (keep the
# work directory there instead of a temporary one).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mode=${1:-chaos}
bin=${CONFABD:-$root/build/server/confabd}
tool=${CONFAB_CHAOS:-$root/build/tools/chaos/confab-chaos}
TOKEN=chaos-admin-token
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -n "${CHAOS_WORK:-}" ]; then work=$CHAOS_WORK; mkdir -p "$work"; keep=1; else work=$(mktemp -d /tmp/confab-chaos.XXXXXX); keep=0; fi
envfile="$work/services.env"
ulimit -n "$(ulimit -Hn)"

now_ms() { date +%s%3N; }
log() { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# shellcheck source=tests/fixtures/ports.sh
. tests/fixtures/ports.sh

# Redis with confab's module when it is built (CONFAB_TEST_REDIS_MODULE= for the Lua script): a
# kill -9 of Redis then replays an AOF the module wrote.
module=${CONFAB_TEST_REDIS_MODULE-$root/build/server/redismodule/confab-redis.so}
[ -f "$module" ] || module=
CONFAB_TEST_REDIS_MODULE=$module bash tests/fixtures/services.sh start "$envfile" >/dev/null
# shellcheck disable=SC1090
. "$envfile"
T=$CONFAB_TEST_DIR
declare -a node_pid node_pub node_int
load_pid=""
cleanup() {
  local i
  [ -n "$load_pid" ] && kill "$load_pid" 2>/dev/null || true
  # A stopped Redis or S3 server must run again to be stopped.
  [ -f "$T/redis/pid" ] && kill -CONT "$(cat "$T/redis/pid")" 2>/dev/null || true
  for i in 1 2; do
    [ -n "${node_pid[$i]:-}" ] && kill "${node_pid[$i]}" 2>/dev/null && wait "${node_pid[$i]}" 2>/dev/null || true
  done
  bash tests/fixtures/services.sh stop "$envfile" >/dev/null
  [ "$keep" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

psql -qX "$CONFAB_TEST_PG_URL" -c "CREATE DATABASE chaos" >/dev/null
node_env=(CONFAB_POSTGRES_URL="${CONFAB_TEST_PG_URL%/postgres}/chaos" CONFAB_REDIS_URL="$CONFAB_TEST_REDIS_URL"
          CONFAB_S3_ENDPOINT="$CONFAB_TEST_S3_ENDPOINT" CONFAB_S3_BUCKET="$CONFAB_TEST_S3_BUCKET"
          CONFAB_S3_ACCESS_KEY=S3RVER CONFAB_S3_SECRET_KEY=S3RVER CONFAB_ADMIN_TOKEN="$TOKEN"
          CONFAB_LIMITS_MAX_CONNS=20000 QT_NO_GLIB=1)
: >"$work/empty.ini"
for i in 1 2; do node_pub[$i]=$(free_port); node_int[$i]=$(free_port); done

ready() { curl -fs -m 2 "http://127.0.0.1:${node_int[$1]}/readyz" >/dev/null 2>&1; }
wait_ready() {
  for _ in $(seq 1 600); do ready "$1" && return 0; sleep 0.1; done
  echo "node$1 did not become ready:" >&2; tail -20 "$work/node$1.log" >&2; return 1
}
# start_node I [VAR=value ...]
start_node() {
  local i=$1; shift
  env "${node_env[@]}" CONFAB_SERVER_LISTEN=127.0.0.1:${node_pub[$i]} \
    CONFAB_SERVER_INTERNAL_LISTEN=127.0.0.1:${node_int[$i]} CONFAB_SERVER_NODE_ID=node$i "$@" \
    "$bin" serve --config "$work/empty.ini" >>"$work/node$i.log" 2>&1 &
  node_pid[$i]=$!
  wait_ready "$i"
}

redis_pid() { cat "$T/redis/pid"; }
redis_up() { redis-cli -p "$CONFAB_TEST_REDIS_PORT" ping 2>/dev/null | grep -q PONG; }
# The same command line as services.sh, so the restarted Redis reads its own AOF.
start_redis() {
  redis-server --port "$CONFAB_TEST_REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly yes \
    --dir "$T/redis" --daemonize yes --pidfile "$T/redis/pid" --logfile "$T/redis/log" \
    ${CONFAB_TEST_REDIS_MODULE:+--loadmodule "$CONFAB_TEST_REDIS_MODULE"}
  for _ in $(seq 1 300); do redis_up && return 0; sleep 0.1; done
  echo "redis did not come back" >&2; return 1
}
start_s3() {
  (cd "$(dirname "$CONFAB_TEST_S3_SCRIPT")" && NODE_OPTIONS=--openssl-legacy-provider exec node s3server.js \
    "$CONFAB_TEST_S3_PORT" "$CONFAB_TEST_S3_DIR" "$CONFAB_TEST_S3_BUCKET") >>"$T/s3.log" 2>&1 </dev/null &
  echo $! >"$T/s3.pid"
  for _ in $(seq 1 600); do (exec 3<>/dev/tcp/127.0.0.1/"$CONFAB_TEST_S3_PORT") 2>/dev/null && return 0; sleep 0.1; done
  echo "s3 did not come back" >&2; return 1
}
pg_ctl_() { runuser -u postgres -- "$PGBIN/pg_ctl" -D "$T/pg/data" "$@" >/dev/null; }
start_pg() {
  pg_ctl_ -l "$T/pg/log" -w -t 60 -o "-p $CONFAB_TEST_PG_PORT -k $T/pg -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start
}

# Every fault appends "name<TAB>start_ms<TAB>end_ms" to $work/faults.tsv: from the moment it was
# injected to the moment the service was back (the node ready, Redis answering PING, ...).
fault_begin() { fault_name=$1; fault_start=$(now_ms); log "fault: $1"; }
fault_end() { printf '%s\t%s\t%s\n' "$fault_name" "$fault_start" "$(now_ms)" >>"$work/faults.tsv"; log "  back after $(( $(now_ms) - fault_start )) ms"; }

fault_kill_node() { # $1 seconds down
  fault_begin "kill -9 node2"
  kill -9 "${node_pid[2]}"; wait "${node_pid[2]}" 2>/dev/null || true
  sleep "$1"
  start_node 2 "${node_extra[@]}"
  fault_end
}
fault_restart_redis() { # $1 seconds down
  local pid; pid=$(redis_pid)
  fault_begin "restart Redis (AOF)"
  # SHUTDOWN writes the AOF out (appendfsync everysec); kill -9 would lose up to a second of it
  # by Redis's own contract, which no client of Redis can survive.
  redis-cli -p "$CONFAB_TEST_REDIS_PORT" shutdown >/dev/null 2>&1 || true
  while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  sleep "$1"
  start_redis
  fault_end
}
fault_restart_pg() { # $1 seconds down
  fault_begin "restart PostgreSQL"
  pg_ctl_ -m fast -w stop
  sleep "$1"
  start_pg
  fault_end
}
fault_stop_s3() { # $1 seconds down
  fault_begin "stop S3 ${1} s"
  local pid; pid=$(cat "$T/s3.pid")
  kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
  sleep "$1"
  start_s3
  fault_end
}
fault_sigstop_redis() { # $1 seconds stopped
  fault_begin "SIGSTOP Redis ${1} s"
  kill -STOP "$(redis_pid)"
  sleep "$1"
  kill -CONT "$(redis_pid)"
  fault_end
}

rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

run_load() { # confab-chaos arguments...
  echo "\$ confab-chaos $*" >&2
  "$tool" --api "http://127.0.0.1:${node_pub[1]},http://127.0.0.1:${node_pub[2]}" \
    --admin "http://127.0.0.1:${node_int[1]}" --admin-token "$TOKEN" "$@" &
  load_pid=$!
}
wait_load() {
  local rc=0
  wait "$load_pid" || rc=$?
  load_pid=""
  return $rc
}
wait_sending() { until grep -q '^sending' "$work/load.out" 2>/dev/null; do kill -0 "$load_pid" || return 1; sleep 0.2; done; }

node_extra=()
case $mode in
chaos|short)
  if [ "$mode" = chaos ]; then
    rate=${RATE:-2000}; gap=15; node_down=3; redis_down=2; pg_down=3; s3_down=30; stop_s=5
    # Flush often enough that the S3 outage and the PostgreSQL restart hit flushes.
    node_extra=(CONFAB_SEGMENTS_MAX_AGE=5s)
    conv_args=(--conversations 20 --senders-per-conversation 2 --readers-per-conversation 1 --settle 5)
  else
    rate=${RATE:-200}; gap=6; node_down=1; redis_down=1; pg_down=1; s3_down=6; stop_s=6
    node_extra=(CONFAB_SEGMENTS_MAX_AGE=2s)
    conv_args=(--conversations 8 --senders-per-conversation 2 --readers-per-conversation 1 --settle 3)
  fi
  start_node 1 "${node_extra[@]}"
  start_node 2 "${node_extra[@]}"
  : >"$work/faults.tsv"
  run_load "${conv_args[@]}" --rate "$rate" --stop-file "$work/stop" --faults "$work/faults.tsv" \
    --timeline "$work/timeline.txt" --max-duration 900 >"$work/load.out"
  wait_sending
  log "load running at $rate msgs/s; first fault in $gap s"
  sleep "$gap"; fault_kill_node "$node_down"
  sleep "$gap"; fault_restart_redis "$redis_down"
  sleep "$gap"; fault_restart_pg "$pg_down"
  sleep "$gap"; fault_stop_s3 "$s3_down"
  sleep "$gap"; fault_sigstop_redis "$stop_s"
  sleep "$gap"
  touch "$work/stop"
  log "load stopped; draining and checking history"
  rc=0; wait_load || rc=$?
  cat "$work/load.out"
  # A kill -9 that made no client reconnect did not happen: the run would prove nothing.
  kill_reconnects=$(awk -F'|' '$2 ~ /kill -9/ {gsub(/ /, "", $9); print $9}' "$work/load.out")
  if [ "${kill_reconnects:-0}" -eq 0 ] 2>/dev/null || [ -z "$kill_reconnects" ]; then
    echo "no client reconnected during kill -9 node2: the fault did not take effect" >&2; rc=1
  fi
  echo "ack latency by second: $work/timeline.txt (worst 5 seconds below)"
  sort -k4,4nr "$work/timeline.txt" | grep -v '^t_s' | head -5
  exit $rc
  ;;
soak)
  rate=${RATE:-1000}; soak_s=${SOAK_S:-1800}; sample_s=${SAMPLE_S:-30}
  # The dedup index keeps every client_msg_id for 1.5 x dedup_window (docs/redis.md): with the
  # default 1 h window Redis grows for 90 minutes by design. 5 minutes lets the soak reach the
  # plateau during its warm-up, so growth after it would be a leak.
  node_extra=("CONFAB_LIMITS_DEDUP_WINDOW=${DEDUP_WINDOW:-5m}")
  start_node 1 "${node_extra[@]}"
  start_node 2 "${node_extra[@]}"
  : >"$work/faults.tsv"
  run_load --conversations 50 --senders-per-conversation 1 --readers-per-conversation 1 --rate "$rate" \
    --stop-file "$work/stop" --timeline "$work/timeline.txt" --max-duration $((soak_s + 600)) >"$work/load.out"
  wait_sending
  start=$(date +%s)
  echo "t_s node1_rss_kb node2_rss_kb redis_rss_kb redis_used_memory" >"$work/rss.txt"
  while :; do
    t=$(( $(date +%s) - start ))
    used=$(redis-cli -p "$CONFAB_TEST_REDIS_PORT" info memory | awk -F: '/^used_memory:/ {print $2+0}')
    echo "$t $(rss_kb "${node_pid[1]}") $(rss_kb "${node_pid[2]}") $(rss_kb "$(redis_pid)") $used" | tee -a "$work/rss.txt" >&2
    [ "$t" -ge "$soak_s" ] && break
    kill -0 "$load_pid" || { echo "load generator died" >&2; cat "$work/load.out"; exit 1; }
    sleep "$sample_s"
  done
  touch "$work/stop"
  rc=0; wait_load || rc=$?
  cat "$work/load.out"
  echo
  echo "RSS samples every ${sample_s} s (kB): $work/rss.txt"
  # Warm-up: the first third (10 minutes of 30). Slope: least squares over the samples after it.
  awk -v warm=$((soak_s / 3)) 'NR > 1 {
      if (!w && $1 >= warm) { w = 1; for (c = 2; c <= 5; c++) first[c] = $c }
      if (w) { n++; sx += $1; sxx += $1 * $1; for (c = 2; c <= 5; c++) { sy[c] += $c; sxy[c] += $1 * $c; last[c] = $c } }
    } END {
      split("node1 RSS kB,node2 RSS kB,Redis RSS kB,Redis used_memory B", name, ",")
      printf "| series | after warm-up (t=%d s) | end | slope per minute after warm-up |\n| --- | --- | --- | --- |\n", warm
      for (c = 2; c <= 5; c++) {
        d = n * sxx - sx * sx; slope = d ? (n * sxy[c] - sx * sy[c]) / d * 60 : 0
        printf "| %s | %d | %d | %+.1f |\n", name[c - 1], first[c], last[c], slope
      }
    }' "$work/rss.txt"
  exit $rc
  ;;
*)
  echo "usage: tools/chaos.sh chaos|short|soak" >&2; exit 2
  ;;
esac
