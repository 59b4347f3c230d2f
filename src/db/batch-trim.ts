import { sql, type Kysely } from "kysely";
import type { RunFilters } from "../backfill/batch-work.js";
import type { ClaimedBatch } from "./batch-claim.js";
import { candidateCondition } from "./batch-cut.js";
import { SPLIT_LOCK_CLASS } from "./batch-release-contended.js";
import type { Database } from "./tables.js";

export interface TrimInput {
  /** The most candidate tags the claimer may hold in one batch. */
  maxTags: number;
  filters: RunFilters;
  includeMapped: boolean;
}

export type TrimResult =
  /** The batch holds no more than `maxTags` candidates: nothing changed. */
  | { kind: "fits" }
  /** The claim now covers its first `maxTags` candidates; `givenBack`, a new pending batch, the rest. */
  | { kind: "trimmed"; batch: ClaimedBatch; givenBack: { id: string; lo: number; hi: number } }
  /** The lease was no longer ours: nothing changed. */
  | { kind: "lost" };

/**
 * Narrows a claimed batch to its first `maxTags` candidates (the run's candidate condition, as the cut
 * counts them) and gives the rest back as a new pending batch of the run, in one transaction guarded by the
 * lease token, so every tag stays in exactly one batch. A range batch keeps [lo, first id given back − 1];
 * an id-list batch its first `maxTags` ids. New batches are numbered under the run's split lock, taken after
 * the batch row as a contended split does.
 */
export async function trimClaimedBatch(
  db: Kysely<Database>,
  claimed: ClaimedBatch,
  input: TrimInput,
): Promise<TrimResult> {
  const maxTags = Math.max(1, Math.floor(input.maxTags));
  const cut = await cutPoint(db, claimed, maxTags, input);
  if (cut === undefined) return { kind: "fits" };
  return db.transaction().execute(async (trx) => {
    const kept = await sql<{ lo: number; hi: number }>`
      UPDATE backfill.batch SET lo = ${cut.kept.lo}, hi = ${cut.kept.hi}, tag_ids = ${cut.kept.ids}::bigint[]
      WHERE id = ${claimed.id}::bigint AND lease_token = ${claimed.leaseToken}::uuid AND status = 'running'
      RETURNING lo::int AS lo, hi::int AS hi`.execute(trx);
    if (kept.rows.length === 0) return { kind: "lost" } as const;
    await sql`SELECT pg_advisory_xact_lock(${SPLIT_LOCK_CLASS}::int, (${claimed.runId}::bigint % 2147483647)::int)`.execute(
      trx,
    );
    const inserted = await sql<{ id: string }>`
      INSERT INTO backfill.batch (run_id, seq, lo, hi, tag_ids, status)
      SELECT ${claimed.runId}::bigint, max(seq) + 1, ${cut.rest.lo}, ${cut.rest.hi}, ${cut.rest.ids}::bigint[], 'pending'
      FROM backfill.batch WHERE run_id = ${claimed.runId}::bigint
      RETURNING id::text AS id`.execute(trx);
    const id = inserted.rows[0]?.id;
    if (id === undefined) throw new Error(`could not give back the excess of batch ${claimed.id}`);
    return {
      kind: "trimmed",
      batch: { ...claimed, lo: cut.kept.lo, hi: cut.kept.hi, tagIds: cut.kept.ids },
      givenBack: { id, lo: cut.rest.lo, hi: cut.rest.hi },
    } as const;
  });
}

type Part = { lo: number; hi: number; ids: number[] | null };

/** Where the batch is cut, or undefined when it fits. */
async function cutPoint(
  db: Kysely<Database>,
  claimed: ClaimedBatch,
  maxTags: number,
  input: TrimInput,
): Promise<{ kept: Part; rest: Part } | undefined> {
  if (claimed.tagIds !== null) {
    if (claimed.tagIds.length <= maxTags) return undefined;
    const kept = claimed.tagIds.slice(0, maxTags);
    const rest = claimed.tagIds.slice(maxTags);
    const span = (ids: number[]): Part => ({
      lo: ids.reduce((a, b) => Math.min(a, b)),
      hi: ids.reduce((a, b) => Math.max(a, b)),
      ids,
    });
    return { kept: span(kept), rest: span(rest) };
  }
  // A range of no more ids than that cannot hold more candidates: the usual case, no query.
  if (claimed.hi - claimed.lo + 1 <= maxTags) return undefined;
  // The first candidate past the first maxTags: an index range scan of at most maxTags + 1 ids.
  const first = await sql<{ id: number }>`
    SELECT rt.id::int AS id FROM repositorytag rt
    WHERE rt.id BETWEEN ${claimed.lo} AND ${claimed.hi} AND ${candidateCondition(input.filters, input.includeMapped)}
    ORDER BY rt.id OFFSET ${maxTags} LIMIT 1`.execute(db);
  const at = first.rows[0]?.id;
  if (at === undefined) return undefined;
  return {
    kept: { lo: claimed.lo, hi: at - 1, ids: null },
    rest: { lo: at, hi: claimed.hi, ids: null },
  };
}
