import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { sql } from "kysely";
import pg from "pg";
import { takePaceSample, type TakePaceSample } from "../../src/db/take-pace-sample.js";
import { PACE_RULES } from "../../src/run/pace-rules.js";
import { Pacer } from "../../src/run/pacer.js";
import { ThrottleChecker, type ThrottleGate } from "../../src/run/throttle-checker.js";
import { quietThrottle } from "../support/quiet-throttle.js";
import { waitFor } from "./run-support.js";
import { batchSpans, freshPass, passSuite, slowPass } from "./paced-pass-support.js";

describe("the pacer (BACKFILL_PACING)", () => {
  const suite = passSuite("pacer", 10);

  /** A session of another application (or of the backfill, by its name) running one long statement. */
  async function busySession(applicationName: string): Promise<{ end: () => Promise<void> }> {
    const { tdb } = suite;
    const client = new pg.Client({ connectionString: tdb.url, application_name: applicationName });
    await client.connect();
    const running = client.query("SELECT pg_sleep(30)").catch(() => undefined);
    return {
      end: async () => {
        await sql`SELECT pg_cancel_backend(pid) FROM pg_stat_activity
          WHERE application_name = ${applicationName} AND state = 'active'`.execute(tdb.db);
        await running;
        await client.end();
      },
    };
  }

  test("a sample times a durable commit, and counts another application's busy session but not the backfill's", async () => {
    const { tdb } = suite;
    const idle = await takePaceSample(tdb.db, 250);
    assert.equal(idle.appBusy, false);
    assert.ok(idle.latencyMs > 0 && idle.latencyMs < 5000, `${idle.latencyMs} ms`);
    const ours = await busySession("backfill-worker:test");
    await waitFor("the backfill session to run", async () => {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
        WHERE application_name = 'backfill-worker:test' AND state = 'active'`.execute(tdb.db);
      return (r.rows[0]?.n ?? 0) > 0;
    });
    assert.equal(
      (await takePaceSample(tdb.db, 250)).appBusy,
      false,
      "the backfill's own sessions are not the application",
    );
    await ours.end();
    const app = await busySession("quay-registry");
    await waitFor("the application to be seen busy", async () => (await takePaceSample(tdb.db, 250)).appBusy);
    await app.end();
  });

  /**
   * One pass, two worker slots, 300 ms batches, with a pacer whose commits are slow (10 ms against 1 ms)
   * while any batch is running: what its batches' times show.
   */
  async function pass(appBusy: boolean) {
    const { tdb, logs } = suite;
    await freshPass(tdb.db);
    const slowWhileWriting: TakePaceSample = async (db) => {
      const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM backfill.batch
        WHERE status = 'running'`.execute(db);
      return { latencyMs: (r.rows[0]?.n ?? 0) > 0 ? 10 : 1, appBusy };
    };
    const pacer = new Pacer(tdb.db, {
      sampleMs: 20,
      decideEveryMs: 200,
      sample: slowWhileWriting,
      logger: logs.logger,
      rules: { ...PACE_RULES, windowMs: 3000, minSamples: 5, maxRatio: 2 },
    });
    const checker = new ThrottleChecker(tdb.db, quietThrottle());
    const throttle: ThrottleGate = {
      verdict: (runId, run) => checker.verdict(runId, run),
      retryAfterMs: checker.retryAfterMs,
      pacer,
    };
    const startedAt = Date.now();
    const out = await slowPass(suite, throttle, 2);
    pacer.stop();
    assert.equal(out.run.status, "completed");
    const mapped = await sql<{ n: number }>`SELECT count(*)::int AS n FROM tagtorepositorytag`.execute(
      tdb.db,
    );
    assert.equal(mapped.rows[0]?.n, 20, "every tag mapped, paced or not");
    const batches = await batchSpans(tdb.db, out.run.id);
    const changes = logs
      .lines()
      .filter((l) => l.event === "pace.changed" && new Date(String(l.time)).getTime() >= startedAt);
    return { batches, changes };
  }

  test("application busy and slowed while batches write: the pacer rests, one batch at a time; every tag is mapped", async () => {
    const { batches, changes } = await pass(true);
    const first = changes.find((l) => typeof l.ratio === "number" && l.ratio > 0);
    assert.ok(first, `a pace.changed to a rest: ${JSON.stringify(changes)}`);
    assert.match(String(first.reason), /of commits slowed past 1\.5 ms while writing/);
    const pacedFrom = new Date(String(first.time)).getTime();
    const paced = batches.filter((b) => b.start > pacedFrom);
    assert.ok(paced.length >= 3, `batches after the pacer engaged: ${paced.length}`);
    for (let i = 1; i < paced.length; i++) {
      const prev = paced[i - 1];
      const next = paced[i];
      if (!prev || !next) continue;
      const took = prev.end - prev.start;
      // Ratios only grow here (every commit while writing is slowed): each rest is at least the batch's time.
      assert.ok(
        next.start - prev.end >= took * 0.9,
        `gap ${next.start - prev.end} ms after a ${took} ms batch`,
      );
    }
  });

  test("application idle: no rest and the two slots overlap, however slow the commits", async () => {
    const { batches, changes } = await pass(false);
    assert.deepEqual(
      changes.filter((l) => typeof l.ratio === "number" && l.ratio > 0),
      [],
      "no rest without an application",
    );
    const overlapping = batches.some((b, i) => batches.slice(i + 1).some((c) => c.start < b.end));
    assert.ok(overlapping, "two batches at once");
  });
});
