import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunRow } from "../../../src/db/tables.js";
import { adaptiveSettingsOf } from "../../../src/run/batch-size-adapter.js";

const runWith = (config: unknown) => ({ config }) as unknown as RunRow;

test("a run adapts with the settings it was started with; off, or none recorded, it does not", () => {
  assert.deepEqual(
    adaptiveSettingsOf(runWith({ targetBatchMs: 2000, minBatchSize: 50, maxBatchSize: 5000 })),
    {
      targetMs: 2000,
      minSize: 50,
      maxSize: 5000,
    },
  );
  assert.equal(
    adaptiveSettingsOf(runWith({ targetBatchMs: 0, minBatchSize: 50, maxBatchSize: 5000 })),
    undefined,
  );
  assert.equal(adaptiveSettingsOf(runWith({})), undefined);
  assert.equal(adaptiveSettingsOf(runWith(null)), undefined);
});
