import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { classifyError, contentionCode } from "../../src/classify-error.js";
import { PermanentJobError } from "../../src/errors.js";

const pgError = (code: string, message = "x") => Object.assign(new Error(message), { code });

describe("classifyError: a lock or statement timeout is contended, not a failure", () => {
  const cases: [string, unknown, string, string | undefined][] = [
    [
      "lock_timeout (55P03)",
      pgError("55P03", "canceling statement due to lock timeout"),
      "contended",
      "55P03",
    ],
    [
      "statement_timeout (57014)",
      pgError("57014", "canceling statement due to statement timeout"),
      "contended",
      "57014",
    ],
    ["wrapped in a cause", new Error("batch", { cause: pgError("55P03") }), "contended", "55P03"],
    ["admin shutdown (57P01) stays unavailable", pgError("57P01"), "unavailable", undefined],
    ["deadlock (40P01) stays a plain retry", pgError("40P01"), "retry", undefined],
    [
      "a permanent wrapper stays permanent",
      new PermanentJobError("no such run", { cause: pgError("55P03") }),
      "permanent",
      "55P03",
    ],
  ];
  for (const [name, err, expected, code] of cases) {
    test(name, () => {
      assert.equal(classifyError(err), expected);
      assert.equal(contentionCode(err), code);
    });
  }
});
