#!/usr/bin/env bash
# Starts and stops the real services the tests and the demo talk to, on 127.0.0.1 and free ports:
#   - a throwaway PostgreSQL 15 cluster (pg_stat_statements preloaded, HypoPG installed),
#   - a redis-server.
# The SQS emulator (fauxqs) is started in-process by test/helpers/sqs.ts, not here.
#
# Usage: scripts/services.sh up|down|env|status [postgres|redis|all]
#   SERVICES_DIR  where state lives (default: <repo>/.services). A second directory gives a second,
#                 independent set of services (the fault tests use that for restarts and kills).
#   PG_MAX_CONNECTIONS  max_connections of the cluster (default 100).
#   SKIP_CHROMIUM  set to not install Debian's chromium (only the demo's HTML report test needs it).
#
# `up` writes $SERVICES_DIR/env (DATABASE_URL, REDIS_URL, PGDATA, PG_BIN, REDIS_PORT) and prints it.
# `up` twice does not start twins: a running service is reused. `down` stops exactly what `up` started.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)

# As root, initdb and postgres run as the `postgres` user, which must be able to reach the data
# directory: a clone under a 0700 home (/root/...) is out of its reach, so state goes to /tmp then.
default_services_dir() {
  if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1 && ! runuser -u postgres -- test -x "$here" 2>/dev/null; then
    echo "/tmp/lambda-perf-kit-services-$(printf '%s' "$here" | md5sum | cut -c1-12)"
  else
    echo "$here/.services"
  fi
}
SERVICES_DIR=${SERVICES_DIR:-$(default_services_dir)}
PG_VERSION=15
PG_BIN=${PG_BIN:-/usr/lib/postgresql/$PG_VERSION/bin}
PG_MAX_CONNECTIONS=${PG_MAX_CONNECTIONS:-100}
action=${1:-}
what=${2:-all}

die() { echo "services.sh: $*" >&2; exit 1; }
log() { echo "services.sh: $*" >&2; }

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Installs the Debian packages that are missing; where it cannot, says what to do instead.
ensure_packages() {
  local missing=()
  [ -x "$PG_BIN/postgres" ] || missing+=("postgresql-$PG_VERSION")
  [ -f "/usr/share/postgresql/$PG_VERSION/extension/hypopg.control" ] || missing+=("postgresql-$PG_VERSION-hypopg")
  [ -f "/usr/share/postgresql/$PG_VERSION/extension/pg_stat_statements.control" ] || missing+=("postgresql-contrib")
  command -v redis-server >/dev/null 2>&1 || missing+=("redis-server")
  # Not a service, but the test suite opens the demo's HTML report in it (npm test installs it here).
  [ -n "${SKIP_CHROMIUM:-}" ] || command -v chromium >/dev/null 2>&1 || missing+=("chromium")
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing: ${missing[*]}. Install them (Debian: sudo apt-get install -y ${missing[*]}), or set DATABASE_URL and REDIS_URL to servers of your own (PostgreSQL 15 with hypopg and pg_stat_statements)."
  fi
  log "installing ${missing[*]} (apt-get)"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

pg_running() { [ -f "$SERVICES_DIR/pg/data/postmaster.pid" ] && run_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" status >/dev/null 2>&1; }
redis_running() { [ -f "$SERVICES_DIR/redis/redis.pid" ] && kill -0 "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null; }

# initdb and postgres refuse to run as root: run them as the postgres user when we are root.
run_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

up_postgres() {
  if pg_running; then log "postgres already running ($SERVICES_DIR/pg)"; return 0; fi
  rm -rf "$SERVICES_DIR/pg"
  mkdir -p "$SERVICES_DIR/pg"
  [ "$(id -u)" -eq 0 ] && chown postgres "$SERVICES_DIR/pg" && chmod 755 "$SERVICES_DIR"
  run_pg "$PG_BIN/initdb" -D "$SERVICES_DIR/pg/data" --auth=trust --no-sync -U postgres -E UTF8 --locale=C.UTF-8 >"$SERVICES_DIR/pg/initdb.log" 2>&1 \
    || { cat "$SERVICES_DIR/pg/initdb.log" >&2; die "initdb failed"; }
  local port; port=$(free_port)
  cat >>"$SERVICES_DIR/pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$SERVICES_DIR/pg'
max_connections = $PG_MAX_CONNECTIONS
shared_preload_libraries = 'pg_stat_statements'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 128MB
EOF
  # The free port is only free until someone else takes it: try again on another one if it is gone.
  local attempt started=0
  for attempt in 1 2 3; do
    echo "port = $port" >>"$SERVICES_DIR/pg/data/postgresql.conf" # the last setting wins
    if run_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/server.log" -w -t 30 start </dev/null >/dev/null 2>&1 9>&-; then
      started=1; break
    fi
    port=$(free_port)
  done
  [ "$started" -eq 1 ] || { tail -20 "$SERVICES_DIR/pg/server.log" >&2; die "postgres did not start"; }
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c 'CREATE DATABASE perfkit' >/dev/null
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -d perfkit -qAt -v ON_ERROR_STOP=1 \
    -c 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements' -c 'CREATE EXTENSION IF NOT EXISTS hypopg' >/dev/null
  echo "$port" >"$SERVICES_DIR/pg/port"
  log "postgres $PG_VERSION on 127.0.0.1:$port"
}

up_redis() {
  if redis_running; then log "redis already running ($SERVICES_DIR/redis)"; return 0; fi
  rm -rf "$SERVICES_DIR/redis"
  mkdir -p "$SERVICES_DIR/redis"
  local port attempt
  for attempt in 1 2 3; do
    port=$(free_port)
    redis-server --bind 127.0.0.1 --port "$port" --daemonize yes --save '' --appendonly no \
      --pidfile "$SERVICES_DIR/redis/redis.pid" --logfile "$SERVICES_DIR/redis/redis.log" --dir "$SERVICES_DIR/redis" </dev/null >/dev/null 2>&1 9>&- \
      || die "redis-server did not start (see $SERVICES_DIR/redis/redis.log)"
    for _ in $(seq 1 50); do
      [ -f "$SERVICES_DIR/redis/redis.pid" ] && redis-cli -p "$port" ping >/dev/null 2>&1 && break
      sleep 0.1
    done
    redis-cli -p "$port" ping >/dev/null 2>&1 && break # else the port was taken meanwhile: another one
  done
  redis-cli -p "$port" ping >/dev/null 2>&1 || die "redis-server is not answering on 127.0.0.1:$port"
  echo "$port" >"$SERVICES_DIR/redis/port"
  log "redis on 127.0.0.1:$port"
}

write_env() {
  : >"$SERVICES_DIR/env"
  if [ -f "$SERVICES_DIR/pg/port" ]; then
    {
      echo "DATABASE_URL=postgres://postgres@127.0.0.1:$(cat "$SERVICES_DIR/pg/port")/perfkit"
      echo "PGDATA=$SERVICES_DIR/pg/data"
      echo "PG_BIN=$PG_BIN"
    } >>"$SERVICES_DIR/env"
  fi
  if [ -f "$SERVICES_DIR/redis/port" ]; then
    {
      echo "REDIS_URL=redis://127.0.0.1:$(cat "$SERVICES_DIR/redis/port")"
      echo "REDIS_PORT=$(cat "$SERVICES_DIR/redis/port")"
    } >>"$SERVICES_DIR/env"
  fi
  cat "$SERVICES_DIR/env"
}

down_postgres() {
  if pg_running; then
    run_pg "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
    log "postgres stopped"
  fi
  rm -rf "$SERVICES_DIR/pg"
}

down_redis() {
  if redis_running; then
    kill "$(cat "$SERVICES_DIR/redis/redis.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do redis_running || break; sleep 0.1; done
    log "redis stopped"
  fi
  rm -rf "$SERVICES_DIR/redis"
}

mkdir -p "$SERVICES_DIR"
# One `up`/`down` at a time per state directory, so two callers never start twins.
exec 9>"$SERVICES_DIR/.lock"
flock 9

case "$action" in
  up)
    ensure_packages
    case "$what" in
      postgres) up_postgres ;;
      redis) up_redis ;;
      all) up_postgres; up_redis ;;
      *) die "unknown service '$what': expected postgres, redis or all" ;;
    esac
    write_env
    ;;
  down)
    # A team sharing one set of services can pin it: `touch $SERVICES_DIR/keep` makes `down` a no-op.
    if [ -f "$SERVICES_DIR/keep" ] && [ -z "${FORCE_DOWN:-}" ]; then
      log "kept running: $SERVICES_DIR/keep exists (remove it, or set FORCE_DOWN=1)"; exit 0
    fi
    case "$what" in
      postgres) down_postgres ;;
      redis) down_redis ;;
      all) down_postgres; down_redis ;;
      *) die "unknown service '$what': expected postgres, redis or all" ;;
    esac
    [ -d "$SERVICES_DIR" ] && write_env >/dev/null
    ;;
  env) [ -f "$SERVICES_DIR/env" ] && cat "$SERVICES_DIR/env" ;;
  status)
    pg_running && echo "postgres: running" || echo "postgres: stopped"
    redis_running && echo "redis: running" || echo "redis: stopped"
    ;;
  *) die "usage: scripts/services.sh up|down|env|status [postgres|redis|all]" ;;
esac
