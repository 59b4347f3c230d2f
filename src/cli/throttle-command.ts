import type { Command } from "commander";
import { UsageError } from "../errors.js";
import { getRun } from "../db/run-get.js";
import { setThrottleSwitch } from "../db/throttle-switch.js";
import { logEvent } from "../log-events/log-event.js";
import { operatorActor } from "../run/run-audit.js";
import { openRuntime } from "../runtime/command-runtime.js";
import { action, EXIT } from "./command-runner.js";
import { parseRunId } from "./run-id.js";

interface ThrottleOptions {
  all?: boolean;
  reason?: string;
}

/** `backfill throttle RUN|--all on|off [--reason TEXT]`. */
export function registerThrottleCommand(program: Command): void {
  program
    .command("throttle [args...]")
    .usage("RUN|--all on|off [--reason TEXT]")
    .description(
      "Hold a run (or, with --all, every run) back by hand: no worker claims another of its batches until " +
        "the switch is off (the ones in flight finish). State lives in PostgreSQL; `backfill status` shows " +
        "the reason and the throttled time.",
    )
    .option("--all", "the global switch, for every run")
    .option("--reason <text>", "why, shown by `backfill status` and logged")
    .action(action((args: string[], opts: ThrottleOptions) => throttleCommand(args, opts)));
}

async function throttleCommand(args: readonly string[], opts: ThrottleOptions): Promise<number> {
  const { runId, on } = parseArgs(args, opts.all === true);
  const rt = openRuntime();
  try {
    const db = rt.database({ max: 1, logged: true });
    if (runId !== null && !(await getRun(db, runId))) {
      throw new UsageError(`no run with id '${runId}': \`backfill status\` lists them`);
    }
    const actor = operatorActor();
    const wasOn = await setThrottleSwitch(db, { runId, on, actor, reason: opts.reason });
    logEvent(
      rt.logger,
      "info",
      "throttle.switched",
      { ...(runId !== null ? { runId } : {}), on, actor, ...(opts.reason ? { reason: opts.reason } : {}) },
      on ? "throttle switched on" : "throttle switched off",
    );
    const scope = runId === null ? "all runs" : `run ${runId}`;
    const change =
      on === wasOn ? `throttle was already ${on ? "on" : "off"}` : `throttle ${on ? "on" : "off"}`;
    const effect = on
      ? "batches in flight finish, no new one is claimed"
      : "workers claim again once no other switch or signal holds them";
    process.stdout.write(`${scope}: ${change}; ${effect}\n`);
    return EXIT.ok;
  } finally {
    await rt.close();
  }
}

function parseArgs(args: readonly string[], all: boolean): { runId: string | null; on: boolean } {
  const expected = all ? 1 : 2;
  if (args.length !== expected) {
    throw new UsageError("usage: backfill throttle RUN|--all on|off [--reason TEXT]");
  }
  const state = args[expected - 1];
  if (state !== "on" && state !== "off") throw new UsageError(`expected on or off, got '${state ?? ""}'`);
  const runId = all ? null : parseRunId("RUN")(args[0] ?? "");
  return { runId, on: state === "on" };
}
