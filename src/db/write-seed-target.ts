import { sql, type Kysely } from "kysely";
import type { IdOffsets } from "../seed/seed-options.js";
import type { Database } from "./tables.js";
import { SEEDED_TABLES } from "./seed-writer.js";

/** What a database already holds, as far as seeding it is concerned. */
export interface SeedTargetState {
  /** Users (namespaces) the seeder did not create: real data. */
  readonly foreignUsers: number;
  /** Repositories under a namespace the seeder did not create (or none). */
  readonly foreignRepositories: number;
  /** Users created by an earlier seed. */
  readonly seededUsers: number;
  readonly repositoryTags: number;
}

export async function inspectSeedTarget(db: Kysely<Database>, emailDomain: string): Promise<SeedTargetState> {
  const pattern = `%@${emailDomain}`;
  const { rows } = await sql<{
    foreign_users: number;
    foreign_repositories: number;
    seeded_users: number;
    repository_tags: number;
  }>`SELECT
      (SELECT count(*)::int FROM "user" WHERE email NOT LIKE ${pattern}) AS foreign_users,
      (SELECT count(*)::int FROM repository r LEFT JOIN "user" u ON u.id = r.namespace_user_id
        WHERE u.id IS NULL OR u.email NOT LIKE ${pattern}) AS foreign_repositories,
      (SELECT count(*)::int FROM "user" WHERE email LIKE ${pattern}) AS seeded_users,
      (SELECT count(*)::int FROM repositorytag) AS repository_tags`.execute(db);
  const row = rows[0];
  return {
    foreignUsers: row?.foreign_users ?? 0,
    foreignRepositories: row?.foreign_repositories ?? 0,
    seededUsers: row?.seeded_users ?? 0,
    repositoryTags: row?.repository_tags ?? 0,
  };
}

/** Quay's data tables (legacy and manifest side) and the backfill ledger; the enum tables stay. */
const RESET_TABLES = [
  "tagmanifestlabelmap",
  "manifestlabel",
  "tagtorepositorytag",
  "tagmanifesttomanifest",
  "tag",
  "manifestlegacyimage",
  "manifestblob",
  "manifestchild",
  "manifest",
  ...[...SEEDED_TABLES].reverse(),
] as const;
const LEDGER_TABLES = [
  "backfill.tag_outcome",
  "backfill.batch",
  "backfill.run_event",
  "backfill.run",
] as const;

/**
 * Empties every table a seed or a backfill of it wrote, ids restarting at 1. Only for a database that
 * holds synthetic data: the caller checks.
 */
export async function resetSeedTables(db: Kysely<Database>): Promise<void> {
  const tables = [...RESET_TABLES.map((t) => sql.table(t)), ...LEDGER_TABLES.map((t) => sql.table(t))];
  await sql`TRUNCATE ${sql.join(tables)} RESTART IDENTITY CASCADE`.execute(db);
}

/** The highest id of each seeded table: where `--force` starts its rows. */
export async function currentMaxIds(db: Kysely<Database>): Promise<IdOffsets> {
  const out: Record<string, number> = {};
  for (const table of SEEDED_TABLES) {
    const { rows } = await sql<{
      max: number;
    }>`SELECT COALESCE(max(id), 0)::int AS max FROM ${sql.table(table)}`.execute(db);
    out[table] = rows[0]?.max ?? 0;
  }
  return out as unknown as IdOffsets;
}

/** Seeded usernames that already exist (a `--force` seed cannot create them again). */
export async function existingUsernames(
  db: Kysely<Database>,
  usernames: readonly string[],
): Promise<string[]> {
  if (usernames.length === 0) return [];
  const rows = await db
    .selectFrom("user")
    .select("username")
    .where("username", "in", [...usernames])
    .execute();
  return rows.map((r) => r.username);
}
