#!/usr/bin/env bash
# The main job end to end on a scratch database: create the demo database (dropped and recreated), migrate,
# seed a synthetic legacy registry with every defect class, backfill it with a throwaway signing key, print
# the summary, then verify the result. The run's log is kept in a file (DEMO_LOG, by default
# backfill-demo.log in the system's temporary directory) and the script ends by printing the command that
# opens the dashboard on it.
#
# The database and the Redis queue prefix are the user's own, so two users on one server do not share them:
# backfill_demo_<user> and backfill-demo-<user> unless DEMO_DATABASE / BACKFILL_QUEUE_PREFIX say otherwise.
# DATABASE_URL names the server (its database part is replaced), REDIS_URL the Redis.
# DEMO_TAGS and DEMO_CONCURRENCY set the size.
#
#   npm run demo                        run; leaves the database and queue keys for a look afterwards
#   npm run demo -- --clean             run, then drop the database and delete the queue keys (or DEMO_CLEAN=1)
#   npm run demo -- --clean-only        only drop what an earlier demo left
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh

clean=${DEMO_CLEAN:-0}
run=1
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    --clean-only) clean=1 run=0 ;;
    *) echo "demo: unknown option '$arg' (use --clean or --clean-only)" >&2; exit 2 ;;
  esac
done

user=$(printf '%s' "${USER:-$(id -un)}" | tr 'A-Z' 'a-z' | tr -c 'a-z0-9_' '_' | cut -c1-20)
DEMO_DATABASE=${DEMO_DATABASE:-backfill_demo_${user}}
DEMO_TAGS=${DEMO_TAGS:-2000}
DEMO_LOG=${DEMO_LOG:-${TMPDIR:-/tmp}/backfill-demo-${user}.log}
ADMIN_URL=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test}
export BACKFILL_QUEUE_PREFIX=${BACKFILL_QUEUE_PREFIX:-backfill-demo-${user//_/-}}
case "$DEMO_DATABASE" in
  *[!a-z0-9_]* | "") echo "demo: DEMO_DATABASE must be lower-case letters, digits and _" >&2; exit 2 ;;
esac
case "$BACKFILL_QUEUE_PREFIX" in
  *:* | "") echo "demo: BACKFILL_QUEUE_PREFIX must be non-empty and hold no ':'" >&2; exit 2 ;;
esac
bash scripts/services.sh

# Drops (action=drop) or recreates (action=create) the demo database and deletes the queue prefix's
# Redis keys either way; prints the database's URL (the admin URL with the database name replaced).
scratch() {
  ACTION="$1" ADMIN_URL="$ADMIN_URL" DEMO_DATABASE="$DEMO_DATABASE" node --input-type=module -e '
    import pg from "pg";
    import { Redis } from "ioredis";
    const name = process.env.DEMO_DATABASE;
    const admin = new pg.Client({ connectionString: process.env.ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    if (process.env.ACTION === "create") await admin.query(`CREATE DATABASE "${name}"`);
    await admin.end();
    const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 1 });
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${process.env.BACKFILL_QUEUE_PREFIX}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== "0");
    redis.disconnect();
    const url = new URL(process.env.ADMIN_URL);
    url.pathname = `/${name}`;
    process.stdout.write(url.toString());
  '
}

echo "== demo database $DEMO_DATABASE, queue prefix $BACKFILL_QUEUE_PREFIX"
if [ "$run" = 0 ]; then
  scratch drop >/dev/null
  echo "== cleaned: dropped $DEMO_DATABASE, deleted the $BACKFILL_QUEUE_PREFIX:* keys"
  exit 0
fi

workdir=$(mktemp -d)
cleanup() {
  rm -rf "$workdir"
  if [ "$clean" = 1 ]; then
    scratch drop >/dev/null && echo "== cleaned: dropped $DEMO_DATABASE, deleted the $BACKFILL_QUEUE_PREFIX:* keys"
  else
    echo "== left for a look: database $DEMO_DATABASE, queue prefix $BACKFILL_QUEUE_PREFIX (npm run demo -- --clean-only removes them)"
  fi
  # Last, so it is what the demo ends with: the log file stays whatever --clean removed.
  if [ -s "$DEMO_LOG" ]; then
    echo "== dashboard of the run's log (then open http://127.0.0.1:9464/; --out FILE writes one page instead):"
    echo "npm run backfill -- dashboard $DEMO_LOG"
  fi
}
trap cleanup EXIT

DEMO_URL=$(scratch create)

# A throwaway RSA key in a temporary directory: never committed, removed on exit.
KEY_FILE="$workdir/demo-signing-key.pem"
KEY_FILE="$KEY_FILE" node --input-type=module -e '
  import { generateKeyPairSync } from "node:crypto";
  import { writeFileSync } from "node:fs";
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  writeFileSync(process.env.KEY_FILE, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
'

export DATABASE_URL="$DEMO_URL"
export BACKFILL_SIGNING_KEY_FILE="$KEY_FILE"
export LOG_LEVEL=${LOG_LEVEL:-warn}

backfill() { node --import tsx src/cli/main.ts "$@"; }

echo "== migrate"
backfill migrate
echo "== seed --tags $DEMO_TAGS"
backfill seed --tags "$DEMO_TAGS"
echo "== run (log lines in $DEMO_LOG)"
: >"$DEMO_LOG"
LOG_LEVEL=info backfill --log-file "$DEMO_LOG" run --concurrency "${DEMO_CONCURRENCY:-2}" --no-progress
echo "== status"
backfill status
echo "== verify"
backfill verify
