import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Ajv } from "ajv";
import { backfillBatchPayloadSchema } from "../../../jobs/backfill-batch.js";
import { parseEvery } from "../../../src/cli/schedule-command.js";
import { batchJobId, JOB, QUEUE } from "../../../src/queue/queue-names.js";
import { batchJobOptions, DEFAULT_RETRY_POLICY } from "../../../src/queue/retry-policy.js";

describe("queue names and job ids", () => {
  test("a batch's job id is deterministic and has no ':' (BullMQ refuses it)", () => {
    assert.equal(batchJobId("12", "345"), "run-12-batch-345");
    assert.equal(batchJobId("12", "345"), batchJobId("12", "345"));
    for (const name of [...Object.values(QUEUE), ...Object.values(JOB), batchJobId("1", "2")]) {
      assert.ok(!name.includes(":"), name);
    }
  });
  test("retries: exponential backoff with jitter, nothing kept in Redis", () => {
    const opts = batchJobOptions(DEFAULT_RETRY_POLICY);
    assert.equal(opts.backoff.type, "exponential");
    assert.ok(opts.backoff.jitter > 0 && opts.backoff.jitter <= 1);
    assert.ok(opts.attempts > 1);
    assert.equal(opts.removeOnComplete, true);
    assert.equal(opts.removeOnFail, true);
  });
  test("the batch payload schema accepts ids as strings and nothing else", () => {
    const validate = new Ajv().compile(backfillBatchPayloadSchema);
    assert.equal(validate({ runId: "1", batchId: "2" }), true);
    assert.equal(validate({ runId: 1, batchId: "2" }), false);
    assert.equal(validate({ runId: "1" }), false);
    assert.equal(validate({ runId: "1", batchId: "2", extra: true }), false);
  });
});

describe("schedule --every", () => {
  test("durations", () => {
    assert.equal(parseEvery("10m"), 600_000);
    assert.equal(parseEvery("30s"), 30_000);
    assert.equal(parseEvery("2h"), 7_200_000);
    assert.equal(parseEvery("1d"), 86_400_000);
  });
  test("refused with a message", () => {
    assert.throws(() => parseEvery("10"), /30s, 10m/);
    assert.throws(() => parseEvery("5s"), /at least 10s/);
    assert.throws(() => parseEvery("ten minutes"), /--every/);
  });
});
