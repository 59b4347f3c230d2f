import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";
import { runCli } from "./run-support.js";

// Nothing here reaches a database: a URL that cannot answer proves the usage checks come first.
const ENV = { DATABASE_URL: "postgres://nobody@127.0.0.1:1/none", REDIS_URL: "redis://127.0.0.1:1" };
const VERSION = (
  JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as { version: string }
).version;

describe("CLI usage contract", () => {
  for (const flag of ["--version", "-V"]) {
    test(`\`backfill ${flag}\` prints package version + git commit on stdout and exits 0`, async () => {
      const out = await runCli([flag], ENV);
      assert.equal(out.status, 0, out.stderr);
      assert.equal(out.stderr, "");
      const escaped = VERSION.replace(/\./g, "\\.");
      assert.match(out.stdout, new RegExp(`^${escaped}(\\+[0-9a-f]{12})?\\n$`));
    });
  }

  const mistakes: [string[], RegExp][] = [
    [["stauts"], /^backfill: unknown command 'stauts' \(did you mean status\?\)\n$/],
    [
      ["run", "--batch-sise", "5"],
      /^backfill: unknown option '--batch-sise' \(did you mean --batch-size\?\)\n$/,
    ],
    [["verify", "--jsno"], /^backfill: unknown option '--jsno' \(did you mean --json\?\)\n$/],
    [["run", "--frobnicate"], /^backfill: unknown option '--frobnicate' \(`backfill --help` lists .*\)\n$/],
  ];
  for (const [args, expected] of mistakes) {
    test(`\`backfill ${args.join(" ")}\` prints one line naming the mistake and exits 2`, async () => {
      const out = await runCli(args, ENV);
      assert.equal(out.status, 2);
      assert.equal(out.stdout, "");
      assert.match(out.stderr, expected);
    });
  }
});
