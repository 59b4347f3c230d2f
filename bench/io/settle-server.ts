import pg from "pg";

const say = (line: string) => process.stderr.write(`bench:live: ${line}\n`);

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: "backfill-bench" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * A freshly seeded registry, as the bench copies it: vacuumed (hint bits and the visibility map set, so
 * the first reads of a copy do not write) and analyzed (so a copy has the statistics the planner needs).
 */
export async function prepareTemplate(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query("VACUUM (FREEZE, ANALYZE)");
  });
}

/**
 * Before a measured phase: a checkpoint (CREATE DATABASE … TEMPLATE writes the copy into the WAL, which
 * would otherwise be flushed during the phase), then until no autovacuum worker runs (at most `maxMs`),
 * so each phase starts from a quiet server. A server that refuses CHECKPOINT (not a superuser) is left as is.
 */
export async function settleServer(admin: string, maxMs = 60_000): Promise<void> {
  await withClient(admin, async (c) => {
    await c.query("CHECKPOINT").catch((err: unknown) => {
      say(`no checkpoint before the phase: ${err instanceof Error ? err.message : String(err)}`);
    });
    const deadline = Date.now() + maxMs;
    for (;;) {
      const { rows } = await c.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'",
      );
      if ((rows[0]?.n ?? 0) === 0) return;
      if (Date.now() > deadline) {
        say(`autovacuum still running after ${maxMs / 1000} s; the phase starts anyway`);
        return;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });
}
