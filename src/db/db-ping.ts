import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** One round trip through the pool: PostgreSQL answers and the pool can hand out a connection. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`SELECT 1`.execute(db);
}
