#!/usr/bin/env bash
# The main job end to end on a scratch database: create `backfill_demo` (dropped and recreated), migrate,
# seed a synthetic legacy registry with every defect class, backfill it with a throwaway signing key, and
# print the summary, then verify the result. DEMO_DATABASE, DEMO_TAGS and DEMO_CONCURRENCY override the defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh

DEMO_DATABASE=${DEMO_DATABASE:-backfill_demo}
DEMO_TAGS=${DEMO_TAGS:-2000}
ADMIN_URL=${DATABASE_URL:-postgres://root@127.0.0.1:5432/test}
case "$DEMO_DATABASE" in
  *[!a-z0-9_]* | "") echo "demo: DEMO_DATABASE must be lower-case letters, digits and _" >&2; exit 2 ;;
esac

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT

# The scratch database, and its URL (the admin URL with the database name replaced).
DEMO_URL=$(ADMIN_URL="$ADMIN_URL" DEMO_DATABASE="$DEMO_DATABASE" node --input-type=module -e '
  import pg from "pg";
  const admin = new pg.Client({ connectionString: process.env.ADMIN_URL });
  await admin.connect();
  const name = process.env.DEMO_DATABASE;
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(process.env.ADMIN_URL);
  url.pathname = `/${name}`;
  process.stdout.write(url.toString());
')

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
export BACKFILL_QUEUE_PREFIX=${BACKFILL_QUEUE_PREFIX:-backfill-demo}
export LOG_LEVEL=${LOG_LEVEL:-warn}

backfill() { node --import tsx src/cli/main.ts "$@"; }

echo "== migrate ($DEMO_DATABASE)"
backfill migrate
echo "== seed --tags $DEMO_TAGS"
backfill seed --tags "$DEMO_TAGS"
echo "== run"
backfill run --concurrency "${DEMO_CONCURRENCY:-2}" --no-progress
echo "== status"
backfill status
echo "== verify"
backfill verify
