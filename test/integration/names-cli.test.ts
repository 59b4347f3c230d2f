import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { sql } from "kysely";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import { LegacyFixtures } from "./batch-fixtures.js";
import { runCli } from "./run-support.js";

/**
 * Names as Quay stored them, through the real CLI: a tag name holding terminal escape sequences is
 * printed escaped by `explain` (raw in `--json`), and a repository whose name holds quotes and
 * non-ASCII is selected by `run`, `reprocess`, `verify` and `explain` alike.
 */
const NAMESPACE = "devtable";
const REPOSITORY = `it's-"ünï"`;
const REFERENCE = `${NAMESPACE}/${REPOSITORY}`;
/** Sets the terminal title, then turns text red and rings the bell. */
const HOSTILE_TAG = "v1\u001b]0;owned\u0007\u001b[31mred\u009b2J";

let tdb: TestDatabase;
let redis: TestRedis;
let key: SigningKeyFile;
let env: Record<string, string>;
let hostileId: number;

describe("stored names on the command line", () => {
  before(async () => {
    tdb = await createTestDatabase("names_cli");
    redis = await createTestRedis("names-cli");
    const f = new LegacyFixtures(tdb.db);
    const repo = await f.repository(NAMESPACE, REPOSITORY);
    const chain = await f.chain(repo, "names", [{}, {}]);
    const leaf = chain[1];
    assert.ok(leaf);
    hostileId = await f.tag(repo, HOSTILE_TAG, leaf.id);
    await f.tag(repo, "latest", leaf.id);
    const other = await f.repository("other", "plain");
    const otherChain = await f.chain(other, "plain", [{}]);
    await f.tag(other, "latest", otherChain[0]?.id ?? 0);
    key = createSigningKeyFile("names");
    env = {
      DATABASE_URL: tdb.url,
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: key.path,
      LOG_LEVEL: "warn",
    };
  });
  after(async () => {
    await redis.cleanup();
    await tdb.drop();
    key.remove();
  });

  test("explain escapes control characters of a tag name; --json keeps the name as stored", async () => {
    const human = await runCli(["explain", "--tag-id", String(hostileId)], env);
    assert.equal(human.status, 0, human.stderr);
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(human.stdout, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
    assert.ok(human.stdout.includes("v1\\x1b]0;owned\\x07\\x1b[31mred\\x9b2J"), human.stdout);
    const json = await runCli(["explain", "--tag-id", String(hostileId), "--json"], env);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { tag: { display: string } };
    assert.ok(report.tag.display.endsWith(`:${HOSTILE_TAG}`), report.tag.display);
  });

  test("explain finds a tag of that repository by name", async () => {
    const found = await runCli(["explain", `${REFERENCE}:latest`, "--json"], env);
    assert.equal(found.status, 0, found.stderr);
  });

  test("run --repository with quotes and non-ASCII maps exactly that repository's tags", async () => {
    const run = await runCli(["run", "--repository", REFERENCE, "--no-progress"], env);
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    const mapped = await sql<{ repository: string; n: number }>`
      SELECT r.name AS repository, count(*)::int AS n FROM tagtorepositorytag m
        JOIN repository r ON r.id = m.repository_id GROUP BY r.name`.execute(tdb.db);
    assert.deepEqual(mapped.rows, [{ repository: REPOSITORY, n: 2 }]);
  });

  test("reprocess and verify take the same reference", async () => {
    const reprocess = await runCli(["reprocess", "--repository", REFERENCE, "--force", "--dry-run"], env);
    assert.equal(reprocess.status, 0, `${reprocess.stdout}\n${reprocess.stderr}`);
    const verify = await runCli(["verify", "--repository", REFERENCE], env);
    assert.equal(verify.status, 0, `${verify.stdout}\n${verify.stderr}`);
  });

  test("a reference without a namespace is one line and exit 2, for every command alike", async () => {
    for (const args of [
      ["run", "--repository", "no-slash", "--dry-run"],
      ["reprocess", "--repository", "no-slash", "--dry-run"],
      ["verify", "--repository", "no-slash"],
    ]) {
      const result = await runCli(args, env);
      assert.equal(result.status, 2, `${args.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /--repository expects namespace\/name, got "no-slash"/);
    }
  });
});
