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

/** A child started by startMeasured: its pid, a way to signal it, and its outcome once it ends. */
export interface MeasuredChild {
  pid: number | undefined;
  kill(signal: NodeJS.Signals): void;
  done: Promise<ChildOutcome>;
}

/**
 * Starts a command, collecting stdout and stderr, and samples the child's peak RSS every `sampleMs`
 * (threads share their process's memory, so the process's figure covers its worker threads).
 */
export function startMeasured(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sampleMs = 200,
): MeasuredChild {
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
  const done = new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (c, s) => resolve([c, s]));
  }).then(([code, signal]): ChildOutcome => {
    if (timer) clearInterval(timer);
    const stderr = Buffer.concat(errOut).toString("utf8");
    return {
      code,
      signal,
      stdout: Buffer.concat(out).toString("utf8"),
      stderr,
      stderrTail: stderr.slice(-4096),
      wallMs: performance.now() - started,
      peakRssBytes: peak,
    };
  });
  return { pid, kill: (signal) => void child.kill(signal), done };
}

/** Runs a command to its end (see startMeasured). */
export async function runMeasured(
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  sampleMs = 200,
): Promise<ChildOutcome> {
  return startMeasured(command, args, env, sampleMs).done;
}
