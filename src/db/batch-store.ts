import { sql, type Kysely, type Transaction } from "kysely";
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
    session: (runId?: string): BatchSession<Transaction<Database>> => {
      const counter = new QueryCounter();
      const counted = db.withPlugin(counter);
      return {
        ...batchStoreReads(counted),
        get queries() {
          return counter.count;
        },
        // Cached per pool, not per session: the enum rows do not change while the worker runs.
        loadEnumIds: () => loadEnumIds(counted, db),
        transaction: (fn) =>
          counted.transaction().execute(async (trx) => {
            if (runId !== undefined) await nameTransaction(trx, runId);
            return fn(batchStoreWrites(trx, db), trx);
          }),
      };
    },
  };
}

/**
 * The write transaction (the part that takes locks) names its run in application_name for its duration,
 * `backfill-worker run 42:<host>:<pid>`, so pg_stat_activity shows which run holds or waits on a lock; the
 * process's own name (whose `backfill` prefix the lock-waiter signal looks for) comes back at the commit.
 */
async function nameTransaction(trx: Transaction<Database>, runId: string): Promise<void> {
  await sql`SELECT set_config('application_name',
    left(regexp_replace(current_setting('application_name'), '^([^:]*)', ${`\\1 run ${runId}`}), 63), true)`.execute(
    trx,
  );
}
