#!/usr/bin/env bash
# Profiles one `backfill run` (issue 6): a scratch database seeded with PROFILE_TAGS tags (default 20000),
# the compiled run child as the Dockerfile runs it under `node --cpu-prof` (main and signing threads), and
# PostgreSQL's auto_explain (ANALYZE, BUFFERS) for every statement of that database slower than
# PROFILE_PG_MS (default 50 ms), read back from the server log. Writes into PROFILE_DIR (default
# /tmp/backfill-profile): *.cpuprofile, cpu.md (summary), pg-plans.log, run.out. Needs superuser (ALTER
# DATABASE … SET session_preload_libraries) and a readable server log (PG_LOG).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
PROFILE_TAGS=${PROFILE_TAGS:-20000}
PROFILE_DIR=${PROFILE_DIR:-/tmp/backfill-profile}
PROFILE_PG_MS=${PROFILE_PG_MS:-50}
PG_LOG=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
ADMIN_URL=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test}
DB=bench_profile_$$
URL=$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + process.argv[2]; console.log(u.toString())' "$ADMIN_URL" "$DB")
mkdir -p "$PROFILE_DIR"
rm -f "$PROFILE_DIR"/*.cpuprofile
key=$(mktemp -d)
cleanup() {
  rm -rf "$key"
  redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" --scan --pattern "bench-profile-$$:*" |
    xargs -r redis-cli -u "${REDIS_URL:-redis://127.0.0.1:6379}" del >/dev/null || true
  psql "$ADMIN_URL" -qc "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
trap cleanup EXIT
node -e '
  const { generateKeyPairSync } = require("node:crypto");
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  require("node:fs").writeFileSync(process.argv[1], privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
' "$key/rs256.pem"
psql "$ADMIN_URL" -qc "CREATE DATABASE $DB"
DATABASE_URL=$URL LOG_LEVEL=warn node --import tsx src/cli/main.ts seed --tags "$PROFILE_TAGS" >/dev/null
psql "$ADMIN_URL" -q <<SQL
ALTER DATABASE $DB SET session_preload_libraries = 'auto_explain';
ALTER DATABASE $DB SET auto_explain.log_min_duration = '${PROFILE_PG_MS}ms';
ALTER DATABASE $DB SET auto_explain.log_analyze = on;
ALTER DATABASE $DB SET auto_explain.log_buffers = on;
ALTER DATABASE $DB SET auto_explain.log_nested_statements = on;
ALTER DATABASE $DB SET auto_explain.log_triggers = on;
ALTER DATABASE $DB SET log_parameter_max_length = 0;
SQL
offset=$(stat -c %s "$PG_LOG")
# The run as deployed: the compiled CLI with the Dockerfile's ENV lines (heap and allocator limits).
npm run build >/dev/null
mapfile -t deploy_env < <(node --import tsx --input-type=module -e '
  const { deploymentEnv } = await import("./bench/io/deployment-env.ts");
  for (const [name, value] of Object.entries(deploymentEnv())) console.log(`${name}=${value}`);')
env "${deploy_env[@]}" DATABASE_URL=$URL BACKFILL_SIGNING_KEY_FILE="$key/rs256.pem" BACKFILL_QUEUE_PREFIX=bench-profile-$$ LOG_LEVEL=info \
  node --cpu-prof --cpu-prof-dir "$PROFILE_DIR" dist/src/cli/main.js run --no-progress >"$PROFILE_DIR/run.out" &
child=$!
# CPU seconds of the run child (all its threads) and of the PostgreSQL backends serving its database: the
# last utime+stime seen in /proc/<pid>/stat for each, sampled every 0.5 s.
declare -A cpu_ticks
while kill -0 "$child" 2>/dev/null; do
  for pid in "$child" $(psql "$ADMIN_URL" -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$DB'"); do
    ticks=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || true)
    if [ -n "$ticks" ]; then cpu_ticks[$pid]=$ticks; fi
  done
  sleep 0.5
done
wait "$child"
hz=$(getconf CLK_TCK)
pg_ticks=0
for pid in "${!cpu_ticks[@]}"; do [ "$pid" = "$child" ] || pg_ticks=$((pg_ticks + cpu_ticks[$pid])); done
echo "cpu seconds: run child $(echo "scale=1; ${cpu_ticks[$child]:-0} / $hz" | bc), postgres backends $(echo "scale=1; $pg_ticks / $hz" | bc)" |
  tee "$PROFILE_DIR/cpu-seconds.txt"
tail -c +"$((offset + 1))" "$PG_LOG" | awk -v db="@$DB " '
  /^[0-9]{4}-[0-9]{2}-[0-9]{2} / { keep = index($0, db) > 0 }
  keep' >"$PROFILE_DIR/pg-plans.log"
npx tsx bench/summarise-profile.ts "$PROFILE_DIR" 30 >"$PROFILE_DIR/cpu.md"
grep -c '"batch.completed"' "$PROFILE_DIR/run.out" | sed 's/^/batches: /'
tail -n 12 "$PROFILE_DIR/run.out"
echo "profile: $PROFILE_DIR/cpu.md, $PROFILE_DIR/pg-plans.log"
