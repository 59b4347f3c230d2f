import type { BenchResult, PassResult, ScaleOutRow } from "./bench-result.js";
import { passPgCpuMsPerTag, type TargetResult } from "./evaluate-targets.js";
import { backfillTable, phasesTable, ratiosTable, topologyLine } from "./render-live.js";

const MB = 1024 * 1024;
const int = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "–");
const one = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : "–");
const ms2 = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? `${n.toFixed(2)} ms` : "–");
const two = (n: number | undefined) => (n !== undefined && Number.isFinite(n) ? n.toFixed(2) : "–");
const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : "–");
const loads = (l: number[]) => l.map((n) => n.toFixed(2)).join(" / ");

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map((h, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

export function targetsTable(targets: readonly TargetResult[]): string {
  return table(
    ["target", "required", "measured", "from", "result"],
    targets.map((t) => [t.label, t.required, two(t.ratio), t.detail, `**${t.status}**`]),
  );
}

export function passesTable(passes: readonly PassResult[]): string {
  return table(
    [
      "tags",
      "key",
      "run time",
      "tags/s",
      "batch p50",
      "batch p95",
      "rows/s",
      "PostgreSQL CPU/tag",
      "of it autovacuum",
      "peak RSS",
    ],
    passes.map((p) => [
      int(p.size),
      p.alg,
      secs(p.metrics.runMs),
      one(p.metrics.tagsPerSec),
      `${int(p.metrics.batchP50Ms)} ms`,
      `${int(p.metrics.batchP95Ms)} ms`,
      int(p.metrics.rowsPerSec),
      ms2(passPgCpuMsPerTag(p)),
      ms2(
        p.pgCpu?.autovacuumSec === undefined || p.metrics.tags <= 0
          ? undefined
          : (p.pgCpu.autovacuumSec * 1000) / p.metrics.tags,
      ),
      `${one(p.metrics.peakRssBytes / MB)} MB`,
    ]),
  );
}

/** `--workers`: tags/s and PostgreSQL's cost per worker count, and the projection per database core. */
export function scaleOutTable(rows: readonly ScaleOutRow[]): string {
  return table(
    [
      "workers",
      "tags",
      "key",
      "span",
      "tags/s",
      "PostgreSQL CPU/tag",
      "PostgreSQL cores used",
      "tags/s per PostgreSQL core",
      "worker CPU/tag",
      "PostgreSQL background writers CPU/tag",
      "peak RSS (one worker)",
    ],
    rows.map((r) => [
      String(r.workers),
      int(r.tags),
      r.alg,
      secs(r.spanMs),
      one(r.tagsPerSec),
      ms2(r.pgCpuMsPerTag),
      two(r.pgCores),
      r.tagsPerSecPerPgCore === undefined ? "–" : int(r.tagsPerSecPerPgCore),
      ms2(r.workerCpuMsPerTag),
      ms2(r.tags > 0 ? (r.pgCpu.backgroundSec * 1000) / r.tags : undefined),
      `${one(r.peakRssBytes / MB)} MB`,
    ]),
  );
}

const SCALE_OUT_TEXT =
  "N `backfill worker` processes (the compiled CLI, deployment settings, concurrency 2 each) on one run of a fresh " +
  "copy of the reference registry, started together; span = first batch start to last batch end over every " +
  "worker's log. tags/s per PostgreSQL core = tags/s ÷ (PostgreSQL CPU seconds of the database's backends ÷ span): " +
  "a database with C cores for the backfill serves about C × that, once enough worker hosts feed it (each worker " +
  "needs the worker CPU per tag on its own host). On this machine the workers and PostgreSQL share the same cores, " +
  "so the tags/s column stops growing when the cores are full, not when the database is.";

function stagesTable(passes: readonly PassResult[]): string {
  return table(
    [
      "tags",
      "key",
      "batches",
      "load p50",
      "plan p50",
      "sign p50",
      "write p50",
      "queries/batch",
      "rows",
      "process wall",
      "seed",
      "load avg at start",
    ],
    passes.map((p) => [
      int(p.size),
      p.alg,
      int(p.metrics.batches),
      `${int(p.metrics.stageP50Ms.load)} ms`,
      `${int(p.metrics.stageP50Ms.plan)} ms`,
      `${int(p.metrics.stageP50Ms.sign)} ms`,
      `${int(p.metrics.stageP50Ms.write)} ms`,
      int(p.metrics.queriesPerBatchP50),
      int(p.metrics.rowsWritten),
      secs(p.metrics.processMs),
      secs(p.seedMs),
      p.loadAvgAtStart === undefined ? "–" : (p.loadAvgAtStart[0] ?? 0).toFixed(2),
    ]),
  );
}

function limitsTable(result: BenchResult): string {
  const { signing, rawInsert, baseline } = result.limits;
  const rows: string[][] = [];
  if (signing) {
    rows.push(
      [
        "RS256 signing, one thread, node:crypto (a limit, not a target)",
        `${one(signing.rs256PerCpuSec)} /s of CPU time`,
        `${int(signing.payloadBytes)}-byte payload; ${one(signing.rs256PerSec)} /s of wall-clock time`,
      ],
      ["ES256 signing, one thread, node:crypto", `${one(signing.es256PerSec)} /s`, "same payload"],
    );
  }
  if (rawInsert) {
    const mix = Object.entries(rawInsert.rowsPerTag)
      .map(([table, n]) => `${table} ${n.toFixed(2)}`)
      .join(", ");
    rows.push([
      "raw server-side insert (generate_series)",
      `${one(rawInsert.tagsPerSec)} tags/s`,
      `${int(rawInsert.rowsPerSec)} rows/s; PostgreSQL ${rawInsert.pgCpuMsPerTag === undefined ? "–" : rawInsert.pgCpuMsPerTag.toFixed(2)} ms CPU per tag; median of ${rawInsert.rounds} × ${int(rawInsert.tagsPerRound)} tags, one transaction each; rows per tag: ${mix}`,
    ]);
  }
  if (baseline) {
    rows.push([
      "per-tag baseline (one tag per transaction)",
      `${one(baseline.tagsPerSec)} tags/s`,
      `sample of ${int(baseline.sampleTags)} tags of the ${int(baseline.size)}-tag registry in ${secs(baseline.sampleMs)}, ${one(baseline.queriesPerTag)} queries per tag; extrapolated to all ${int(baseline.size)}: ${secs(baseline.extrapolatedMs)}`,
    ]);
  }
  return table(["limit", "rate", "how"], rows);
}

function nodeOptionsText(result: BenchResult): string {
  const env = result.settings.deploymentEnv;
  return env === undefined ? "" : `, \`${env}\` from the Dockerfile`;
}

/** The live phases (bench/io/live-bench.ts) of the run; bench/results/live.md has the rest. */
function liveSection(result: BenchResult): string {
  const live = result.live;
  if (!live) return "";
  const s = live.settings;
  return [
    "## Beside a live workload",
    "",
    `The application workload (\`npm run workload\`, ${s.rate} operations/s) alone and beside \`backfill run\` on a ` +
      `${s.tags.toLocaleString("en-US")}-tag registry, with the default throttling and with throttling off ` +
      "(the same code as `npm run bench:live`; what the throttle saw and the notes: [live.md](live.md)).",
    "",
    topologyLine(live),
    "",
    ratiosTable(live),
    "",
    phasesTable(live),
    "",
    backfillTable(live),
    "",
  ].join("\n");
}

/** The summary of a run for the README: the verdicts and the end-to-end numbers. */
export function renderReadmeSection(result: BenchResult): string {
  return [
    `Latest \`npm run bench\` (${result.finishedAt.slice(0, 10)}, ${result.machine.cpus} cores, load average ${loads(result.machine.loadAvgStart)} at start; ` +
      `default settings: batch size ${result.settings.batchSize}, concurrency ${result.settings.concurrency}${nodeOptionsText(result)}). ` +
      "Details, limits and notes: [bench/results/latest.md](bench/results/latest.md); throughput over time: " +
      "[bench/results/throughput.svg](bench/results/throughput.svg); bottlenecks: [bench/results/profile.md](bench/results/profile.md).",
    "",
    targetsTable(result.targets),
    "",
    passesTable(result.passes),
    ...(result.scaleOut && result.scaleOut.length > 0
      ? ["", "Scale-out (`--workers`):", "", scaleOutTable(result.scaleOut)]
      : []),
  ].join("\n");
}

export function renderReport(result: BenchResult): string {
  const m = result.machine;
  return [
    "# Benchmark: latest run",
    "",
    `\`${result.command}\`, ${result.startedAt} → ${result.finishedAt}` +
      (result.revision === undefined ? "." : `, revision ${result.revision}.`),
    "",
    `Machine: ${m.cpus} × ${m.cpuModel}, ${one(m.totalMemBytes / MB / 1024)} GB, Node ${m.node}, ${m.postgres}. ` +
      `Load average (1/5/15 min) ${loads(m.loadAvgStart)} at the start, ${loads(m.loadAvgEnd)} at the end: ` +
      "the machine is shared with other sessions, so absolute rates move with their load; the targets are ratios " +
      "measured in the same run.",
    "",
    "## Targets",
    "",
    targetsTable(result.targets),
    "",
    "## End to end",
    "",
    `\`backfill run\` (the compiled CLI, as the Dockerfile runs it) as a child process with the default deployment settings (batch size ${result.settings.batchSize}, ` +
      `concurrency ${result.settings.concurrency}${nodeOptionsText(result)}), each pass on a fresh copy of the seeded database and its own Redis prefix. ` +
      "tags/s = candidate tags / the run's own duration (run.completed); batch times from the batch.completed lines; " +
      "peak RSS = the child's VmHWM (worker threads share it).",
    "",
    passesTable(result.passes),
    "",
    stagesTable(result.passes),
    "",
    "![tags per second over the run](throughput.svg)",
    "",
    ...(result.scaleOut && result.scaleOut.length > 0
      ? ["## Scale-out", "", SCALE_OUT_TEXT, "", scaleOutTable(result.scaleOut), ""]
      : []),
    ...(result.live ? [liveSection(result)] : []),
    "## Limits measured in the same run",
    "",
    limitsTable(result),
    "",
    ...(result.notes.length > 0 ? ["## Notes", "", ...result.notes.map((n) => `- ${n}`), ""] : []),
  ].join("\n");
}

export const README_START = "<!-- bench:start -->";
export const README_END = "<!-- bench:end -->";

/**
 * The README with its performance section replaced by `section`, between the markers; without markers,
 * a `## Performance` section holding them is appended at the end. Nothing else changes.
 */
export function replaceReadmeSection(readme: string, section: string): string {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  const block = `${README_START}\n${section.trimEnd()}\n${README_END}`;
  if (start >= 0 && end > start) {
    return readme.slice(0, start) + block + readme.slice(end + README_END.length);
  }
  const base = readme.endsWith("\n") ? readme : `${readme}\n`;
  return `${base}\n## Performance\n\n${block}\n`;
}
