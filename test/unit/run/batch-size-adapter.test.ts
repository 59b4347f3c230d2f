import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunRow } from "../../../src/db/tables.js";
import { adaptiveSettingsOf, storedAdaptiveState } from "../../../src/run/batch-size-adapter.js";

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

test("the stored decider state is read leniently: anything unreadable starts afresh", () => {
  assert.deepEqual(
    storedAdaptiveState({
      msPerTag: 2.5,
      samplesSinceChange: 3,
      size: 400,
      seenThrough: "2026-01-01 00:00:00+00",
      contendedSeen: 4,
    }),
    {
      state: { msPerTag: 2.5, samplesSinceChange: 3 },
      size: 400,
      seenThrough: "2026-01-01 00:00:00+00",
      contendedSeen: 4,
    },
  );
  // When contention last shrank the size: kept as PostgreSQL printed it, dropped when not text.
  assert.equal(
    storedAdaptiveState({ shrunkAt: "2026-12-02 20:00:00.123456+00" }).shrunkAt,
    "2026-12-02 20:00:00.123456+00",
  );
  assert.equal(storedAdaptiveState({ shrunkAt: 17 }).shrunkAt, undefined);
  const fresh = { state: { samplesSinceChange: 0 }, contendedSeen: 0 };
  assert.deepEqual(storedAdaptiveState(null), fresh);
  assert.deepEqual(storedAdaptiveState("junk"), fresh);
  assert.deepEqual(storedAdaptiveState({ msPerTag: "fast", samplesSinceChange: null }), fresh);
});

test("a run's own target (backfill tune) wins over the recorded one; 0 turns adaptation off", () => {
  const config = { targetBatchMs: 2000, minBatchSize: 50, maxBatchSize: 5000 };
  const run = (target: number | null) => ({ config, target_batch_ms: target }) as unknown as RunRow;
  assert.equal(adaptiveSettingsOf(run(500))?.targetMs, 500);
  assert.equal(adaptiveSettingsOf(run(null))?.targetMs, 2000);
  assert.equal(adaptiveSettingsOf(run(0)), undefined);
});
