import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { loadHealthSignals } from "../../src/db/load-health-signals.js";
import { ThrottleChecker } from "../../src/run/throttle-checker.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { quietThrottle } from "../support/quiet-throttle.js";
import { insertLegacyTags, waitFor } from "./run-support.js";

/** The health signals read from a real PostgreSQL (src/db/load-health-signals.ts), and what they throttle. */
describe("health signals on a real server", () => {
  let tdb: TestDatabase;
  const clients: pg.Client[] = [];

  before(async () => {
    tdb = await createTestDatabase("health_signals");
    await insertLegacyTags(tdb.db, { namespaces: ["acme"], reposPerNamespace: 1, tagsPerRepo: 3 });
  });
  after(async () => {
    for (const c of clients) await c.end().catch(() => undefined);
    await tdb.drop();
  });

  async function session(name: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: tdb.url, application_name: name });
    await client.connect();
    clients.push(client);
    return client;
  }

  test("an application session waiting on a lock the backfill's write transaction holds is a lock waiter; behind anyone else's it is not", async () => {
    const backfill = await session("backfill-worker:host:1");
    const other = await session("someone-else");
    const app = await session("quay-app");
    for (const holder of [backfill, other]) {
      await holder.query("BEGIN");
      // As a batch's write transaction names itself (src/db/batch-store.ts), for the backfill's holder.
      if (holder === backfill) {
        await holder.query("SELECT set_config('application_name', 'backfill-worker run 7:host:1', true)");
      }
      await holder.query("SELECT id FROM repositorytag ORDER BY id LIMIT 1 FOR UPDATE");
      const waiting = app.query(
        "UPDATE repositorytag SET name = name WHERE id = (SELECT min(id) FROM repositorytag)",
      );
      const expected = holder === backfill ? 1 : 0;
      await waitFor("the application to wait on the lock", async () => {
        const row = await sql<{ waiting: boolean }>`
          SELECT wait_event_type = 'Lock' AS waiting FROM pg_stat_activity
          WHERE application_name = 'quay-app'`.execute(tdb.db);
        return row.rows[0]?.waiting === true ? true : undefined;
      });
      assert.equal((await loadHealthSignals(tdb.db)).lockWaiters, expected);
      await holder.query("ROLLBACK");
      await waiting;
      assert.equal((await loadHealthSignals(tdb.db)).lockWaiters, 0, "the wait is over");
    }
  });

  test("connection use is the share of max_connections in use and throttles above its line, naming it", async () => {
    const before = (await loadHealthSignals(tdb.db)).connectionUse;
    assert.ok(before > 0 && before <= 1, String(before));
    const checker = new ThrottleChecker(tdb.db, quietThrottle({ maxConnectionUse: 0.0001 }));
    const verdict = await checker.verdict("1");
    assert.equal(verdict.tier, "throttle");
    assert.match(verdict.reason, /connection use/);
    const relaxed = await new ThrottleChecker(tdb.db, quietThrottle({ maxConnectionUse: 1 })).verdict("1");
    assert.equal(relaxed.tier, "clear");
  });

  test("a throttle query that fails (a dropped table, a typo) throttles with the error as the reason, never throws", async () => {
    const checker = new ThrottleChecker(
      tdb.db,
      quietThrottle({ query: "SELECT throttled FROM ops_missing_flag" }),
    );
    const verdict = await checker.verdict("1");
    assert.equal(verdict.tier, "throttle");
    assert.match(verdict.reason, /throttle query failed: .*ops_missing_flag/);
  });
});
