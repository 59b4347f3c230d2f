import type { BatchResult } from "./batch-result.js";

/**
 * Runs last inside the batch's write transaction; false rolls everything back (the lease was lost).
 * `Tx` is the store's own transaction handle (src/db: a Kysely transaction), opaque to the core, which
 * only passes it on: whoever builds the finalize knows the store it runs on.
 */
export type Finalize<Tx> = (trx: Tx, result: BatchResult) => Promise<boolean>;
