import { getHeapStatistics } from "node:v8";

const MB = 1024 * 1024;
/**
 * V8's default maximum semi-space on 64-bit Node, whatever the old-space limit: 16 MB on Node 20, 64 MB on
 * Node 24 (measured: heap_size_limit 176 MB and 320 MB with --max-old-space-size=128).
 */
export function defaultSemiSpaceMb(nodeVersion: string = process.versions.node): number {
  return Number(nodeVersion.split(".")[0]) >= 24 ? 64 : 16;
}

/**
 * What a process needs for `tagsInFlight` tags held at once (batch size × concurrency). Measured on
 * 20,000 seeded tags with --trace-gc: the live heap after a major GC stays under ~80 MB with 1,000 tags
 * in flight and ~170 MB with 4,000, so live ≈ 48 MB + 32 KB per tag. A batch's data lives until its
 * write, so it ends up in the old generation: that is the part the check compares.
 */
export function heapRequirement(tagsInFlight: number): {
  liveMb: number;
  /** Old-generation limit below which the run spends its time in full collections, then crashes. */
  oldSpaceNeededMb: number;
  /** What to suggest: half the live set again, in steps of 32 MB. */
  oldSpaceMb: number;
} {
  const liveMb = 48 + tagsInFlight / 32;
  return {
    liveMb,
    // Room for a quarter of the live set as garbage between major GCs.
    oldSpaceNeededMb: Math.ceil(liveMb * 1.25),
    oldSpaceMb: Math.ceil((liveMb * 1.5) / 32) * 32,
  };
}

/**
 * The young generation's share of V8's heap_size_limit, in MB: three semi-spaces (two plus the new
 * large-object space), from the last --max-semi-space-size among `flags` (NODE_OPTIONS first, then the
 * command line, which wins), else V8's default.
 */
export function youngGenerationMb(flags: readonly string[]): number {
  let semiMb = defaultSemiSpaceMb();
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i] ?? "";
    const match = /^--max[-_]semi[-_]space[-_]size(?:=(.*))?$/.exec(flag);
    if (match === null) continue;
    const value = Number(match[1] ?? flags[i + 1]);
    if (Number.isFinite(value) && value > 0) semiMb = value;
  }
  return 3 * semiMb;
}

/** The V8 flags this process started with: NODE_OPTIONS, then its own command line. */
function currentFlags(): string[] {
  return [...(process.env.NODE_OPTIONS ?? "").split(/\s+/).filter(Boolean), ...process.execArgv];
}

/**
 * The message a command stops with when this process's old-generation limit (NODE_OPTIONS=
 * --max-old-space-size, as the Dockerfile sets it) is too small for its batch size × concurrency, or
 * undefined when it is large enough. Checked before connecting to anything: a heap that is too small fails
 * late, as an out-of-memory crash in the middle of a batch, after repeated full collections.
 */
export function heapLimitProblem(
  batchSize: number,
  concurrency: number,
  heapSizeLimitBytes = getHeapStatistics().heap_size_limit,
  youngMb = youngGenerationMb(currentFlags()),
): string | undefined {
  const tagsInFlight = batchSize * concurrency;
  const need = heapRequirement(tagsInFlight);
  const oldMb = Math.floor(heapSizeLimitBytes / MB) - youngMb;
  if (oldMb >= need.oldSpaceNeededMb) return undefined;
  return (
    `batch size ${batchSize} × concurrency ${concurrency} = ${tagsInFlight.toLocaleString("en-US")} tags in ` +
    `flight need about ${need.oldSpaceNeededMb} MB of old-generation heap, but this node process may use ` +
    `${oldMb} MB: start it with NODE_OPTIONS=--max-old-space-size=${need.oldSpaceMb} (or lower the batch ` +
    `size or concurrency)`
  );
}

/**
 * The largest batch size heapLimitProblem accepts at `concurrency` in this process (0 when not even one
 * tag fits): the ceiling of the adaptive batch size, so a grown batch never needs more heap than there is.
 */
export function heapSafeBatchSize(
  concurrency: number,
  heapSizeLimitBytes = getHeapStatistics().heap_size_limit,
  youngMb = youngGenerationMb(currentFlags()),
): number {
  const oldMb = Math.floor(heapSizeLimitBytes / MB) - youngMb;
  // ceil(1.25 × (48 + n·c/32)) ≤ oldMb, solved for n; then stepped down past any rounding at the edge.
  let size = Math.max(0, Math.floor(((oldMb / 1.25 - 48) * 32) / Math.max(1, concurrency)));
  while (size > 0 && heapLimitProblem(size, concurrency, heapSizeLimitBytes, youngMb) !== undefined) size--;
  return size;
}
