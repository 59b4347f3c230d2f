/** Time past the stop deadline for handing leases back and closing connections before the process goes. */
export const STOP_GRACE_MS = 10_000;
/** How long a forced stop (the second signal) may take to hand its leases back. */
const FORCE_MS = 5_000;

export interface StopSignals {
  /** Stops listening (the command ended on its own). */
  dispose(): void;
}

/**
 * SIGINT/SIGTERM for a long-running command. The first calls `graceful` and arms a watchdog: if the
 * process is still alive `deadlineMs` + STOP_GRACE_MS later (a server that stopped answering holds a
 * close or a query forever), it exits 1 with a line saying so. The second calls `forced` and exits 1
 * once it settled or after FORCE_MS, whatever Redis or PostgreSQL are doing.
 */
export function onStopSignals(setup: {
  deadlineMs: number;
  graceful: (signal: NodeJS.Signals) => void;
  forced: (signal: NodeJS.Signals) => Promise<unknown>;
  /** The lines printed on the first and second signal. */
  say: { first: string; forced: string };
}): StopSignals {
  let signals = 0;
  const exitNow = (line: string) => {
    process.stderr.write(`backfill: ${line}\n`);
    process.exit(1);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    signals++;
    if (signals === 1) {
      process.stderr.write(`\nbackfill: ${signal}: ${setup.say.first}\n`);
      setTimeout(
        () =>
          exitNow(
            `the stop deadline (${Math.round(setup.deadlineMs / 1000)} s) passed and Redis or PostgreSQL still hold the shutdown: exiting now; held batches return when their lease expires`,
          ),
        setup.deadlineMs + STOP_GRACE_MS,
      ).unref();
      setup.graceful(signal);
      return;
    }
    if (signals > 2) return;
    process.stderr.write(`\nbackfill: ${signal} again: ${setup.say.forced}\n`);
    const late = setTimeout(() => exitNow("forced stop: exiting"), FORCE_MS);
    void Promise.resolve()
      .then(() => setup.forced(signal))
      .catch(() => undefined)
      .finally(() => {
        clearTimeout(late);
        process.exit(1);
      });
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    dispose() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
