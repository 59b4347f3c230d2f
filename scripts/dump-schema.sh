#!/usr/bin/env bash
# Regenerates migrations/schema.sql: the schema of an empty database after every migration, so a schema
# change is always a visible diff. `npm run schema:dump` after adding a migration; a test compares.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
npx tsx scripts/schema-dump.ts > migrations/schema.sql
echo "wrote migrations/schema.sql" >&2
