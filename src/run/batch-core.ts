import type { DbProcessBatch } from "../db/batch-store.js";
import type { Kysely } from "kysely";
import { processBatch } from "../backfill/process-batch.js";
import type { Config } from "../config.js";
import { createBatchStore } from "../db/batch-store.js";
import type { Database } from "../db/tables.js";
import { UsageError } from "../errors.js";
import type { Logger } from "../log.js";
import type { BatchSigner } from "../signing/batch-signer.js";
import { createSignerPool } from "../signing/signer-pool.js";
import { readSigningKeyFile } from "../signing/signing-key-file.js";

export interface BatchCore {
  processBatch: DbProcessBatch;
  /** False for a dry run without a key: manifests are planned and built but not signed. */
  signed: boolean;
  close(): Promise<void>;
}

/**
 * The real batch core bound to this process's database, signer and config. A run that writes must sign
 * what it generates, so without BACKFILL_SIGNING_KEY_FILE only a dry run may go on. Errors name the file,
 * never its contents.
 */
export async function openBatchCore(
  config: Config,
  db: Kysely<Database>,
  logger: Logger,
  options: { requireKey: boolean },
): Promise<BatchCore> {
  let signer: BatchSigner | undefined;
  if (config.signingKeyFile === undefined) {
    if (options.requireKey) {
      throw new UsageError(
        "BACKFILL_SIGNING_KEY_FILE is not set: generated manifests must be signed, so a run that writes needs " +
          "the registry's private key (PEM or JWK file). Set it, or use --dry-run to plan without writing.",
      );
    }
  } else {
    const contents = await readSigningKeyFile(config.signingKeyFile);
    try {
      signer = createSignerPool(contents);
    } catch (err) {
      throw new UsageError(
        `BACKFILL_SIGNING_KEY_FILE: ${err instanceof Error ? err.message : "unusable key"}`,
      );
    }
  }
  const deps = {
    store: createBatchStore(db),
    signer,
    libraryNamespace: config.libraryNamespace,
    manifestMaxBytes: config.manifestMaxBytes,
    logger,
    now: () => new Date(),
  };
  return {
    processBatch: (work, finalize) => processBatch(work, deps, finalize),
    signed: signer !== undefined,
    close: async () => {
      await signer?.close();
    },
  };
}
