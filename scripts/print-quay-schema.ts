import { connect } from "../src/db/connect.js";
import { loadQuaySchemaFacts } from "../src/db/load-quay-schema-facts.js";
import { normaliseSchema, schemaFingerprint } from "../src/quay-schema/schema-fingerprint.js";
import { USED_TABLES } from "../src/quay-schema/used-schema.js";

/**
 * Prints the schema lines and fingerprint of DATABASE_URL's Quay tables, as the start-up check sees them
 * (`npx tsx scripts/print-quay-schema.ts`): what to paste into src/quay-schema/supported-schemas.ts when
 * a Quay schema version is added.
 */
const db = connect(process.env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test", { max: 1 });
try {
  const lines = normaliseSchema(await loadQuaySchemaFacts(db, USED_TABLES));
  process.stdout.write(`${JSON.stringify({ fingerprint: schemaFingerprint(lines), lines }, null, 2)}\n`);
} finally {
  await db.destroy();
}
