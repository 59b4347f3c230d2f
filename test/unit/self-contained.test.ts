import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";

/**
 * A clone with nothing beside it must build and pass: no file may point at a sibling folder or at a
 * directory of one machine. Spelled in pieces so this file does not match itself.
 */
const FORBIDDEN = [
  ["..", "shared"].join("/"),
  ["", "work", ""].join("/"),
  ["", "home", ""].join("/"),
  ["", "root", ""].join("/"),
];

/** Tracked files (the lock file names registry URLs only). */
function trackedFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "-z"], { cwd: REPO_ROOT, encoding: "utf8" });
  return out.split("\0").filter((f) => f !== "" && f !== "package-lock.json");
}

/** The documents that stayed outside: the repository's own rules are in docs/. */
const OUTSIDE_DOCS = [/\bspec §/i, /DESIGN\.md/, /legacy-registry\.md/];

/** `file:line: text` of every line matching one of `patterns`. */
function offendingLines(files: readonly string[], patterns: readonly (string | RegExp)[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(path.join(REPO_ROOT, file), "utf8");
    } catch {
      continue; // deleted in the work tree but still in the index
    }
    text.split("\n").forEach((line, i) => {
      const hit = patterns.some((p) => (typeof p === "string" ? line.includes(p) : p.test(line)));
      if (hit) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
    });
  }
  return found;
}

describe("the repository stands on its own", () => {
  test("no tracked file names a path outside the repository", () => {
    const files = trackedFiles();
    assert.ok(files.length > 100, `git ls-files listed only ${files.length} files`);
    assert.deepEqual(offendingLines(files, FORBIDDEN), []);
  });

  test("comments, help texts and docs cite docs/, not a spec or design kept elsewhere", () => {
    const files = trackedFiles().filter((f) => /^(src|jobs|test|docs|scripts|bench)\/|^README\.md$/.test(f));
    assert.deepEqual(
      offendingLines(
        files.filter((f) => f !== path.join("test", "unit", "self-contained.test.ts")),
        OUTSIDE_DOCS,
      ),
      [],
    );
  });
});
