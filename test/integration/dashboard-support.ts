import type { Page } from "playwright-core";
import { CliProcess } from "./cli-process.js";

/** What the page shows of one run, read from its data-testid elements as a person would read them. */
export interface RunFigures {
  status: string | null;
  done: number;
  total: number;
  backfilled: number;
  broken: number;
  skipped: number;
  failed: number;
  byReason: Record<string, number>;
}

export async function runFigures(page: Page, runId: string): Promise<RunFigures> {
  const id = `run-${runId}`;
  const num = async (suffix: string) => Number(await page.getByTestId(`${id}-${suffix}`).textContent());
  const byReason: Record<string, number> = {};
  for (const row of await page.locator(`[data-testid="${id}-reasons"] tr[data-reason]`).all()) {
    const reason = await row.getAttribute("data-reason");
    if (reason !== null) byReason[reason] = Number(await row.locator("td").nth(1).textContent());
  }
  return {
    status: await page.getByTestId(id).getAttribute("data-status"),
    done: await num("done"),
    total: await num("total"),
    backfilled: await num("backfilled"),
    broken: await num("broken"),
    skipped: await num("skipped"),
    failed: await num("failed"),
    byReason,
  };
}

/** Skipped lines by cause as the page shows them. */
export async function skippedFigures(page: Page): Promise<Record<string, number>> {
  const skipped: Record<string, number> = {};
  for (const cause of ["not_json", "no_event", "unknown_event", "invalid"]) {
    skipped[cause] = Number(await page.getByTestId(`skipped-${cause}`).textContent());
  }
  return skipped;
}

/** How many times the page has put a model in (the live page polls; the export shows its model once). */
export async function pageUpdates(page: Page): Promise<number> {
  return Number((await page.locator("body").getAttribute("data-updates")) ?? "0");
}

/** `backfill dashboard ARGS --port 0` as a child; resolves with its URL once it printed it. */
export async function startDashboard(args: readonly string[]): Promise<{ process: CliProcess; url: string }> {
  const child = new CliProcess(["dashboard", ...args, "--port", "0", "--poll-ms", "200"], {});
  await child.waitFor(/dashboard: http:\/\/\S+\//, 30_000);
  const url = /dashboard: (http:\/\/\S+\/)/.exec(child.output)?.[1];
  if (url === undefined) throw new Error(`no URL in: ${child.output}`);
  return { process: child, url };
}

/**
 * Lines that are not the vocabulary's, mixed into a real log: not JSON, truncated, foreign JSON, an
 * unknown event, a known event failing its schema, and a valid error line whose text is markup.
 */
export const BAD_LINES = {
  not_json: ["this is not json", '{"level":"info","time":"2026-01-01T00:00:00Z","event":"batch.compl'],
  no_event: ['{"msg":"a line of another program","level":30}', "[1,2,3]"],
  unknown_event: ['{"time":"2026-01-01T00:00:00Z","event":"something.else","runId":"1"}'],
  invalid: ['{"time":"2026-01-01T00:00:00Z","event":"batch.completed","runId":"x"}'],
};

/**
 * A `batch.lease_lost` line (a warning that changes no run figure) of run `runId` whose error text is
 * HTML: the page must show it as text.
 */
export function markupErrorLine(runId: string, timeIso: string): string {
  return JSON.stringify({
    level: "warn",
    time: timeIso,
    pid: 1,
    hostname: "h",
    event: "batch.lease_lost",
    runId,
    batchId: "999999",
    attempt: 1,
    err: { type: "Error", message: '<img src=x onerror="document.body.dataset.pwned=1">boom' },
    msg: "lease lost",
  });
}
