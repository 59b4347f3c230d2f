import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Kysely } from "kysely";
import pg from "pg";
import { connect } from "../../src/db/connect.js";
import { migrateToLatest } from "../../src/db/migrate.js";
import type { Database } from "../../src/db/tables.js";
import { testDatabaseName, testTemplateName } from "./test-names.js";

/**
 * Each test file gets its own database, cloned from a migrated template (graphile/worker's approach):
 * files run in parallel and leave nothing behind. The template's name carries a hash of the migrations,
 * so a changed migration builds a new one. TEST_DATABASE_URL names the server (and the database to connect
 * to while creating the others); every name starts with TEST_NAME_PREFIX (test-names.ts).
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const ADMIN_URL = process.env.TEST_DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";

export function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

function migrationsHash(): string {
  const dir = path.join(ROOT, "migrations");
  const hash = createHash("sha256");
  for (const file of readdirSync(dir).sort()) {
    if (file.endsWith(".ts")) hash.update(file).update(readFileSync(path.join(dir, file)));
  }
  return hash.digest("hex").slice(0, 12);
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  try {
    await client.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL}: run 'bash scripts/services.sh' first`, {
      cause: err,
    });
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const res = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  return res.rowCount === 1;
}

/** Creates an empty database (no migrations) and returns its name. */
export async function createEmptyDatabase(label: string): Promise<string> {
  const name = testDatabaseName(label);
  await withAdmin((c) => c.query(`CREATE DATABASE "${name}"`));
  return name;
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

async function ensureTemplate(): Promise<string> {
  const template = testTemplateName(migrationsHash());
  await withAdmin(async (client) => {
    // One builder at a time across test processes; the others wait, then find it built.
    await client.query("SELECT pg_advisory_lock(hashtext($1))", [template]);
    try {
      if (await databaseExists(client, template)) return;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await client.query(`CREATE DATABASE "${building}"`);
      const db = connect(databaseUrl(building), { max: 1 });
      try {
        const { error } = await migrateToLatest(db);
        if (error) throw error instanceof Error ? error : new Error(JSON.stringify(error));
      } finally {
        await db.destroy();
      }
      // Renamed only when complete, so a crash never leaves a half-built template behind.
      await client.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    } finally {
      await client.query("SELECT pg_advisory_unlock(hashtext($1))", [template]);
    }
  });
  return template;
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/**
 * A database of this test's own, copied from `template` (nobody may be connected to it: PostgreSQL
 * refuses, and a concurrent clone of the same template is retried). Call `drop()` in `after`.
 */
export async function cloneDatabase(template: string, label: string): Promise<TestDatabase> {
  const name = testDatabaseName(label);
  await withAdmin(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
        return;
      } catch (err) {
        // Another process cloning the same template at this instant: wait and try again.
        if (attempt >= 20 || !String(err).includes("being accessed by other users")) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  });
  const url = databaseUrl(name);
  const db = connect(url, { max: 5 });
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await dropDatabase(name);
    },
  };
}

/** A fresh, migrated database of this test's own. Call `drop()` in `after`. */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  return cloneDatabase(await ensureTemplate(), label);
}
