import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { oneLineUsageError } from "../../../src/cli/usage-error-line.js";
import { formatRows, plural } from "../../../src/text-table.js";

describe("formatRows", () => {
  test("columns as wide as their widest cell: a long reason code does not run into the count", () => {
    const lines = formatRows([
      ["unparseable_stored_manifest", 3],
      ["hidden", 1200],
    ]);
    assert.deepEqual(lines, ["unparseable_stored_manifest     3", "hidden                       1200"]);
  });
  test("indent, text left-aligned, no trailing spaces", () => {
    assert.deepEqual(
      formatRows(
        [
          ["a", "bb"],
          ["ccc", ""],
        ],
        "  ",
      ),
      ["  a    bb", "  ccc"],
    );
  });
});

describe("plural", () => {
  test("one chunk, two chunks", () => {
    assert.equal(plural(1, "chunk"), "1 chunk");
    assert.equal(plural(2, "chunk"), "2 chunks");
    assert.equal(plural(0, "mapped tag"), "0 mapped tags");
  });
});

describe("oneLineUsageError", () => {
  test("commander's error and suggestion become one line", () => {
    assert.equal(
      oneLineUsageError("error: unknown command 'stauts'\n(Did you mean status?)\n"),
      "backfill: unknown command 'stauts' (did you mean status?)\n",
    );
  });
  test("without a suggestion it says where to look", () => {
    assert.match(
      oneLineUsageError("error: unknown option '--x'\n"),
      /^backfill: unknown option '--x' \(`backfill --help`.*\)\n$/,
    );
  });
});
