#!/usr/bin/env bash
# Runs every test file under test/ with node:test through tsx, on Node 24 (scripts/node-env.sh installs it
# into the project when the system's Node is older). Pass files to run only those.
#
# TEST_DATABASE_URL (default postgres://root@127.0.0.1:5432/test) names the server where tests create their
# databases, TEST_REDIS_URL the Redis. Every database, template and Redis key prefix the run creates starts
# with "$TEST_NAME_PREFIX"_<run id> (default prefix bf_test), and is dropped when the run ends.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/node-env.sh
base=${TEST_NAME_PREFIX:-bf_test}
if ! [[ "$base" =~ ^[a-z][a-z0-9_]{0,15}$ ]]; then
  echo "test: TEST_NAME_PREFIX must be 1-16 lower-case letters, digits or _, starting with a letter (got '$base')" >&2
  exit 2
fi
bash scripts/services.sh
echo "test: node $(node --version)" >&2
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi

# A run id of its own, so two runs with the same prefix (two checkouts of one user) neither share a
# template nor drop each other's.
TEST_NAME_PREFIX="${base}_$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
export TEST_NAME_PREFIX
trap 'node --import tsx test/support/drop-test-names.ts || echo "test: cleanup of $TEST_NAME_PREFIX failed" >&2' EXIT

# A test that stalls fails by name after TEST_TIMEOUT_MS (the slowest, the worker and outage tests, take
# well under a minute) instead of holding CI until its own limit.
node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
  --test-timeout="${TEST_TIMEOUT_MS:-300000}" --test-reporter=spec "${files[@]}"
