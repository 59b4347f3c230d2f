import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { connect } from "../../src/db/connect.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import { createEmptyDatabase, databaseUrl, dropDatabase } from "./test-database.js";

const run = promisify(execFile);

/** pg_dump output without the lines that vary between machines and versions (comments, SET, \restrict). */
export function normaliseDump(dump: string): string {
  return (
    dump
      .split("\n")
      .filter(
        (line) =>
          !line.startsWith("--") && !line.startsWith("SET ") && !line.startsWith("SELECT pg_catalog."),
      )
      .filter((line) => !line.startsWith("\\restrict") && !line.startsWith("\\unrestrict"))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim() + "\n"
  );
}

/** Migrates an empty scratch database and returns its normalised schema dump. */
export async function dumpMigratedSchema(): Promise<string> {
  const name = await createEmptyDatabase("schema_dump");
  try {
    const db = connect(databaseUrl(name), { max: 1 });
    try {
      const { error } = await migrateToLatest(db);
      if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
    } finally {
      await db.destroy();
    }
    const { stdout } = await run(
      "pg_dump",
      ["--schema-only", "--no-owner", "--no-privileges", databaseUrl(name)],
      {
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    return normaliseDump(stdout);
  } finally {
    await dropDatabase(name);
  }
}
