#!/usr/bin/env bash
# The .deb packages on this machine, as an operator uses them (issue 10): build them from the
# suite's build tree, lintian, install, check files, user and modes, `systemd-analyze verify`
# the unit, check-config on good and bad files, `confabd setup-local` twice, run the installed
# confabd as the unit runs it and send a message end to end, upgrade over itself, remove,
# purge, and check what is left. Needs root (it installs packages) and the services fixture.
#   install-test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=${1:?source dir}
build=${2:?build dir}
: "${CONFAB_TEST_ENV:?run through ctest (services fixture)}"
# shellcheck disable=SC1090
. "$CONFAB_TEST_ENV"
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)

fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo; echo "== $*"; }
expect() { # expect DESCRIPTION ACTUAL WANTED
  [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
  echo "ok: $1 ($2)"
}
# shellcheck source=tests/fixtures/ports.sh
. "$src/tests/fixtures/ports.sh"

[ "$(id -u)" -eq 0 ] || fail "the install test installs packages: run the suite as root"
# One install test per machine at a time (dpkg has one database).
exec 9>/tmp/confab-install-test.lock
flock 9

# A confabd package this test did not install belongs to the machine's operator: never touch it.
marker=/var/lib/confab-install-test.marker
if dpkg-query -W -f='${Status}' confabd 2>/dev/null | grep -Eq 'installed|config-files'; then
  [ -f "$marker" ] || fail "a confabd package is already installed here; this test would replace and purge it"
  apt-get purge -y -qq confabd confab-console confab-tools >/dev/null
fi
rm -rf /var/lib/confab
touch "$marker"

tmp=$(mktemp -d /tmp/confab-install-test.XXXXXX)
pid=""
redis_pid=""
pgsql() { # pgsql DATABASE SQL: as the superuser of the test services' PostgreSQL
  (cd / && runuser -u postgres -- psql -X -q -t -A -v ON_ERROR_STOP=1 -h "$CONFAB_TEST_DIR/pg" -p "$CONFAB_TEST_PG_PORT" -d "$1" -c "$2")
}
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "$redis_pid" ] && kill "$redis_pid" 2>/dev/null
  apt-get purge -y -qq confabd confab-console confab-tools >/dev/null 2>&1 || true
  rm -rf /var/lib/confab "$marker" "$tmp"
  pgsql postgres "DROP DATABASE IF EXISTS confab WITH (FORCE)" >/dev/null 2>&1 || true
  pgsql postgres "DROP ROLE IF EXISTS confab" >/dev/null 2>&1 || true
}
trap cleanup EXIT

step "build the packages from the suite's build tree, and lintian"
bash "$src/scripts/build-deb.sh" --prebuilt "$build"
debs=("$src"/dist/confabd_*.deb "$src"/dist/confab-console_*.deb "$src"/dist/confab-tools_*.deb)
ls "${debs[@]}" >/dev/null

step "install"
apt-get install -y -qq --no-install-recommends "${debs[@]}" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "apt-get install"; }
version=$(dpkg-query -W -f='${Version}' confabd)
echo "installed confabd $version"

step "files, user, modes"
for f in /usr/bin/confabd /usr/lib/confab/confab-redis.so /usr/bin/confab-console /usr/bin/confab-bench /etc/confab/confab.ini \
         /lib/systemd/system/confabd.service /usr/share/applications/confab-console.desktop \
         /usr/share/icons/hicolor/scalable/apps/confab-console.svg \
         /usr/share/confab-console/translations/console_de.qm /usr/share/confab-console/translations/console_fr.qm \
         /usr/share/confab-console/translations/console_en.qm /usr/share/doc/confabd/copyright; do
  [ -e "$f" ] || fail "$f is missing"
done
echo "ok: every expected file is installed"
# Minimal images tell dpkg not to unpack man pages; the package must still carry them.
dpkg-deb -c "$src"/dist/confabd_*.deb | grep -q '/usr/share/man/man8/confabd.8.gz$' || fail "no confabd(8) in the package"
expect "conffile" "$(dpkg-query -W -f='${Conffiles}' confabd | awk '{print $1}' | xargs)" "/etc/confab/confab.ini"
IFS=: read -r _ _ uid _ _ home shell < <(getent passwd confab) || fail "no confab user"
[ "$uid" -lt 1000 ] || fail "confab is not a system user (uid $uid)"
expect "confab's home" "$home" "/var/lib/confab"
expect "confab's shell" "$shell" "/usr/sbin/nologin"
expect "config owner and mode" "$(stat -c '%U:%G %a' /etc/confab/confab.ini)" "root:confab 640"
expect "state directory" "$(stat -c '%U:%G %a' /var/lib/confab)" "confab:confab 750"
expect "segment directory" "$(stat -c '%U:%G %a' /var/lib/confab/objects)" "confab:confab 750"
expect "unit enabled for boot" "$(readlink /etc/systemd/system/multi-user.target.wants/confabd.service)" "/lib/systemd/system/confabd.service"

step "versions agree"
commit=$(confabd --version | sed -n 's/.*(commit \(.*\))$/\1/p')
expect "confabd --version" "$(confabd --version)" "confabd $version (commit $commit)"
expect "confab-console --version" "$(HOME=$tmp QT_QPA_PLATFORM=offscreen confab-console --version)" "confab-console $version (commit $commit)"

step "systemd-analyze verify"
# Without systemd as PID 1 verify still loads the unit and checks its directives, that
# ExecStart's binary is there and that its Documentation= man page exists.
set +e
systemd-analyze verify /lib/systemd/system/confabd.service >"$tmp/verify.log" 2>&1
rc=$?
set -e
if [ ! -e /usr/share/man/man8/confabd.8.gz ] && grep -q "Command 'man confabd(8)' failed" "$tmp/verify.log"; then
  echo "note: this machine does not unpack man pages; the Documentation=man:confabd(8) check is skipped"
  grep -v "Command 'man confabd(8)' failed" "$tmp/verify.log" >"$tmp/verify.rest" || true
  mv "$tmp/verify.rest" "$tmp/verify.log"
  rc=0
fi
[ "$rc" -eq 0 ] && [ ! -s "$tmp/verify.log" ] || { cat "$tmp/verify.log"; fail "systemd-analyze verify complained"; }
echo "ok: the unit verifies"

step "check-config on the installed file and on a bad one"
confabd check-config --config /etc/confab/confab.ini
printf '[server]\nlisten = nowhere\n[retention]\nmax_age = 45d\ncolour = blue\n' >"$tmp/bad.ini"
set +e
confabd check-config --config "$tmp/bad.ini" >"$tmp/bad.out"
rc=$?
set -e
cat "$tmp/bad.out"
expect "check-config on a bad file exits" "$rc" "1"
expect "problems reported, one per line" "$(wc -l <"$tmp/bad.out")" "3"

step "the console loads its installed translations"
set +e
HOME=$tmp QT_QPA_PLATFORM=offscreen timeout 5 confab-console --language de >"$tmp/console.log" 2>&1
set -e
grep -F "from /usr/share/confab-console/translations/console_de.qm" "$tmp/console.log" \
  || { cat "$tmp/console.log"; fail "the console did not load the installed German catalogue"; }

step "setup-local, twice (PostgreSQL of the test services: PGHOST/PGPORT)"
export PGHOST=$CONFAB_TEST_DIR/pg PGPORT=$CONFAB_TEST_PG_PORT
confabd setup-local | tee "$tmp/setup1.out"
unset PGHOST PGPORT
token=$(sed -n 's/^admin token: *//p' "$tmp/setup1.out")
[ "${#token}" -ge 40 ] || fail "no strong admin token printed"
grep -q "^token = $token\$" /etc/confab/confab.ini || fail "the token is not in the config"
grep -q '^url = postgresql://confab:[A-Za-z0-9_-]\{32\}@127.0.0.1:'"$CONFAB_TEST_PG_PORT"'/confab$' /etc/confab/confab.ini \
  || fail "no generated database password in the config"
expect "config owner and mode after setup-local" "$(stat -c '%U:%G %a' /etc/confab/confab.ini)" "root:confab 640"
before=$(sha256sum /etc/confab/confab.ini)
confabd setup-local | tee "$tmp/setup2.out"
grep -q "nothing to change" "$tmp/setup2.out" || fail "the second setup-local did not say it changed nothing"
expect "config unchanged by the second run" "$(sha256sum /etc/confab/confab.ini)" "$before"

# The installed unit's command, user and directory; systemd itself starts it when it runs.
unit=/lib/systemd/system/confabd.service
execstart=$(sed -n 's/^ExecStart=//p' "$unit")
user=$(sed -n 's/^User=//p' "$unit")
workdir=$(sed -n 's/^WorkingDirectory=//p' "$unit")
redis_port=$(free_port)
# Debian's Redis with the packaged module, as docs/redis.md tells an operator to load it.
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly yes --dir "$tmp" \
  --daemonize no --logfile "$tmp/redis.log" --loadmodule /usr/lib/confab/confab-redis.so &
redis_pid=$!
public_port=$(free_port)
internal_port=$(free_port)
internal=http://127.0.0.1:$internal_port
api=http://127.0.0.1:$public_port
start_service() {
  echo "systemd is not PID 1 on this machine: running the unit's ExecStart by hand, as User=$user in $workdir:"
  echo "  $execstart   (with CONFAB_REDIS_URL and the listen ports set for the test)"
  local attempt from
  for attempt in 1 2 3; do
    from=$(stat -c %s "$tmp/confabd.log" 2>/dev/null || echo 0)
    # shellcheck disable=SC2086
    # setpriv execs (runuser would stay as the parent): $pid is confabd itself, as MainPID is.
    (cd "$workdir" && exec setpriv --reuid="$user" --regid="$user" --init-groups -- env CONFAB_REDIS_URL="redis://127.0.0.1:$redis_port/0" \
       CONFAB_SERVER_LISTEN="127.0.0.1:$public_port" CONFAB_SERVER_INTERNAL_LISTEN="127.0.0.1:$internal_port" \
       $execstart) >>"$tmp/confabd.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 300); do
      curl -fs "$internal/readyz" >/dev/null 2>&1 && { echo "ok: /readyz answers 200"; return 0; }
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && { cat "$tmp/confabd.log"; fail "confabd did not become ready"; }
    # free_port() only saw the ports free: a test running beside this one may have bound one
    # since. Then other ports, not a failure.
    if [ "$attempt" -lt 3 ] && tail -c +"$((from + 1))" "$tmp/confabd.log" | grep -q 'already in use'; then
      echo "a listen port was taken meanwhile: other ports"
      public_port=$(free_port)
      internal_port=$(free_port)
      internal=http://127.0.0.1:$internal_port
      api=http://127.0.0.1:$public_port
      continue
    fi
    cat "$tmp/confabd.log"; fail "confabd exited"
  done
}
stop_service() {
  kill -TERM "$pid"
  local rc=0
  wait "$pid" || rc=$?
  pid=""
  expect "confabd's exit status after SIGTERM" "$rc" "0"
}
json() { sed -n 's/.*"'"$1"'":"\{0,1\}\([^",}]*\)"\{0,1\}.*/\1/p'; }

step "run the installed confabd with the installed config"
start_service
expect "/healthz version" "$(curl -fsS "$internal/healthz" | json version)" "$version"
expect "/healthz commit" "$(curl -fsS "$internal/healthz" | json commit)" "$commit"

step "a message end to end, with the demo command setup-local printed"
demo=$(sed -n 's/^  \(app=.*\)$/\1/p' "$tmp/setup1.out" | sed "s#http://127.0.0.1:8081#$internal#g")
[ -n "$demo" ] || fail "setup-local printed no demo command"
bash -c "$demo" | tee "$tmp/demo.out"
api_key=$(json api_key <"$tmp/demo.out")
[ -n "$api_key" ] || fail "the demo command made no API key"
convo=$(curl -fsS -H "Authorization: Bearer $api_key" -H 'Content-Type: application/json' \
  -d '{"kind":"group","members":["alice","bob"]}' "$api/v1/conversations" | json id)
curl -fsS -H "Authorization: Bearer $api_key" -H 'Content-Type: application/json' \
  -d '{"client_msg_id":"install-test-1","content":{"text":"hello from the package"},"sender_id":"alice"}' \
  "$api/v1/conversations/$convo/messages"
echo
curl -fsS -H "Authorization: Bearer $api_key" "$api/v1/conversations/$convo/messages" | grep -q "hello from the package" \
  || fail "the message is not in the history"
echo "ok: the message is in the conversation's history"
redis-cli -p "$redis_port" info commandstats | grep -q '^cmdstat_confab.accept:calls=1,' \
  || { redis-cli -p "$redis_port" info commandstats; fail "the message was not accepted by the packaged Redis module"; }
echo "ok: the packaged Redis module accepted it"
written=$(curl -fsS -X POST -H "Authorization: Bearer $token" "$internal/admin/flush" | json segments_written)
[ "${written:-0}" -ge 1 ] || fail "the flush wrote no segment"
segment=$(find /var/lib/confab/objects -type f | head -n 1)
[ -n "$segment" ] || fail "no segment file under /var/lib/confab/objects"
expect "segment owner" "$(stat -c '%U' "$segment")" "confab"
stop_service

step "upgrade over itself: config kept, schema checked before serving"
apt-get install -y -qq --reinstall --no-install-recommends "${debs[@]}" >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "reinstall"; }
expect "edited config kept" "$(sha256sum /etc/confab/confab.ini)" "$before"
expect "config owner and mode" "$(stat -c '%U:%G %a' /etc/confab/confab.ini)" "root:confab 640"
start_service
curl -fsS -H "Authorization: Bearer $api_key" "$api/v1/conversations/$convo/messages" | grep -q "hello from the package" \
  || fail "the message is gone after the upgrade"
echo "ok: the message is still there"
stop_service
# A binary older than the database's schema refuses to start, with one line.
pgsql confab "INSERT INTO schema_migrations (version, name) VALUES (100000, 'from a newer confabd')"
set +e
setpriv --reuid="$user" --regid="$user" --init-groups -- env CONFAB_REDIS_URL="redis://127.0.0.1:$redis_port/0" $execstart >"$tmp/newer.out" 2>&1
rc=$?
set -e
cat "$tmp/newer.out"
[ "$rc" -ne 0 ] || fail "confabd started on a newer schema"
grep -q "^confabd: .*schema is at version 100000" "$tmp/newer.out" || fail "no one-line reason for the newer schema"
pgsql confab "DELETE FROM schema_migrations WHERE version = 100000"

step "remove: config and data stay"
apt-get remove -y -qq confabd confab-console confab-tools >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "remove"; }
[ ! -e /usr/bin/confabd ] || fail "/usr/bin/confabd is still there"
expect "config after remove" "$(sha256sum /etc/confab/confab.ini)" "$before"
[ -n "$(find /var/lib/confab/objects -type f)" ] || fail "segments gone after remove"
getent passwd confab >/dev/null || fail "the confab user is gone after remove"
echo "ok: binaries gone; config, segments and user kept"

step "purge: config and user go, the data stays with a note"
apt-get purge -y confabd confab-console confab-tools >"$tmp/apt.log" 2>&1 || { cat "$tmp/apt.log"; fail "purge"; }
grep "README.purged" "$tmp/apt.log"
[ ! -e /etc/confab ] || fail "/etc/confab is still there"
! getent passwd confab >/dev/null || fail "the confab user is still there"
! getent group confab >/dev/null || fail "the confab group is still there"
[ -f /var/lib/confab/README.purged ] || fail "no note in /var/lib/confab"
[ -n "$(find /var/lib/confab/objects -type f)" ] || fail "segments gone after purge"
[ ! -e /etc/systemd/system/multi-user.target.wants/confabd.service ] || fail "the unit is still enabled"
echo "ok: left behind: $(find /var/lib/confab -maxdepth 1 | xargs)"

echo
echo "install test passed in $(( $(date +%s) - started )) s"
