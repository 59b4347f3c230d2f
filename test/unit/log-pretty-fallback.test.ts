import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";

/**
 * A module hook that makes pino-pretty unresolvable, as it is in an install without dev dependencies
 * (`npm ci --omit=dev`).
 */
const HIDE_PINO_PRETTY = `data:text/javascript,${encodeURIComponent(`
  import { registerHooks } from "node:module";
  registerHooks({
    resolve(specifier, context, next) {
      if (specifier === "pino-pretty" || specifier.startsWith("pino-pretty/")) {
        throw Object.assign(new Error("Cannot find package 'pino-pretty'"), { code: "ERR_MODULE_NOT_FOUND" });
      }
      return next(specifier, context);
    },
  });
`)}`;

/** Logs one line through a logger asked to be pretty (as on a terminal); returns the child's stderr. */
function logPretty(hidePretty: boolean): { status: number | null; stderr: string } {
  const log = pathToFileURL(path.join(REPO_ROOT, "src/log.ts")).href;
  const script = `
    import { createLogger } from ${JSON.stringify(log)};
    createLogger({ pretty: true }).info({ event: "test.line" }, "hello");
  `;
  const hooks = hidePretty ? ["--import", HIDE_PINO_PRETTY] : [];
  const child = spawnSync(
    process.execPath,
    [...hooks, "--import", "tsx", "--input-type=module", "-e", script],
    { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, CI: "" }, timeout: 30_000 },
  );
  return { status: child.status, stderr: child.stderr };
}

describe("the terminal logger without pino-pretty", () => {
  test("writes JSON lines instead of failing when pino-pretty is not installed", () => {
    const { status, stderr } = logPretty(true);
    assert.equal(status, 0, stderr);
    const lines = stderr.trim().split("\n");
    assert.equal(lines.length, 1, stderr);
    const line = JSON.parse(lines[0] ?? "") as Record<string, unknown>;
    assert.equal(line.event, "test.line");
    assert.equal(line.msg, "hello");
    assert.equal(line.level, "info");
  });

  test("is pretty, not JSON, when pino-pretty is installed", () => {
    const { status, stderr } = logPretty(false);
    assert.equal(status, 0, stderr);
    assert.match(stderr, /hello/);
    assert.throws(() => JSON.parse(stderr.trim()) as unknown);
  });
});
