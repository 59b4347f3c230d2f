import { Migrator, type Kysely, type MigrationInfo, type MigrationResultSet } from "kysely";
import { MIGRATIONS } from "../../migrations/index.js";

/** Where kysely keeps its own bookkeeping: our schema, never Quay's public one. */
const MIGRATION_SCHEMA = "backfill";

function migrator<DB>(db: Kysely<DB>): Migrator {
  return new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve({ ...MIGRATIONS }) },
    migrationTableSchema: MIGRATION_SCHEMA,
  });
}

/**
 * Applies every pending migration. Kysely holds a PostgreSQL advisory lock for the whole run, so two
 * processes migrating at once apply each migration once. Returns the result set; never throws for a
 * failed migration (the caller reports `error`).
 */
export async function migrateToLatest<DB>(db: Kysely<DB>): Promise<MigrationResultSet> {
  // Kysely creates MIGRATION_SCHEMA itself and tolerates a racing creator.
  return migrator(db).migrateToLatest();
}

export async function migrationStatus<DB>(db: Kysely<DB>): Promise<readonly MigrationInfo[]> {
  return migrator(db).getMigrations();
}
