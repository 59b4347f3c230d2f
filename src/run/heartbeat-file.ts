import { readFile, rename, writeFile } from "node:fs/promises";

/**
 * What a worker writes at each heartbeat whose checks passed (src/run/worker-liveness.ts): a fresh file
 * proves that, within its age, the event loop ran the heartbeat timer, PostgreSQL and Redis answered, and
 * every queue consumer was running.
 */
export interface HeartbeatRecord {
  /** ISO time of the beat. */
  at: string;
  actor: string;
  /** Until the next beat; a file older than three of them is stale unless `--max-age` says otherwise. */
  intervalMs: number;
  held: number;
}

/** Replaces the file in one step (write beside it, then rename), so a reader never sees half a record. */
export async function writeHeartbeatFile(path: string, record: HeartbeatRecord): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(record)}\n`);
  await rename(temporary, path);
}

export type HeartbeatReading =
  { kind: "missing" } | { kind: "unreadable"; reason: string } | { kind: "read"; record: HeartbeatRecord };

export async function readHeartbeatFile(path: string): Promise<HeartbeatReading> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { kind: "missing" };
    return { kind: "unreadable", reason: (err as Error).message };
  }
  try {
    const value = JSON.parse(text) as Partial<HeartbeatRecord>;
    if (typeof value.at !== "string" || Number.isNaN(Date.parse(value.at))) throw new Error("no time");
    if (typeof value.intervalMs !== "number" || value.intervalMs <= 0) throw new Error("no interval");
    return {
      kind: "read",
      record: {
        at: value.at,
        actor: String(value.actor),
        intervalMs: value.intervalMs,
        held: Number(value.held),
      },
    };
  } catch {
    return { kind: "unreadable", reason: "not a heartbeat record" };
  }
}

/** How many heartbeat intervals a worker may miss before it counts as stale (the dashboard's "lost"). */
export const STALE_AFTER_INTERVALS = 3;

export interface HeartbeatVerdict {
  healthy: boolean;
  line: string;
}

/** Fresh or not: younger than `maxAgeS` (by default three of the interval the worker wrote). */
export function judgeHeartbeat(
  path: string,
  reading: HeartbeatReading,
  now: Date,
  maxAgeS: number | undefined,
): HeartbeatVerdict {
  if (reading.kind === "missing") {
    return {
      healthy: false,
      line: `unhealthy: no heartbeat file at ${path} (no worker has passed its checks)`,
    };
  }
  if (reading.kind === "unreadable") {
    return { healthy: false, line: `unhealthy: heartbeat file ${path} cannot be read: ${reading.reason}` };
  }
  const { record } = reading;
  const limitS = maxAgeS ?? (STALE_AFTER_INTERVALS * record.intervalMs) / 1000;
  const ageS = Math.max(0, (now.getTime() - Date.parse(record.at)) / 1000);
  const age = `${ageS.toFixed(1)} s old (limit ${String(limitS)} s)`;
  if (ageS > limitS) {
    return { healthy: false, line: `unhealthy: stale heartbeat of ${record.actor}, ${age}` };
  }
  return {
    healthy: true,
    line: `healthy: heartbeat of ${record.actor} ${age}, ${String(record.held)} batches held`,
  };
}
