import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/**
 * `tagmanifest.json_data` by tagmanifest id, for the few tags whose bytes differ from their manifest's
 * (verify parses them to tell a shared digest or a placeholder from corruption). Nothing to ask, no query.
 */
export async function loadTagManifestJson(
  db: Kysely<Database>,
  tagManifestIds: readonly number[],
): Promise<Map<number, string>> {
  if (tagManifestIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("tagmanifest")
    .select(["id", "json_data"])
    .where("id", "in", [...tagManifestIds])
    .execute();
  return new Map(rows.map((row) => [row.id, row.json_data]));
}
