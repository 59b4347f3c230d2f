import type { Kysely } from "kysely";
import { UsageError } from "../errors.js";
import {
  addChunk,
  emptyTotals,
  generateSeed,
  planDataset,
  SEED_EMAIL_DOMAIN,
  seedOptions,
  type SeedChunk,
  type SeedOptions,
  type SeedTotals,
} from "../seed/index.js";
import { resolveSeedEnums, syncSeedSequences, writeSeedChunk } from "./seed-writer.js";
import type { Database } from "./tables.js";
import { currentMaxIds, existingUsernames, inspectSeedTarget, resetSeedTables } from "./write-seed-target.js";

export interface WriteSeedOptions {
  /** Replace an earlier seed (and its backfill): empties the tables first. */
  readonly reset: boolean;
  /** Accept a database holding rows the seeder did not create. */
  readonly force: boolean;
  readonly chunkTags?: number;
  /** How to name the database in a refusal (a redacted URL). */
  readonly where?: string;
  readonly onProgress?: (tagsWritten: number, seconds: number) => void;
  readonly onFinishing?: () => void;
}

/**
 * Writes the synthetic registry into a migrated database in ONE transaction (a failure leaves nothing
 * behind), one chunk in flight: PostgreSQL writes chunk n while chunk n+1 is generated. Refuses, with a
 * UsageError that says which flag to pass, a database holding foreign rows (`force`) or an earlier seed
 * (`reset`). Returns counts and seconds.
 */
export async function writeSeedRegistry(
  db: Kysely<Database>,
  requested: SeedOptions,
  write: WriteSeedOptions,
): Promise<SeedTotals> {
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  const totals = emptyTotals();
  await db.transaction().execute(async (trx) => {
    const { options, reset } = await prepareTarget(trx, requested, write);
    if (reset) await resetSeedTables(trx);
    const enums = await resolveSeedEnums(trx);
    const written = (chunk: SeedChunk) => {
      addChunk(totals, chunk);
      write.onProgress?.(totals.rows.repositorytag ?? 0, seconds());
    };
    let pending: Promise<void> | undefined;
    for await (const chunk of generateSeed(options, { chunkTags: write.chunkTags })) {
      await pending;
      pending = writeSeedChunk(trx, chunk, enums).then(() => written(chunk));
      // Awaited before the next chunk is written; this keeps a failure meanwhile from being reported
      // as an unhandled rejection.
      pending.catch(() => undefined);
    }
    await pending;
    write.onFinishing?.();
    await syncSeedSequences(trx);
  });
  totals.seconds = seconds();
  return totals;
}

async function prepareTarget(
  db: Kysely<Database>,
  options: SeedOptions,
  write: WriteSeedOptions,
): Promise<{ options: SeedOptions; reset: boolean }> {
  const where = write.where ?? "the database";
  const state = await inspectSeedTarget(db, SEED_EMAIL_DOMAIN);
  const foreign = state.foreignUsers + state.foreignRepositories > 0;
  // --reset empties Quay's tables: only ever over a database the seeder filled alone, --force or not.
  if (foreign && write.reset) {
    throw new UsageError(
      `--reset refused: ${where} holds data the seeder did not create (${state.foreignUsers} users, ${state.foreignRepositories} repositories), and --reset would delete it; it only replaces a synthetic registry`,
    );
  }
  if (foreign && !write.force) {
    throw new UsageError(
      `${where} holds data the seeder did not create (${state.foreignUsers} users, ${state.foreignRepositories} repositories): seed an empty database, or pass --force to add synthetic rows next to it`,
    );
  }
  if (state.seededUsers > 0 && !write.reset) {
    throw new UsageError(
      `${where} already holds a synthetic registry (${state.seededUsers} seeded namespaces, ${state.repositoryTags} tags): pass --reset to replace it`,
    );
  }
  if (write.reset || !foreign) return { options, reset: write.reset };
  const forced = seedOptions({ ...options, idOffsets: await currentMaxIds(db) });
  const clash = await existingUsernames(
    db,
    planDataset(forced).users.map((u) => u.username),
  );
  if (clash.length > 0) {
    const shown = clash.slice(0, 5).join(", ") + (clash.length > 5 ? ", …" : "");
    throw new UsageError(
      `--force: namespaces the seed creates already exist in ${where} (${shown}); seed an empty database instead`,
    );
  }
  return { options: forced, reset: false };
}
