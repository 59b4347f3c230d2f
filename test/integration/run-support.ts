import type { DbProcessBatch } from "../../src/db/batch-store.js";
import { spawn } from "node:child_process";
import { Writable } from "node:stream";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { sql, type Kysely, type Transaction } from "kysely";
import { createLogger, type Logger } from "../../src/log.js";
import type { Database } from "../../src/db/tables.js";
import type { BatchResult, TagResult } from "../../src/backfill/batch-result.js";
import type { BatchWork } from "../../src/backfill/batch-work.js";
import type { Finalize } from "../../src/backfill/finalize.js";
import { emptyCounts } from "../../src/backfill/outcome-kinds.js";
import { REPO_ROOT } from "../support/repo-root.js";

/** Legacy rows without images worth planning: enough for the ledger, queue and lease mechanics. */
export async function insertLegacyTags(
  db: Kysely<Database>,
  spec: { namespaces: string[]; reposPerNamespace: number; tagsPerRepo: number; hiddenEvery?: number },
): Promise<{ candidates: number; hidden: number }> {
  const visibility = await db
    .selectFrom("visibility")
    .select("id")
    .where("name", "=", "public")
    .executeTakeFirstOrThrow();
  const kind = await db
    .selectFrom("repositorykind")
    .select("id")
    .where("name", "=", "image")
    .executeTakeFirstOrThrow();
  let candidates = 0;
  let hidden = 0;
  for (const ns of spec.namespaces) {
    const user = await db
      .insertInto("user")
      .values({ username: ns, email: `${ns}@example.test` })
      .returning("id")
      .executeTakeFirstOrThrow();
    for (let r = 0; r < spec.reposPerNamespace; r++) {
      const repo = await db
        .insertInto("repository")
        .values({
          namespace_user_id: user.id,
          name: `repo${r}`,
          visibility_id: visibility.id,
          kind_id: kind.id,
          badge_token: "x",
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const storage = await db
        .insertInto("imagestorage")
        .values({ uuid: `${ns}-${r}`, uploading: false, content_checksum: `sha256:${"a".repeat(64)}` })
        .returning("id")
        .executeTakeFirstOrThrow();
      const image = await db
        .insertInto("image")
        .values({
          docker_image_id: "b".repeat(64),
          repository_id: repo.id,
          ancestors: "/",
          storage_id: storage.id,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      const rows = [];
      for (let t = 0; t < spec.tagsPerRepo; t++) {
        const isHidden = spec.hiddenEvery !== undefined && t % spec.hiddenEvery === spec.hiddenEvery - 1;
        if (isHidden) hidden++;
        else candidates++;
        rows.push({
          name: `t${t}`,
          image_id: image.id,
          repository_id: repo.id,
          lifetime_start_ts: 1_500_000_000 + t,
          hidden: isHidden,
        });
      }
      await db.insertInto("repositorytag").values(rows).execute();
    }
  }
  return { candidates, hidden };
}

export interface FakeHooks {
  /** Throws here: after planning, before the commit (the transaction rolls back). */
  beforeCommit?: (work: BatchWork) => void;
  /** Throws here: after the commit, before the result reaches the handler. */
  afterCommit?: (work: BatchWork) => void;
  delayMs?: number;
  /** Awaited before the n-th batch (from 0) is processed: holds a run mid-way while a test acts on it. */
  before?: (n: number) => Promise<void> | undefined;
}

/**
 * A stand-in batch core with the real one's contract: loads the candidates of [lo, hi], writes one `tag`
 * and one `tagtorepositorytag` per tag (reusing existing ones), then runs `finalize` last in the same
 * transaction and rolls back when it says the lease is gone.
 */
export function fakeProcessBatch(db: Kysely<Database>, hooks: FakeHooks = {}): DbProcessBatch {
  let calls = 0;
  return async (work: BatchWork, finalize: Finalize<Transaction<Database>>) => {
    await hooks.before?.(calls++);
    if (hooks.delayMs) await new Promise((r) => setTimeout(r, hooks.delayMs));
    const tags = await sql<{
      id: number;
      name: string;
      repository_id: number;
      lifetime_start_ts: number;
      ns: string;
      repo: string;
    }>`
      SELECT rt.id, rt.name, rt.repository_id, rt.lifetime_start_ts, u.username AS ns, r.name AS repo
      FROM repositorytag rt JOIN repository r ON r.id = rt.repository_id JOIN "user" u ON u.id = r.namespace_user_id
      WHERE rt.id BETWEEN ${work.lo} AND ${work.hi} AND NOT rt.hidden
        AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id)
      ORDER BY rt.id`.execute(db);
    const tagKind = await db
      .selectFrom("tagkind")
      .select("id")
      .where("name", "=", "tag")
      .executeTakeFirstOrThrow();
    const results: TagResult[] = tags.rows.map((t) => ({
      repositoryTagId: t.id,
      repository: `${t.ns}/${t.repo}`,
      tag: t.name,
      outcome: t.id % 7 === 0 ? "backfilled_broken" : "backfilled",
      reason: t.id % 7 === 0 ? "missing_parent" : null,
      detail: null,
      manifestDigest: null,
      rewrittenIds: 0,
    }));
    const counts = emptyCounts();
    for (const r of results) counts[r.outcome]++;
    const result: BatchResult = {
      results,
      counts,
      timings: { loadMs: 1, planMs: 1, signMs: 0, writeMs: 1 },
      queries: 3,
      rowsWritten: 2 * results.length,
      rowsByTable: {},
    };
    let committed: boolean;
    try {
      committed = await db.transaction().execute(async (trx) => {
        if (!work.dryRun) {
          for (const t of tags.rows) {
            const tag = await trx
              .insertInto("tag")
              .values({
                name: t.name,
                repository_id: t.repository_id,
                lifetime_start_ms: t.lifetime_start_ts * 1000,
                tag_kind_id: tagKind.id,
              })
              .returning("id")
              .executeTakeFirstOrThrow();
            await trx
              .insertInto("tagtorepositorytag")
              .values({ repository_id: t.repository_id, tag_id: tag.id, repository_tag_id: t.id })
              .execute();
          }
        }
        if (!work.dryRun && results.length > 0) {
          await trx
            .insertInto("backfill.tag_outcome")
            .values(
              results.map((r) => ({
                repository_tag_id: r.repositoryTagId,
                run_id: work.runId,
                batch_id: work.batchId,
                outcome: r.outcome,
                reason: r.reason,
              })),
            )
            .onConflict((oc) =>
              oc.column("repository_tag_id").doUpdateSet((eb) => ({
                run_id: eb.ref("excluded.run_id"),
                outcome: eb.ref("excluded.outcome"),
              })),
            )
            .execute();
        }
        hooks.beforeCommit?.(work);
        if (work.dryRun) return true; // like the real core: a dry run has no write transaction to finalize
        if (!(await finalize(trx, result))) throw new Preempt();
        return true;
      });
    } catch (err) {
      if (err instanceof Preempt) return { preempted: true };
      throw err;
    }
    if (committed) hooks.afterCommit?.(work);
    return result;
  };
}

class Preempt extends Error {}

/** Every mapped legacy tag with its tag row; and table counts, to compare against one clean run. */
export async function mappingSnapshot(db: Kysely<Database>) {
  const rows = await sql<{
    repository_tag_id: number;
    name: string;
    repository_id: number;
    lifetime_start_ms: number;
  }>`
    SELECT m.repository_tag_id, t.name, t.repository_id, t.lifetime_start_ms
    FROM tagtorepositorytag m JOIN tag t ON t.id = m.tag_id ORDER BY m.repository_tag_id`.execute(db);
  const counts = await sql<{ tags: number; maps: number; orphans: number; unmapped: number }>`
    SELECT (SELECT count(*) FROM tag)::int AS tags, (SELECT count(*) FROM tagtorepositorytag)::int AS maps,
      (SELECT count(*) FROM tag t WHERE NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.tag_id = t.id))::int AS orphans,
      (SELECT count(*) FROM repositorytag rt WHERE NOT rt.hidden
         AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id))::int AS unmapped`.execute(
    db,
  );
  return { rows: rows.rows, counts: counts.rows[0] };
}

/** A logger whose JSON lines are kept for assertions (and schema validation). */
export function collectingLogger(level = "debug"): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
  raw: () => string;
} {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk.toString());
      cb();
    },
  });
  const logger = createLogger({ level, destination });
  const raw = () => chunks.join("");
  return {
    logger,
    raw,
    lines: () =>
      raw()
        .split("\n")
        .filter((l) => l.trim() !== "")
        .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

const schema = JSON.parse(
  readFileSync(path.join(REPO_ROOT, "docs/log-events.schema.json"), "utf8"),
) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const validateLine = ajv.compile(schema);

/** Lines that do not match docs/log-events.schema.json, with the reason. */
export function invalidLogLines(lines: readonly Record<string, unknown>[]): string[] {
  const bad: string[] = [];
  for (const line of lines) {
    if (!validateLine(line)) bad.push(`${JSON.stringify(line)}: ${ajv.errorsText(validateLine.errors)}`);
  }
  return bad;
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * What a backfill wrote, by natural keys (database ids differ between two databases): per mapped legacy
 * tag its tag row, manifest digest, broken flag, blob set and legacy image; plus row counts and the
 * duplicate and orphan checks.
 */
export async function registrySnapshot(db: Kysely<Database>) {
  const tags = await sql<Record<string, unknown>>`
    SELECT m.repository_tag_id AS rt, t.name, t.repository_id, t.lifetime_start_ms, t.lifetime_end_ms, t.reversion,
      mf.digest, ttm.broken,
      (SELECT array_agg(s.content_checksum ORDER BY s.content_checksum) FROM manifestblob mb
         JOIN imagestorage s ON s.id = mb.blob_id WHERE mb.manifest_id = mf.id) AS blobs,
      (SELECT i.docker_image_id FROM manifestlegacyimage li JOIN image i ON i.id = li.image_id
         WHERE li.manifest_id = mf.id) AS legacy_image
    FROM tagtorepositorytag m JOIN tag t ON t.id = m.tag_id
    LEFT JOIN manifest mf ON mf.id = t.manifest_id
    LEFT JOIN repositorytag rt ON rt.id = m.repository_tag_id
    LEFT JOIN tagmanifest tm ON tm.tag_id = rt.id
    LEFT JOIN tagmanifesttomanifest ttm ON ttm.tag_manifest_id = tm.id
    ORDER BY m.repository_tag_id`.execute(db);
  const counts = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM manifest)::int AS manifest, (SELECT count(*) FROM manifestblob)::int AS manifestblob,
      (SELECT count(*) FROM manifestlegacyimage)::int AS manifestlegacyimage, (SELECT count(*) FROM tag)::int AS tag,
      (SELECT count(*) FROM tagtorepositorytag)::int AS tagtorepositorytag, (SELECT count(*) FROM tagmanifest)::int AS tagmanifest,
      (SELECT count(*) FROM tagmanifesttomanifest)::int AS tagmanifesttomanifest, (SELECT count(*) FROM image)::int AS image,
      (SELECT count(*) FROM manifestlabel)::int AS manifestlabel,
      (SELECT count(*) FROM tag t WHERE NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.tag_id = t.id))::int AS orphan_tags,
      (SELECT count(*) FROM repositorytag rt WHERE NOT rt.hidden
         AND NOT EXISTS (SELECT 1 FROM tagtorepositorytag m WHERE m.repository_tag_id = rt.id))::int AS unmapped`.execute(
    db,
  );
  return { tags: tags.rows, counts: counts.rows[0] };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The real CLI as a child process, without blocking the test's event loop (an in-process run keeps
 * working while the child pauses or cancels it).
 */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The JSON log lines among a command's output (the human lines are not JSON). */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((l) => l.startsWith('{"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * `runCli` against the environment `env()` gives at call time, keeping every JSON log line the commands
 * wrote to stderr in `lines` (for event and schema checks).
 */
export function recordingCli(env: () => Record<string, string>): {
  cli: (args: string[]) => Promise<CliResult>;
  lines: Record<string, unknown>[];
} {
  const lines: Record<string, unknown>[] = [];
  const cli = async (args: string[]) => {
    const out = await runCli(args, env());
    lines.push(...jsonLines(out.stderr));
    return out;
  };
  return { cli, lines };
}
