import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { REPO_ROOT } from "../support/repo-root.js";
import { DASHBOARD_LOG } from "../unit/dashboard/dashboard-log.js";
import { runCli } from "./run-support.js";

function cli(args: readonly string[], input = "") {
  return spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: REPO_ROOT,
    input,
    encoding: "utf8",
  });
}

/** `backfill dashboard`'s command line: bad flags, stdin, a path that cannot be read. */
describe("backfill dashboard: the command line", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "backfill-dashboard-cli-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const args of [["--port", "x"], ["--port", "70000"], ["--poll-ms", "0"], ["--frobnicate"]]) {
    test(`\`dashboard ${args.join(" ")}\` prints one line and exits 2`, async () => {
      const out = await runCli(["dashboard", ...args], {});
      assert.equal(out.status, 2);
      assert.equal(out.stdout, "");
      assert.match(out.stderr, /^backfill: [^\n]+\n$/);
    });
  }

  test("`dashboard - --out F` reads stdin to its end and writes the page with the model inside", () => {
    const report = path.join(dir, "stdin.html");
    const out = cli(["dashboard", "-", "--out", report], `${DASHBOARD_LOG.join("\n")}\n`);
    assert.equal(out.status, 0, out.stderr);
    const lines = DASHBOARD_LOG.filter((l) => l.trim() !== "").length;
    assert.match(out.stdout, new RegExp(`^wrote .* \\(${lines} lines read, \\d+ used\\)\\n$`));
    const html = readFileSync(report, "utf8");
    assert.match(html, new RegExp(`"lines":\\{"read":${lines},`));
  });

  test("`--out` of a path that cannot be read says so on stderr, writes nothing and exits 1", () => {
    const report = path.join(dir, "missing.html");
    const out = cli(["dashboard", path.join(dir, "no-such.log"), "--out", report]);
    assert.equal(out.status, 1);
    assert.match(out.stderr, /backfill: dashboard: cannot read .*no-such\.log/);
    assert.equal(existsSync(report), false);
  });
});
