import { generateKeyPairSync } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { BatchResult } from "../../src/backfill/batch-result.js";
import type { BatchWork } from "../../src/backfill/batch-work.js";
import { processBatch, type BatchDeps } from "../../src/backfill/process-batch.js";
import { createBatchStore } from "../../src/db/batch-store.js";
import type { Database } from "../../src/db/tables.js";
import { createLogger } from "../../src/log.js";
import type { BatchSigner } from "../../src/signing/batch-signer.js";

let pem: string | undefined;

/** An RSA key made for this test process; never written anywhere. */
export function testKeyPem(): string {
  pem ??= generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return pem;
}

export function batchDeps(
  db: Kysely<Database>,
  signer: BatchSigner | undefined,
  overrides: Partial<BatchDeps<Transaction<Database>>> = {},
): BatchDeps<Transaction<Database>> {
  return {
    store: createBatchStore(db),
    signer,
    libraryNamespace: "library",
    manifestMaxBytes: 3_145_728,
    logger: createLogger({ level: "silent" }),
    now: () => new Date("2024-01-01T00:00:00Z"),
    ...overrides,
  };
}

/** A run and a batch row for the outcomes' foreign keys (`running`, as claimed), or a `pending` one to claim. */
export async function createRunAndBatch(
  db: Kysely<Database>,
  lo: number,
  hi: number,
  status: "running" | "pending" = "running",
): Promise<{ runId: string; batchId: string }> {
  const run = await db
    .insertInto("backfill.run")
    .values({
      kind: "backfill",
      status: "running",
      target: `test-${Math.random()}`,
      filters: "{}",
      options: "{}",
      batch_size: 500,
      started_by: "{}",
      config: "{}",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const batch = await db
    .insertInto("backfill.batch")
    .values({
      run_id: run.id,
      seq: Math.floor(Math.random() * 1e9),
      lo,
      hi,
      status,
      counts: "{}",
      timings: "{}",
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { runId: String(run.id), batchId: String(batch.id) };
}

/** Marks the batch done inside the write transaction, as the lease-guarded update does. */
export function markDone(batchId: string) {
  return async (trx: Transaction<Database>, result: BatchResult): Promise<boolean> => {
    await trx
      .updateTable("backfill.batch")
      .set({ status: "done", counts: JSON.stringify(result.counts) })
      .where("id", "=", batchId)
      .execute();
    return true;
  };
}

export async function runBatch(
  db: Kysely<Database>,
  signer: BatchSigner | undefined,
  range: { lo: number; hi: number; tagIds?: number[] },
  options: {
    dryRun?: boolean;
    /** reprocess --force: recompute mapped tags and repair what differs. */
    force?: boolean;
    deps?: Partial<BatchDeps<Transaction<Database>>>;
    finalize?: (trx: Transaction<Database>, r: BatchResult) => Promise<boolean>;
  } = {},
): Promise<BatchResult> {
  const { runId, batchId } = await createRunAndBatch(db, range.lo, range.hi);
  const work: BatchWork = {
    runId,
    batchId,
    lo: range.lo,
    hi: range.hi,
    tagIds: range.tagIds ?? null,
    dryRun: options.dryRun ?? false,
    filters: {},
    force: options.force ?? false,
  };
  const result = await processBatch(
    work,
    batchDeps(db, signer, options.deps),
    options.finalize ?? markDone(batchId),
  );
  if ("preempted" in result) throw new Error("unexpectedly preempted");
  return result;
}
