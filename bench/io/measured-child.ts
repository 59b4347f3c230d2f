import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";

export interface ChildOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** All of stderr: a `backfill` command's log lines. */
  stderr: string;
  /** The last 4 KB of stderr, for the error message. */
  stderrTail: string;
  wallMs: number;
  /** The highest VmHWM (peak resident set) read from /proc while the child ran. */
  peakRssBytes: number;
}

/** VmHWM, else VmRSS, of a live process in bytes; 0 when it is gone. */
export async function readPeakRss(pid: number): Promise<number> {
  try {
    const status = await readFile(`/proc/${pid}/status`, "utf8");
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(status) ?? /^VmRSS:\s+(\d+) kB/m.exec(status);
    return hwm ? Number(hwm[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs a command to its end, collecting stdout and stderr, and samples the child's peak RSS every `sampleMs`
 * (threads share their process's memory, so the process's figure covers its worker threads).
 */
export async function runMeasured(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sampleMs = 200,
): Promise<ChildOutcome> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const out: Buffer[] = [];
  const errOut: Buffer[] = [];
  child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => errOut.push(chunk));
  let peak = 0;
  const pid = child.pid;
  const timer =
    pid === undefined
      ? undefined
      : setInterval(() => {
          void readPeakRss(pid).then((rss) => {
            peak = Math.max(peak, rss);
          });
        }, sampleMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve([c, s]));
  });
  if (timer) clearInterval(timer);
  return {
    code,
    signal,
    stdout: Buffer.concat(out).toString("utf8"),
    stderr: Buffer.concat(errOut).toString("utf8"),
    stderrTail: Buffer.concat(errOut).toString("utf8").slice(-4096),
    wallMs: performance.now() - started,
    peakRssBytes: peak,
  };
}
