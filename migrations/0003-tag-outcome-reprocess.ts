import { sql, type Kysely } from "kysely";

/**
 * What `backfill reprocess --force` did to an already mapped tag, kept apart from `outcome`/`reason`:
 * those keep describing the mapping itself (verify and `--reason` read them), and a repair must not
 * overwrite, say, `tarsum_checksum` with `repaired`. `reprocess` is `repaired` (rows changed),
 * `unchanged` (already right), `refused` (a difference it will not repair; `reprocess_detail` names the
 * code, e.g. `would_change_digest_under_live_tag`, and what differs) or `failed` (the repair's writes
 * threw and were rolled back; the mapping is as it was).
 */
const STATEMENTS = [
  `ALTER TABLE backfill.tag_outcome
     ADD COLUMN reprocess text CHECK (reprocess IN ('repaired', 'unchanged', 'refused', 'failed')),
     ADD COLUMN reprocess_detail text`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql
    .raw(
      `ALTER TABLE backfill.tag_outcome DROP COLUMN IF EXISTS reprocess_detail, DROP COLUMN IF EXISTS reprocess`,
    )
    .execute(db);
}
