// Prints the normalised `pg_dump --schema-only` of a freshly migrated scratch database.
import { dumpMigratedSchema } from "../test/support/schema-dump.js";

process.stdout.write(await dumpMigratedSchema());
