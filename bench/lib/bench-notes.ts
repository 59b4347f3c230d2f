import type { PassResult } from "./bench-result.js";

/** The report's notes: how the numbers were formed, and what each pass logged as wrong. */
export function benchNotes(passes: readonly PassResult[], reference: number): string[] {
  const notes = [
    `Rate targets use the ${reference.toLocaleString("en-US")}-tag passes; the baseline ran on a copy of the same seeded registry.`,
    "The baseline's rate is extrapolated from its sample (the first unmapped tags by id); it is simplified in its favour " +
      "(no synthesised image rows, labels or outcome ledger; candidates listed once, untimed).",
    "The raw insert writes the seven mapping tables only; a real run also writes `image` rows for rewritten ids and " +
      "`backfill.tag_outcome`, and reads before it writes.",
    "Signing limit: node:crypto `sign` on one thread over the median-sized signed manifest of the run, per second of " +
      "the thread's CPU time (one core's capacity, whatever other sessions take from the machine): a limit, not a target.",
    "PostgreSQL CPU: utime+stime from /proc of every backend serving the pass's database (pg_stat_activity, sampled " +
      "every 0.25 s; pg_stat_statements is not loaded on the bench server and times statements, not CPU); the raw " +
      "insert's is its one backend's, before and after its rounds. Not the sum over every postgres process: the server " +
      "is shared with other sessions. The checkpointer, WAL writer and background writer write for every session, " +
      "so their CPU is shown in the scale-out table as an upper bound and not used by a target.",
    "Each pass's load average (1 min) at its start is in the second table: passes that ran under heavier load are slower.",
  ];
  for (const p of passes) {
    const problems = Object.entries(p.metrics.problems);
    if (problems.length > 0) {
      notes.push(
        `${p.size.toLocaleString("en-US")} ${p.alg}: warnings/errors logged: ${problems.map(([e, n]) => `${e} ×${n}`).join(", ")}.`,
      );
    }
  }
  return notes;
}
