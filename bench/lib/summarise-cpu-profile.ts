/** The parts of a V8 `.cpuprofile` (node --cpu-prof) this summary reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface FunctionSelfTime {
  /** `name (file:line)`, the file relative to the repository where it is inside it. */
  function: string;
  selfMs: number;
  /** Share of the busy time (every sample but `(idle)`). */
  selfPct: number;
}

export interface CpuProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  top: FunctionSelfTime[];
  /** Self time by file (or `(native)`/`(garbage collector)`…), for the coarse picture. */
  byFile: FunctionSelfTime[];
}

function shortUrl(url: string, root: string): string {
  const plain = url.replace(/^file:\/\//, "");
  if (root !== "" && plain.startsWith(root)) return plain.slice(root.length).replace(/^\//, "");
  const nm = plain.lastIndexOf("node_modules/");
  return nm >= 0 ? plain.slice(nm) : plain;
}

/**
 * Self time per function: each sample is charged the time until the next sample (the last one nothing),
 * aggregated over every node with the same name, file and line, whatever the call path.
 */
export function summariseCpuProfile(profile: CpuProfile, root = "", top = 25): CpuProfileSummary {
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (deltas[i + 1] ?? 0));
  }
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let idleUs = 0;
  let totalUs = 0;
  for (const node of profile.nodes) {
    const us = selfUs.get(node.id) ?? 0;
    if (us === 0) continue;
    totalUs += us;
    const frame = node.callFrame;
    if (frame.functionName === "(idle)") {
      idleUs += us;
      continue;
    }
    const file = frame.url === "" ? "(native)" : shortUrl(frame.url, root);
    const name = `${frame.functionName || "(anonymous)"}${frame.url === "" ? "" : ` (${file}:${frame.lineNumber + 1})`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    const fileKey = frame.url === "" ? frame.functionName || "(native)" : file;
    byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + us);
  }
  const busyUs = totalUs - idleUs;
  const rank = (map: Map<string, number>, n: number): FunctionSelfTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([fn, us]) => ({
        function: fn,
        selfMs: us / 1000,
        selfPct: busyUs > 0 ? (100 * us) / busyUs : 0,
      }));
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    busyMs: busyUs / 1000,
    top: rank(byFunction, top),
    byFile: rank(byFile, top),
  };
}
