import { getHeapStatistics } from "node:v8";

const MB = 1024 * 1024;

/**
 * What a process needs for `tagsInFlight` tags held at once (batch size × concurrency). Measured on
 * 20,000 seeded tags with --trace-gc: the live heap after a major GC stays under ~80 MB with 1,000 tags
 * in flight and ~170 MB with 4,000, so live ≈ 48 MB + 32 KB per tag. The limit V8 reports
 * (heap_size_limit) also holds the young generation, 48 MB at Node's default semi-space size.
 */
export function heapRequirement(tagsInFlight: number): {
  liveMb: number;
  limitMb: number;
  oldSpaceMb: number;
} {
  const liveMb = 48 + tagsInFlight / 32;
  return {
    liveMb,
    // Room for a quarter of the live set as garbage between major GCs, plus the young generation.
    limitMb: Math.ceil(liveMb * 1.25 + 48),
    // What to suggest: half the live set again, in steps of 32 MB.
    oldSpaceMb: Math.ceil((liveMb * 1.5) / 32) * 32,
  };
}

/**
 * The message a command stops with when this process's heap limit (NODE_OPTIONS=--max-old-space-size,
 * as the Dockerfile sets it) is too small for its batch size × concurrency, or undefined when it is
 * large enough. Checked before connecting to anything: a heap that is too small fails late, as an
 * out-of-memory crash in the middle of a batch, after repeated full collections.
 */
export function heapLimitProblem(
  batchSize: number,
  concurrency: number,
  heapSizeLimitBytes = getHeapStatistics().heap_size_limit,
): string | undefined {
  const tagsInFlight = batchSize * concurrency;
  const need = heapRequirement(tagsInFlight);
  const haveMb = Math.floor(heapSizeLimitBytes / MB);
  if (haveMb >= need.limitMb) return undefined;
  return (
    `batch size ${batchSize} × concurrency ${concurrency} = ${tagsInFlight.toLocaleString("en-US")} tags in ` +
    `flight need about ${need.limitMb} MB of heap, but this node process may use ${haveMb} MB: start it with ` +
    `NODE_OPTIONS=--max-old-space-size=${need.oldSpaceMb} (or lower the batch size or concurrency)`
  );
}
