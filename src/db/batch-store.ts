import type { Kysely, Transaction } from "kysely";
import type { BatchSession, BatchStore } from "../backfill/batch-store.js";
import type { ProcessBatch } from "../backfill/process-batch.js";
import { batchStoreReads } from "./batch-store-reads.js";
import { batchStoreWrites } from "./batch-store-writes.js";
import { loadEnumIds } from "./load-enum-ids.js";
import { QueryCounter } from "./query-counter.js";
import type { Database } from "./tables.js";

/** The batch core over this store: the write transaction `finalize` receives is a Kysely transaction. */
export type DbProcessBatch = ProcessBatch<Transaction<Database>>;

/**
 * The batch core's store (src/backfill/batch-store.ts) on PostgreSQL: every read and write is one of the
 * src/db/load-*.ts and write-*.ts statements. A session counts the statements sent through it; its
 * write transaction is a Kysely transaction, which the batch's `finalize` receives.
 */
export function createBatchStore(db: Kysely<Database>): BatchStore<Transaction<Database>> {
  return {
    session: (): BatchSession<Transaction<Database>> => {
      const counter = new QueryCounter();
      const counted = db.withPlugin(counter);
      return {
        ...batchStoreReads(counted),
        get queries() {
          return counter.count;
        },
        // Cached per pool, not per session: the enum rows do not change while the worker runs.
        loadEnumIds: () => loadEnumIds(counted, db),
        transaction: (fn) => counted.transaction().execute((trx) => fn(batchStoreWrites(trx, db), trx)),
      };
    },
  };
}
