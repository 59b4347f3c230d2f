import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { connect } from "../../src/db/connect.js";
import { resolveVerifyScope } from "../../src/db/verify-scope.js";
import { createVerifySource } from "../../src/db/verify-source.js";
import type { Logger } from "../../src/log.js";
import { runVerify, type MappedTagPage, type VerifySource } from "../../src/verify/run-verify.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { buildMappedDataset, type MappedDataset } from "./verify-dataset.js";

const TAG_NAMES = ["t0", "t1", "t2", "t3", "t4", "t5", "t6"];
const MAPPED = TAG_NAMES.length + 1; // and the broken placeholder

let testDb: TestDatabase;
let data: MappedDataset;
let queries = 0;
let counted: ReturnType<typeof connect>;

interface ChunkRecord {
  size: number;
  queries: number;
  ids: number[];
}

/** The real source on a connection that counts queries, recording each chunk's size and query count. */
function recordingSource(chunks: ChunkRecord[]): VerifySource {
  const source = createVerifySource(counted, {});
  return {
    ...source,
    async loadChunk(page: MappedTagPage) {
      const before = queries;
      const chunk = await source.loadChunk(page);
      chunks.push({
        size: chunk.tags.length,
        queries: queries - before,
        ids: chunk.tags.map((t) => t.repositoryTagId),
      });
      return chunk;
    },
  };
}

describe("backfill verify streams in chunks", () => {
  before(async () => {
    testDb = await createTestDatabase("verify_chunks");
    data = await buildMappedDataset(testDb.db, { tagNames: TAG_NAMES });
    // Kysely reports every executed query to its log hook; connect() forwards them at trace level.
    const logger = {
      isLevelEnabled: () => true,
      trace: () => {
        queries += 1;
      },
      debug: () => undefined,
      warn: () => undefined,
    } as unknown as Logger;
    counted = connect(testDb.url, { max: 4, logger });
  });
  after(async () => {
    await counted.destroy();
    await testDb.drop();
  });

  for (const chunkSize of [1, 3, MAPPED]) {
    test(`chunks of ${chunkSize}: chunk count follows the tags, queries per chunk stay at 4`, async () => {
      const chunks: ChunkRecord[] = [];
      const report = await runVerify(recordingSource(chunks), { chunkSize, ourKeyId: data.signer.kid });
      assert.deepEqual(report.problems, []);
      assert.equal(report.checkedTags, MAPPED);
      const full = chunks.filter((c) => c.size > 0);
      assert.equal(full.length, Math.ceil(MAPPED / chunkSize));
      assert.equal(report.chunks, full.length);
      for (const chunk of full) {
        assert.ok(chunk.size <= chunkSize, "a chunk never holds more than its size");
        assert.equal(chunk.queries, 4, "tags, manifest bytes, blobs, chain images");
      }
      // Keyset order: every tag once, ascending.
      const ids = full.flatMap((c) => c.ids);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
      );
      assert.equal(new Set(ids).size, MAPPED);
    });
  }

  test("--sample checks a deterministic subset", async () => {
    const first: ChunkRecord[] = [];
    const second: ChunkRecord[] = [];
    const a = await runVerify(recordingSource(first), { chunkSize: 2, sample: 3 });
    await runVerify(recordingSource(second), { chunkSize: 2, sample: 3 });
    assert.equal(a.checkedTags, 3);
    assert.equal(a.sample, 3);
    assert.deepEqual(
      first.flatMap((c) => c.ids),
      second.flatMap((c) => c.ids),
    );
    assert.equal(first.length, 2);
    const all = await runVerify(recordingSource([]), { chunkSize: 2, sample: 1000 });
    assert.equal(all.checkedTags, MAPPED);
  });

  test("a repository filter resolves to ids, and an unknown one is reported", async () => {
    const user = await testDb.db
      .selectFrom("user")
      .select("id")
      .where("username", "=", "devtable")
      .executeTakeFirstOrThrow();
    const found = await resolveVerifyScope(testDb.db, {
      repository: "devtable/simple",
      namespace: "devtable",
    });
    assert.deepEqual(found, {
      found: true,
      scope: { repositoryId: data.repositoryId, namespaceUserId: user.id },
    });
    assert.deepEqual(await resolveVerifyScope(testDb.db, { repository: "devtable/other" }), {
      found: false,
      missing: "repository devtable/other",
    });
    if (!found.found) return;
    const scoped = await runVerify(createVerifySource(testDb.db, found.scope), { chunkSize: 5 });
    assert.equal(scoped.checkedTags, MAPPED);
    const elsewhere = await runVerify(
      createVerifySource(testDb.db, { repositoryId: data.repositoryId + 1000 }),
      {
        chunkSize: 5,
      },
    );
    assert.equal(elsewhere.checkedTags, 0);
  });
});
