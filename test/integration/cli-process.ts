import { spawn, type ChildProcess } from "node:child_process";
import { REPO_ROOT } from "../support/repo-root.js";

/**
 * The real CLI as a long-lived child (`run`, `worker`): both streams kept (log lines may go to either),
 * a way to wait for a line, and its exit with the time it took from a given moment.
 */
export class CliProcess {
  readonly child: ChildProcess;
  #output = "";
  readonly #exited: Promise<number | null>;

  constructor(args: readonly string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout?.on("data", (c: Buffer) => (this.#output += c.toString()));
    this.child.stderr?.on("data", (c: Buffer) => (this.#output += c.toString()));
    this.#exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** stdout and stderr, interleaved as they arrived. */
  get output(): string {
    return this.#output;
  }

  /** The JSON log lines printed so far, from either stream. */
  lines(): Record<string, unknown>[] {
    return this.#output
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** Resolves when `pattern` appears in the output; rejects after `timeoutMs` or if the process ends first. */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(this.#output)) {
      if (this.child.exitCode !== null)
        throw new Error(`exited (${this.child.exitCode}) before ${String(pattern)}:\n${this.#output}`);
      if (Date.now() > deadline)
        throw new Error(`no ${String(pattern)} within ${timeoutMs} ms:\n${this.#output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The exit code, or "still running" when it has not exited within `timeoutMs` (then it is killed). */
  async exit(timeoutMs: number): Promise<number | null | "still running"> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"still running">((resolve) => {
      timer = setTimeout(() => resolve("still running"), timeoutMs);
    });
    const code = await Promise.race([this.#exited, late]);
    clearTimeout(timer);
    if (code === "still running") await this.kill();
    return code;
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill("SIGKILL");
    await this.#exited;
  }
}
