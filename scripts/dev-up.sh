#!/usr/bin/env bash
# Starts a working Confab on this machine for a newcomer: installs dependencies, builds,
# runs PostgreSQL and Redis from a local data directory (.confab-dev/), creates a demo app
# and API key, prints them, and keeps confabd in the foreground (Ctrl-C stops everything).
# Object storage is a local directory ([s3] endpoint = file://...), so no S3 server is needed;
# confabd signs and serves the attachment upload/download URLs itself (docs/objectstore.md).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
data="$root/.confab-dev"
PUBLIC_PORT=${CONFAB_DEV_PORT:-8080}
INTERNAL_PORT=${CONFAB_DEV_INTERNAL_PORT:-8081}
PG_PORT=${CONFAB_DEV_PG_PORT:-55432}
REDIS_PORT=${CONFAB_DEV_REDIS_PORT:-56379}

bash scripts/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target confabd confab_redismodule confab-bench confab-console

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
mkdir -p "$data"
chmod 755 "$data"
if [ ! -f "$data/pg/data/PG_VERSION" ]; then
  install -d -o postgres -g postgres "$data/pg"
  (cd / && runuser -u postgres -- "$PGBIN/initdb" -D "$data/pg/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null)
fi
if ! runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data/pg/data" status >/dev/null 2>&1; then
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data/pg/data" -l "$data/pg/log" -w -t 30 \
    -o "-p $PG_PORT -k $data/pg -c listen_addresses=127.0.0.1" start >/dev/null
fi
psql -qAtX "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "SELECT 1 FROM pg_database WHERE datname='confab'" | grep -q 1 ||
  psql -qX "postgresql://postgres@127.0.0.1:$PG_PORT/postgres" -c "CREATE DATABASE confab" >/dev/null

mkdir -p "$data/redis" "$data/objects"
if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
  # With confab's module: messages are accepted by CONFAB.ACCEPT (docs/redis.md, "The accept module").
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --appendonly yes --dir "$data/redis" \
    --daemonize yes --pidfile "$data/redis/pid" --logfile "$data/redis/log" \
    --loadmodule "$root/build/server/redismodule/confab-redis.so"
fi

[ -f "$data/admin-token" ] || head -c 24 /dev/urandom | base64 | tr -d '/+=' >"$data/admin-token"
ADMIN_TOKEN=$(cat "$data/admin-token")
cat >"$data/confab.ini" <<INI
[server]
listen = 127.0.0.1:$PUBLIC_PORT
internal_listen = 127.0.0.1:$INTERNAL_PORT
node_id = dev
[postgres]
url = postgresql://postgres@127.0.0.1:$PG_PORT/confab
[redis]
url = redis://127.0.0.1:$REDIS_PORT/0
[s3]
endpoint = file://$data/objects
[admin]
token = $ADMIN_TOKEN
INI

stop_all() {
  [ -n "${confabd_pid:-}" ] && kill "$confabd_pid" 2>/dev/null && wait "$confabd_pid" 2>/dev/null || true
  redis-cli -p "$REDIS_PORT" shutdown >/dev/null 2>&1 || true
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$data/pg/data" -m fast stop >/dev/null 2>&1 || true
}
trap stop_all EXIT
trap 'exit 0' INT TERM

./build/server/confabd serve --config "$data/confab.ini" &
confabd_pid=$!
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$INTERNAL_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fs "http://127.0.0.1:$INTERNAL_PORT/readyz" >/dev/null

app=$(curl -fs -X POST "http://127.0.0.1:$INTERNAL_PORT/admin/apps" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"name":"demo"}')
app_id=$(echo "$app" | sed -E 's/.*"app_id":"([^"]+)".*/\1/')
key=$(curl -fs -X POST "http://127.0.0.1:$INTERNAL_PORT/admin/apps/$app_id/keys" -H "Authorization: Bearer $ADMIN_TOKEN" \
  -H 'Content-Type: application/json' -d '{"label":"demo"}')
api_key=$(echo "$key" | sed -E 's/.*"api_key":"([^"]+)".*/\1/')

cat <<MSG

Confab is running (Ctrl-C stops it and its PostgreSQL and Redis).
  public API + WebSocket : http://127.0.0.1:$PUBLIC_PORT  (ws://127.0.0.1:$PUBLIC_PORT/v1/ws)
  internal (admin, health): http://127.0.0.1:$INTERNAL_PORT
  admin token            : $ADMIN_TOKEN
  demo app id            : $app_id
  demo API key           : $api_key

Try it:
  curl -s -X POST http://127.0.0.1:$PUBLIC_PORT/v1/auth/token -H "Authorization: Bearer $api_key" -d '{"user_id":"alice"}'
  curl -s -X POST http://127.0.0.1:$PUBLIC_PORT/v1/conversations -H "Authorization: Bearer $api_key" -d '{"kind":"direct","members":["alice","bob"]}'
  ./build/tools/bench/confab-bench --admin-token $ADMIN_TOKEN --connections 200 --conversations 20

Watch it from the operator console (a desktop window; needs a display):
  ./build/console/confab-console      then Server > Connect: ws://127.0.0.1:$INTERNAL_PORT/admin/ws, token above
MSG
wait "$confabd_pid"
