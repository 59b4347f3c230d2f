import { sql, type Kysely } from "kysely";
import type { Database } from "./tables.js";

/** Quay's own progress measure (README step 4): mapped rows over non-hidden legacy tags, registry-wide. */
export interface RegistryCoverage {
  mapped: number;
  legacy: number;
}

export async function registryCoverage(db: Kysely<Database>): Promise<RegistryCoverage> {
  const result = await sql<RegistryCoverage>`
    SELECT (SELECT count(*) FROM tagtorepositorytag)::int AS mapped,
      (SELECT count(*) FROM repositorytag WHERE NOT hidden)::int AS legacy`.execute(db);
  return result.rows[0] ?? { mapped: 0, legacy: 0 };
}
