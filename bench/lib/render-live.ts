import { WORKLOAD_OPERATIONS } from "./workload-plan.js";
import { p99Ratio, type LivePhase, type LiveResult } from "./live-result.js";
import type { PaceLine } from "./throttle-seen.js";

export const LIVE_README_START = "<!-- bench-live:start -->";
export const LIVE_README_END = "<!-- bench-live:end -->";

const ms = (v: number) => `${v.toFixed(v < 100 ? 1 : 0)} ms`;
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : "–");
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}×` : "–");

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

/** p99 of the workload alone at the end over alone at the start, the larger over the smaller; NaN without both. */
export function baselineSpread(result: LiveResult): number {
  const first = result.phases.find((p) => p.name === "alone")?.workload.all.p99 ?? Number.NaN;
  const last = result.phases.find((p) => p.name === "alone, after")?.workload.all.p99 ?? Number.NaN;
  if (!(first > 0 && last > 0)) return Number.NaN;
  return Math.max(first, last) / Math.min(first, last);
}

/**
 * PASS or FAIL against the goal; INCONCLUSIVE when the workload alone moved between the start and the end
 * of the run by more than the goal allows the backfill (the machine's other load, not the backfill).
 */
function verdict(result: LiveResult): string {
  const r = result.ratios.throttledP99;
  if (!Number.isFinite(r)) return "not measured";
  const spread = baselineSpread(result);
  if (spread > result.goal) return `**INCONCLUSIVE**: alone moved ${ratio(spread)} during the run`;
  return r <= result.goal ? "**PASS**" : "**FAIL**";
}

export function ratiosTable(result: LiveResult): string {
  const after = result.phases.find((p) => p.name === "alone, after")?.workload;
  const row = (
    name: string,
    goal: string,
    phase: LivePhase["name"],
    measured: number,
    verdictText: string,
  ) => {
    const w = result.phases.find((p) => p.name === phase)?.workload;
    return [name, goal, ratio(measured), ratio(after && w ? p99Ratio(after, w) : Number.NaN), verdictText];
  };
  const nice = result.ratios.niceP99;
  return table(
    ["workload p99", "goal", "vs alone", "vs alone, after", "result"],
    [
      row(
        "backfill, default throttling",
        `≤ ${result.goal}×`,
        "backfill, default throttling",
        result.ratios.throttledP99,
        verdict(result),
      ),
      row(
        "backfill, throttling off",
        "(for comparison)",
        "backfill, throttling off",
        result.ratios.unthrottledP99,
        "",
      ),
      ...(nice === undefined
        ? []
        : [
            row(
              `backfill, default throttling + nice ratio ${result.settings.niceRatio ?? "?"}`,
              "(for comparison)",
              "backfill, default throttling + nice ratio",
              nice,
              "",
            ),
          ]),
    ],
  );
}

export function phasesTable(result: LiveResult): string {
  return table(
    ["phase", "operations", "errors", "skipped", "p50", "p95", "p99", "max", "load avg (1 min) at start"],
    result.phases.map((p) => [
      p.name,
      String(p.workload.all.count),
      String(p.workload.all.errors),
      String(p.workload.skipped),
      ms(p.workload.all.p50),
      ms(p.workload.all.p95),
      ms(p.workload.all.p99),
      ms(p.workload.all.max),
      (p.loadAvgAtStart[0] ?? 0).toFixed(2),
    ]),
  );
}

export function backfillTable(result: LiveResult): string {
  const target = result.settings.targetBatchSeconds;
  return table(
    [
      "throttling",
      "tags",
      "run time",
      "tags/s",
      "throttled",
      "batches",
      `within ±50% of ${target} s`,
      "contended",
    ],
    result.phases.flatMap((p) =>
      p.backfill
        ? [
            [
              p.backfill.throttling === "nice"
                ? `nice ratio ${p.backfill.niceRatio ?? "?"}`
                : p.backfill.throttling,
              p.backfill.tags.toLocaleString("en-US"),
              `${(p.backfill.runMs / 1000).toFixed(1)} s`,
              p.backfill.tagsPerSec.toFixed(1),
              pct(p.backfill.throttledFraction),
              String(p.backfill.batches),
              pct(p.backfill.withinTargetShare),
              String(p.backfill.contended),
            ],
          ]
        : [],
    ),
  );
}

function perOperationTable(result: LiveResult): string {
  return table(
    ["operation p99", ...result.phases.map((p) => p.name)],
    WORKLOAD_OPERATIONS.map((op) => [
      op,
      ...result.phases.map((p) => {
        const s = p.workload.byOperation[op];
        return s ? `${ms(s.p99)} (${s.count})` : "–";
      }),
    ]),
  );
}

/** Which topology ran and why; results from before the choice ran on shared cores. */
export function topologyLine(result: LiveResult): string {
  const t = result.topology;
  if (!t)
    return "Topology: shared (every process unpinned on the shared server; recorded before the topology was chosen).";
  const server = t.server === "private" ? "a private PostgreSQL server" : "DATABASE_URL's shared server";
  return `Topology: **${t.topology}**, on ${server}. Why: ${t.why}.`;
}

function heading(result: LiveResult): string {
  const m = result.machine;
  return (
    `\`${result.command}\` (${result.finishedAt.slice(0, 10)}, revision ${result.revision}; ${m.cpus} cores, ` +
    `${m.postgres}; load average ${m.loadAvgStart.map((l) => l.toFixed(2)).join(" / ")} at start: ` +
    `a machine shared with other jobs). ${result.settings.tags.toLocaleString("en-US")} seeded tags, workload at ` +
    `${result.settings.rate} operations/s, ${result.settings.aloneSeconds} s alone, ` +
    `\`BACKFILL_TARGET_BATCH_SECONDS=${result.settings.targetBatchSeconds}\`.`
  );
}

const value = (v: number | null) => (v === null ? "failed" : v < 10 ? v.toFixed(1) : v.toFixed(0));

/** Per backfill phase: the throttle's readings (the probe's each), its signals' medians and maxima, its events. */
export function throttleSection(result: LiveResult): string {
  const out: string[] = [];
  for (const p of result.phases) {
    const seen = p.backfill?.throttle;
    if (!p.backfill || !seen) continue;
    const t = seen.tiers;
    out.push(
      `**${p.name}**: ${seen.readings} readings (${t.clear} clear, ${t.throttle} throttle, ${t.critical} critical); ` +
        (seen.probeMs.length > 0
          ? `the probe's medians, in order: ${seen.probeMs.map(value).join(", ")} ms.`
          : "the response-time probe was off."),
      "",
    );
    if (seen.signals.length > 0) {
      out.push(
        table(
          ["signal", "readings", "median", "max"],
          seen.signals.map((s) => [s.name, String(s.readings), value(s.p50), value(s.max)]),
        ),
        "",
      );
    }
    const shown = seen.events.slice(0, 20);
    out.push(
      ...(shown.length === 0
        ? ["No throttle.started or throttle.ended line.", ""]
        : [
            table(
              ["at", "event", "reason", "stretch"],
              shown.map((e) => [
                `${e.atS.toFixed(1)} s`,
                e.event,
                e.reason,
                e.durationMs === undefined ? "" : `${(e.durationMs / 1000).toFixed(1)} s`,
              ]),
            ),
            ...(seen.events.length > shown.length ? [`(${seen.events.length - shown.length} more)`] : []),
            "",
          ]),
    );
    out.push(...paceLines(seen.pace ?? []));
  }
  return out.join("\n");
}

/** The pacer's changes of ratio in one phase (at most 20 shown). */
function paceLines(pace: readonly PaceLine[]): string[] {
  if (pace.length === 0) return ["No pace.changed line.", ""];
  const shown = pace.slice(0, 20);
  return [
    table(
      ["at", "rest ratio", "why"],
      shown.map((l) => [`${l.atS.toFixed(1)} s`, `${l.from} → ${l.ratio}`, l.reason]),
    ),
    ...(pace.length > shown.length ? [`(${pace.length - shown.length} more)`] : []),
    "",
  ];
}

export function renderLiveReport(result: LiveResult): string {
  const reasons = result.phases.flatMap((p) =>
    p.backfill && p.backfill.throttleReasons.length > 0
      ? [`- ${p.backfill.throttling}: throttled for ${p.backfill.throttleReasons.join("; ")}`]
      : [],
  );
  return [
    "# Backfill beside a live workload (`npm run bench:live`)",
    "",
    heading(result),
    "",
    topologyLine(result),
    "",
    ratiosTable(result),
    "",
    "## The workload's latency",
    "",
    phasesTable(result),
    "",
    perOperationTable(result),
    "",
    "## The backfill under load",
    "",
    backfillTable(result),
    "",
    ...(reasons.length > 0 ? ["Throttle reasons:", "", ...reasons, ""] : []),
    "## What the throttle saw",
    "",
    throttleSection(result),
    "## Notes",
    "",
    ...result.notes.map((n) => `- ${n}`),
    "",
  ].join("\n");
}

export function renderLiveReadmeSection(result: LiveResult): string {
  return [
    `Latest \`npm run bench:live\`: ${heading(result)} Details: [bench/results/live.md](bench/results/live.md).`,
    "",
    topologyLine(result),
    "",
    ratiosTable(result),
    "",
    backfillTable(result),
  ].join("\n");
}

/** README with the live section replaced, or added at the end of the Performance section's bench block. */
export function replaceLiveReadmeSection(readme: string, section: string): string {
  const block = `${LIVE_README_START}\n${section.trimEnd()}\n${LIVE_README_END}`;
  const start = readme.indexOf(LIVE_README_START);
  const end = readme.indexOf(LIVE_README_END);
  if (start >= 0 && end > start)
    return readme.slice(0, start) + block + readme.slice(end + LIVE_README_END.length);
  const base = readme.endsWith("\n") ? readme : `${readme}\n`;
  return `${base}\n${block}\n`;
}
