import type { Readable } from "node:stream";
import { LogFollower } from "./log-follower.js";
import { readStreamLines } from "./stream-lines.js";

export interface DashboardInput {
  /** Files and directories (their `*.log`); none, or `-`, reads stdin. */
  paths: readonly string[];
  /** How often followed files are looked at again. */
  pollMs: number;
  stdin: Readable;
  onLine: (text: string) => void;
  /** A path that cannot be read, said once per path and cause. */
  onProblem: (message: string) => void;
}

export interface OpenInput {
  stop: () => Promise<void>;
}

function readsStdin(paths: readonly string[]): boolean {
  return paths.length === 0 || (paths.length === 1 && paths[0] === "-");
}

/** Reads the input to its end now (stdin until it closes; files as they are, last partial line too). */
export async function readInputOnce(input: DashboardInput): Promise<void> {
  if (readsStdin(input.paths)) {
    await readStreamLines(input.stdin, input.onLine);
    return;
  }
  const follower = new LogFollower(input.paths, input.onLine, input.onProblem);
  await follower.readOnce();
  follower.flush();
}

/**
 * Reads what the input holds and keeps following it: files are polled for growth, truncation and
 * rotation; stdin is read as it comes until it closes.
 */
export async function followInput(input: DashboardInput): Promise<OpenInput> {
  if (readsStdin(input.paths)) {
    const done = readStreamLines(input.stdin, input.onLine).catch((err: unknown) =>
      input.onProblem(`stdin: ${err instanceof Error ? err.message : String(err)}`),
    );
    return {
      stop: async () => {
        input.stdin.destroy();
        await done;
      },
    };
  }
  const follower = new LogFollower(input.paths, input.onLine, input.onProblem);
  await follower.follow(input.pollMs);
  return { stop: () => follower.stop() };
}
