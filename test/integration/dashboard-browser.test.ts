import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { after, before, describe, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { LogAggregator } from "../../src/dashboard/log-aggregator.js";
import { launchChromium } from "../support/chromium.js";
import { promtoolCheckMetrics } from "../support/promtool.js";
import { REPO_ROOT } from "../support/repo-root.js";
import { createSigningKeyFile, type SigningKeyFile } from "../support/signing-key-file.js";
import { createTestDatabase, type TestDatabase } from "../support/test-database.js";
import { createTestRedis, type TestRedis } from "../support/test-redis.js";
import type { CliProcess } from "./cli-process.js";
import {
  BAD_LINES,
  markupErrorLine,
  pageUpdates,
  runFigures,
  skippedFigures,
  startDashboard,
  type RunFigures,
} from "./dashboard-support.js";
import { runCli } from "./run-support.js";

interface RunSummary {
  id: string;
  status: string;
  totalTags: number;
  tags: { backfilled: number; backfilled_broken: number; skipped: number; failed: number };
  byReason: Record<string, number>;
}

// The screenshots go to a temporary folder, so a test run changes no tracked file; with
// UPDATE_SCREENSHOTS=1 they replace the ones docs/ and the README show.
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === "1"
    ? path.join(REPO_ROOT, "docs")
    : mkdtempSync(path.join(os.tmpdir(), "bf-shots-"));
const SCREENSHOT = path.join(SHOTS, "dashboard.png");
const EXPORT_SCREENSHOT = path.join(SHOTS, "dashboard-export.png");

/** The dashboard as an operator uses it: a real run's log, the real CLI, Debian's chromium. */
describe("backfill dashboard in headless chromium", () => {
  let tdb: TestDatabase;
  let redis: TestRedis;
  let key: SigningKeyFile;
  let dir: string;
  let browser: Browser;
  let logFile: string;
  let live: { process: CliProcess; url: string } | undefined;
  let summary: RunSummary;
  let shown: RunFigures;
  const children: CliProcess[] = [];

  before(async () => {
    // First: without a browser every test here fails with the launcher's message.
    browser = await launchChromium();
    key = createSigningKeyFile("dashboard");
    redis = await createTestRedis("dashboard");
    tdb = await createTestDatabase("dashboard_browser");
    const seed = await runCli(["seed", "--tags", "400", "--seed", "dashboard"], { DATABASE_URL: tdb.url });
    assert.equal(seed.status, 0, seed.stderr);
    dir = mkdtempSync(path.join(os.tmpdir(), "backfill-dashboard-"));
    logFile = path.join(dir, "run.log");
  });

  after(async () => {
    await browser?.close();
    for (const child of children) await child.kill();
    await redis?.cleanup();
    await tdb?.drop();
    key?.remove();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const newPage = (): Promise<Page> => browser.newPage({ viewport: { width: 1280, height: 900 } });

  test("the live page follows a seeded run's log as it is written and ends with the run's own summary", async () => {
    live = await startDashboard([logFile]);
    children.push(live.process);
    const page = await newPage();
    await page.goto(live.url);
    await page.getByText("no run in the logs yet").waitFor({ timeout: 10_000 });
    const before = await pageUpdates(page);

    const env = {
      DATABASE_URL: tdb.url,
      REDIS_URL: redis.url,
      BACKFILL_QUEUE_PREFIX: redis.prefix,
      BACKFILL_SIGNING_KEY_FILE: key.path,
    };
    const args = ["--log-file", logFile, "run", "--json", "--no-progress", "--batch-size", "20"];
    const out = await runCli([...args, "--concurrency", "2"], env);
    assert.ok(out.status === 0 || out.status === 1, out.stderr);
    summary = JSON.parse(out.stdout) as RunSummary;

    const card = page.locator(`[data-testid="run-${summary.id}"][data-status="${summary.status}"]`);
    await card.waitFor({ timeout: 30_000 });
    assert.ok((await pageUpdates(page)) > before, "the page polled again and took the new lines in");
    shown = await runFigures(page, summary.id);
    const t = summary.tags;
    assert.equal(shown.total, summary.totalTags);
    assert.equal(shown.done, t.backfilled + t.backfilled_broken + t.failed);
    assert.deepEqual(
      { backfilled: shown.backfilled, broken: shown.broken, skipped: shown.skipped, failed: shown.failed },
      { backfilled: t.backfilled, broken: t.backfilled_broken, skipped: t.skipped, failed: t.failed },
    );
    // The page's reasons are the broken and failed tags' (one `tag.*` line each); the summary's hold them.
    assert.ok(Object.keys(shown.byReason).length > 0, "the seeded defects show reasons");
    for (const [reason, count] of Object.entries(shown.byReason)) {
      assert.equal(count, summary.byReason[reason], `reason ${reason}`);
    }
    const reasonSum = Object.values(shown.byReason).reduce((a, n) => a + n, 0);
    assert.equal(reasonSum, t.backfilled_broken + t.failed);
    assert.equal((await page.locator("canvas").count()) >= 3, true, "uPlot drew the three charts");
    // A run of seconds spans a minute or two of time axis, one point or many (not uPlot's 1000 days).
    const spanS = await page.evaluate("(() => { const x = charts.rate.scales.x; return x.max - x.min; })()");
    assert.ok(typeof spanS === "number" && spanS > 0 && spanS <= 600, `time axis spans ${String(spanS)} s`);
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    await page.close();
  });

  test("/metrics of the running dashboard passes promtool and carries the run's figures", async () => {
    assert.ok(live, "the live test started the dashboard");
    const response = await fetch(`${live.url}metrics`);
    assert.equal(response.status, 200);
    const text = await response.text();
    const check = promtoolCheckMetrics(text);
    assert.equal(check.status, 0, check.output);
    assert.match(text, new RegExp(`backfill_run_done_tags\\{run="${summary.id}"\\} ${shown.done}\\n`));
    assert.match(text, new RegExp(`backfill_run_candidate_tags\\{run="${summary.id}"\\} ${shown.total}\\n`));
  });

  test("`--out` writes one page that opens with the network off and shows the same figures", async () => {
    const report = path.join(dir, "report.html");
    const out = await runCli(["dashboard", logFile, "--out", report], {});
    assert.equal(out.status, 0, out.stderr);
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    await context.setOffline(true);
    const fetched: string[] = [];
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (url.startsWith("file:")) return route.continue();
      fetched.push(url);
      return route.abort();
    });
    const page = await context.newPage();
    await page.goto(pathToFileURL(report).href);
    await page.locator("body[data-updates]").waitFor({ timeout: 10_000 });
    assert.deepEqual(await runFigures(page, summary.id), shown);
    assert.ok((await page.locator("canvas").count()) >= 3, "uPlot is inlined and drew the charts");
    assert.deepEqual(fetched, [], "the export asks the network for nothing");
    await page.screenshot({ path: EXPORT_SCREENSHOT, fullPage: true });
    await context.close();
  });

  test("malformed, truncated and foreign lines are counted as skipped; the good lines' figures stay", async () => {
    const good = readFileSync(logFile, "utf8")
      .split("\n")
      .filter((l) => l.trim() !== "");
    const bad = Object.values(BAD_LINES).flat();
    const step = Math.max(1, Math.floor(good.length / bad.length));
    const mixed: string[] = [];
    good.forEach((line, i) => {
      mixed.push(line);
      if (i % step === 0 && bad.length > 0) mixed.push(bad.shift() ?? "");
    });
    mixed.push(...bad, markupErrorLine(summary.id, new Date().toISOString()));
    const logs = path.join(dir, "mixed");
    mkdirSync(logs);
    writeFileSync(path.join(logs, "worker.log"), `${mixed.join("\n")}\n`);

    const expected = new LogAggregator();
    for (const line of good) expected.add(line);
    const base = expected.model(Date.now()).lines.skipped;

    const dashboard = await startDashboard([logs]);
    children.push(dashboard.process);
    const page = await newPage();
    await page.goto(dashboard.url);
    await page.locator(`[data-testid="run-${summary.id}"][data-status="${summary.status}"]`).waitFor();
    assert.deepEqual(await skippedFigures(page), {
      not_json: base.not_json + BAD_LINES.not_json.length,
      no_event: base.no_event + BAD_LINES.no_event.length,
      unknown_event: base.unknown_event + BAD_LINES.unknown_event.length,
      invalid: base.invalid + BAD_LINES.invalid.length,
    });
    assert.deepEqual(await runFigures(page, summary.id), shown);
    const errors = page.getByTestId("errors");
    await errors.getByText('<img src=x onerror="document.body.dataset.pwned=1">boom').waitFor();
    assert.equal(await errors.locator("img").count(), 0, "a log line's markup is shown as text");
    assert.equal(await page.locator("body").getAttribute("data-pwned"), null);
    const model = await fetch(`${dashboard.url}model.json`);
    assert.equal(model.status, 200, "the server still answers");
    await page.close();
  });
});
