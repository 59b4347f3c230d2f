#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer on loopback: installs the Debian packages when they are
# missing and starts the servers with the machine's own commands when they are down. Also installs
# promtool (Debian's prometheus package), which the metrics test runs on /metrics output, and Debian's
# chromium, which the dashboard's browser test drives.
set -euo pipefail

PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432
REDIS_PORT_NUM=6379

log() { printf 'services: %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

wait_for() { # name host port
  for _ in $(seq 1 60); do
    if port_open "$2" "$3"; then return 0; fi
    sleep 0.5
  done
  log "$1 did not answer on $2:$3 after 30 s"
  return 1
}

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    log "cannot install $* without root; install them or point DATABASE_URL/REDIS_URL at running servers"
    return 1
  fi
  log "installing $*"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  if port_open "$PGHOST_ADDR" "$PGPORT_NUM"; then return 0; fi
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then apt_install postgresql postgresql-client; fi
  local version
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then log "no PostgreSQL cluster under /etc/postgresql"; return 1; fi
  log "starting PostgreSQL $version"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  wait_for PostgreSQL "$PGHOST_ADDR" "$PGPORT_NUM"
  # A fresh Debian cluster has neither the trust rule for loopback nor the root role; add what is missing.
  if command -v runuser >/dev/null 2>&1; then
    runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='root'" | grep -q 1 ||
      runuser -u postgres -- psql -qc "CREATE ROLE root SUPERUSER LOGIN" || true
    runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
      runuser -u postgres -- psql -qc "CREATE DATABASE test OWNER root" || true
  fi
}

ensure_redis() {
  if port_open "$PGHOST_ADDR" "$REDIS_PORT_NUM"; then return 0; fi
  if ! command -v redis-server >/dev/null 2>&1; then apt_install redis-server; fi
  mkdir -p /var/lib/redis /var/log/redis
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT_NUM" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis "$PGHOST_ADDR" "$REDIS_PORT_NUM"
}

# Not fatal here: without it only the metrics test fails, and it says why.
ensure_promtool() {
  if command -v promtool >/dev/null 2>&1; then return 0; fi
  apt_install --no-install-recommends prometheus || log "promtool is missing; the /metrics test will fail"
}

# Not fatal either: without it only the dashboard's browser test fails, saying so.
ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return 0; fi
  apt_install --no-install-recommends chromium || log "chromium is missing; the dashboard browser test will fail"
}

ensure_postgres
ensure_redis
ensure_promtool
ensure_chromium
log "PostgreSQL and Redis answer on $PGHOST_ADDR"
