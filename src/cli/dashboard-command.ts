import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { DashboardState, exportPage, startDashboardServer } from "../dashboard-server/dashboard-server.js";
import { followInput, readInputOnce, type DashboardInput } from "../dashboard-server/dashboard-input.js";
import { action, EXIT, intOption } from "./command-runner.js";

interface DashboardOptions {
  port: number;
  host: string;
  out?: string;
  pollMs: number;
}

/** `backfill dashboard [FILE|DIR|-]... [--port N] [--out FILE]`. */
export function registerDashboardCommand(program: Command): void {
  program
    .command("dashboard [paths...]")
    .description(
      "Serve a live page of what the log lines say (progress and ETA per run, tags per second, batch times, " +
        "outcomes by reason, retries, errors, throttling, workers) and /metrics in Prometheus text. Reads " +
        "files, every *.log of a directory, or stdin (none or -), and follows files as they grow.",
    )
    .option("--port <n>", "local port (0: any free one)", intOption("--port", 0, 65535), 9464)
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option(
      "--out <file>",
      "write the page as one self-contained HTML file of the logs as they are, and exit",
    )
    .option(
      "--poll-ms <n>",
      "how often followed files are read again",
      intOption("--poll-ms", 50, 60_000),
      1000,
    )
    .action(action((paths: string[], opts: DashboardOptions) => dashboardCommand(paths, opts)));
}

async function dashboardCommand(paths: string[], opts: DashboardOptions): Promise<number> {
  const state = new DashboardState();
  let problems = 0;
  const input: DashboardInput = {
    paths,
    pollMs: opts.pollMs,
    stdin: process.stdin,
    onLine: state.add,
    onProblem: (message) => {
      problems++;
      process.stderr.write(`backfill: dashboard: cannot read ${message}\n`);
    },
  };
  if (opts.out !== undefined) {
    await readInputOnce(input);
    // A report of half the input would pass for the whole: no file then.
    if (problems > 0) return EXIT.failed;
    writeFileSync(opts.out, exportPage(state));
    const { read, used } = state.aggregator.model(Date.now()).lines;
    process.stdout.write(`wrote ${opts.out} (${read} lines read, ${used} used)\n`);
    return EXIT.ok;
  }
  const reading = await followInput(input);
  const server = await startDashboardServer(state, opts.host, opts.port);
  process.stdout.write(`dashboard: ${server.url} (Prometheus text at ${server.url}metrics)\n`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
  await server.close();
  await reading.stop();
  return EXIT.ok;
}
