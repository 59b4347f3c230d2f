import type { Kysely } from "kysely";
import type { Database } from "./tables.js";

/** The bytes of the chunk's manifests, each once however many tags share it. */
export async function loadManifestBytes(
  db: Kysely<Database>,
  manifestIds: readonly number[],
): Promise<Map<number, string>> {
  if (manifestIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("manifest")
    .select(["id", "manifest_bytes"])
    .where("id", "in", [...manifestIds])
    .execute();
  return new Map(rows.map((row) => [row.id, row.manifest_bytes]));
}
