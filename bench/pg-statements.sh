#!/usr/bin/env bash
# PostgreSQL's time per kind of statement in one `backfill run` (issue 17): a private server (initdb into a
# temporary directory, a free port) with pg_stat_statements preloaded, a registry seeded with PG_STATS_TAGS
# tags (default 20000), one run of the compiled CLI with the Dockerfile's settings and an ES256 key, then
# bench/pg-statements.sql: Quay's writes and foreign-key checks against our reads and bookkeeping.
# Needs the PostgreSQL server binaries (scripts/services.sh installs them); as root the server runs as the
# OS user postgres. Leaves nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
TAGS=${PG_STATS_TAGS:-20000}
bin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bin/initdb" ] || bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-statements: no initdb found; run bash scripts/services.sh" >&2; exit 2; }
root=$(mktemp -d)
as_owner() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=postgres --regid=postgres --init-groups "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$root"
port=$(node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
cleanup() {
  as_owner "$bin/pg_ctl" -D "$root/data" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "bench-pgss-$$:*" |
    xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" del >/dev/null 2>&1 || true
  rm -rf "$root"
}
trap cleanup EXIT
as_owner "$bin/initdb" -D "$root/data" -U postgres --auth=trust --no-sync -E UTF8 >/dev/null
as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/data/server.log" -w -o \
  "-p $port -k $root/data -c listen_addresses=127.0.0.1 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" \
  start >/dev/null
URL=postgres://postgres@127.0.0.1:$port/backfill
psql -q "postgres://postgres@127.0.0.1:$port/postgres" -c "CREATE DATABASE backfill"
psql -q "$URL" -c "CREATE EXTENSION pg_stat_statements"
node -e '
  const { generateKeyPairSync } = require("node:crypto");
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  require("node:fs").writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
' "$root/es256.pem"
DATABASE_URL=$URL LOG_LEVEL=warn node --import tsx src/cli/main.ts seed --tags "$TAGS" >/dev/null
npm run build >/dev/null
mapfile -t deploy_env < <(node --import tsx --input-type=module -e '
  const { deploymentEnv } = await import("./bench/io/deployment-env.ts");
  for (const [name, value] of Object.entries(deploymentEnv())) console.log(`${name}=${value}`);')
psql -q "$URL" -c "SELECT pg_stat_statements_reset()" >/dev/null
env "${deploy_env[@]}" DATABASE_URL=$URL BACKFILL_SIGNING_KEY_FILE="$root/es256.pem" BACKFILL_QUEUE_PREFIX=bench-pgss-$$ \
  LOG_LEVEL=warn node dist/src/cli/main.js run --no-progress --json >"$root/run.json"
node -e 'const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8")); console.log(JSON.stringify(r.tags ?? r.outcomes ?? r))' "$root/run.json" | cut -c1-300
psql -P pager=off "$URL" -f bench/pg-statements.sql
