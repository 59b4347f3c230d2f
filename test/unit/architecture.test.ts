import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { folderCycles, folderGraph, folderOf, readImports } from "../support/import-graph.js";
import { REPO_ROOT } from "../support/repo-root.js";

/**
 * The layering of docs/architecture.md, checked on the source as it is: a change that makes the batch core
 * reach for SQL, the adapters reach up, or two folders import each other fails here by name.
 */
const edges = readImports(REPO_ROOT, ["src", "jobs"]);
const graph = folderGraph(edges);

/** The pure core: no I/O module, no storage, no queue. */
const PURE = [
  "src/manifest",
  "src/seed",
  "src/backfill",
  "src/verify",
  "src/explain",
  "src/dashboard",
  "src/dashboard-page",
  "src/quay-schema",
];
const IO_MODULES =
  /^(kysely|pg|ioredis|bullmq|pino|node:fs|node:net|node:child_process|node:worker_threads)(\/|$)/;

/** The shared bottom: the files directly in src and the log-event vocabulary. They import only each other. */
const BOTTOM = /^(src\/[a-z0-9-]+\.ts|src\/log-events)$/;

/** What the database adapters may import: the core whose ports they implement, and the shared bottom. */
const DB_MAY_IMPORT = /^(src\/(manifest|seed|signing|backfill|verify|explain|quay-schema)|migrations)$/;

describe("architecture: folders and layers", () => {
  test("the import reader sees the tree (a check over nothing would pass)", () => {
    assert.ok(edges.length > 300, `only ${edges.length} imports read`);
    assert.ok(graph.get("src/cli")?.has("src/db") ?? false, "src/cli -> src/db not seen");
  });

  test("no import cycle between folders", () => {
    assert.deepEqual(folderCycles(graph), []);
  });

  test("the batch core and the other pure folders import no I/O module and nothing of src/db", () => {
    const offending = edges
      .filter((e) => PURE.includes(folderOf(e.from)))
      .filter((e) => IO_MODULES.test(e.specifier) || folderOf(e.to) === "src/db")
      .map((e) => `${e.from} imports ${e.specifier}`);
    assert.deepEqual(offending, []);
  });

  test("src/db imports nothing above it", () => {
    const offending = edges
      .filter((e) => folderOf(e.from) === "src/db" && e.specifier.startsWith("."))
      .filter((e) => folderOf(e.to) !== "src/db" && !DB_MAY_IMPORT.test(folderOf(e.to)))
      .filter((e) => !BOTTOM.test(folderOf(e.to)))
      .map((e) => `${e.from} imports ${e.specifier}`);
    assert.deepEqual(offending, []);
  });
});

test("the shared bottom imports nothing but itself", () => {
  const offending = edges
    .filter((e) => BOTTOM.test(folderOf(e.from)) && e.specifier.startsWith("."))
    .filter((e) => !BOTTOM.test(folderOf(e.to)))
    .map((e) => `${e.from} imports ${e.specifier}`);
  assert.deepEqual(offending, []);
});

describe("architecture: the cycle finder on plain data", () => {
  const g = (pairs: [string, string][]) => {
    const m = new Map<string, Set<string>>();
    for (const [a, b] of pairs) m.set(a, (m.get(a) ?? new Set()).add(b));
    return m;
  };

  test("a layered graph has no cycle", () => {
    assert.deepEqual(
      folderCycles(
        g([
          ["cli", "run"],
          ["run", "db"],
          ["db", "core"],
          ["cli", "core"],
        ]),
      ),
      [],
    );
  });

  test("a two-folder and a three-folder cycle are both found, each once", () => {
    const cycles = folderCycles(
      g([
        ["a", "b"],
        ["b", "a"],
        ["c", "d"],
        ["d", "e"],
        ["e", "c"],
        ["e", "a"],
      ]),
    );
    assert.deepEqual(cycles.map((c) => c.join(",")).sort(), ["a,b", "c,d,e"]);
  });

  test("folderOf groups files by their folder under src", () => {
    assert.equal(folderOf("src/backfill/plan-batch.ts"), "src/backfill");
    assert.equal(folderOf("src/errors.ts"), "src/errors.ts");
    assert.equal(folderOf("jobs/backfill-batch.ts"), "jobs");
  });
});
