#!/usr/bin/env bash
# Runs every test file under test/ with node:test through tsx. The file list is explicit because a glob
# finds nothing on Node 20. Pass files to run only those.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/services.sh
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(find test -name '*.test.ts' | sort)
fi
if [ "${#files[@]}" -eq 0 ]; then echo "no test files found" >&2; exit 1; fi
# A test that stalls fails by name after TEST_TIMEOUT_MS (the slowest, the worker and outage tests, take
# well under a minute) instead of holding CI until its own limit.
exec node --import tsx --test --test-concurrency="${TEST_CONCURRENCY:-2}" \
  --test-timeout="${TEST_TIMEOUT_MS:-300000}" --test-reporter=spec "${files[@]}"
