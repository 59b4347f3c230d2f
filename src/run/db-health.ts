import type { Logger } from "../log.js";
import { errorMessage } from "../error-message.js";
import { logEvent } from "../log-events/log-event.js";

/**
 * The process's view of PostgreSQL: while it is unreachable, jobs are put back with a delay (spending none
 * of their attempts), and the outage is logged once at its start and once at its end. The delay is about
 * as long as the outage has lasted so far (at least the base, at most the cap): a job that comes back and
 * fails again waits about twice as long, which is exponential backoff per job; counting failures instead
 * would let a busy worker's many jobs push the delay to the cap within seconds, so a short outage would
 * idle the run for the cap's length after it ended.
 */
export class DbHealth {
  #downSince: number | undefined;

  constructor(
    private readonly logger: Logger,
    private readonly baseDelayMs = 1000,
    private readonly maxDelayMs = 30_000,
  ) {}

  /** Records a failure to reach the database; returns how long to wait before the job comes back. */
  markDown(err: unknown): number {
    if (this.#downSince === undefined) {
      this.#downSince = Date.now();
      logEvent(
        this.logger,
        "warn",
        "db.unavailable",
        { err: errorMessage(err) },
        "PostgreSQL unavailable; waiting",
      );
    }
    const downMs = Date.now() - this.#downSince;
    const delay = Math.min(Math.max(this.baseDelayMs, downMs), this.maxDelayMs);
    return Math.floor(delay * (0.75 + Math.random() * 0.5));
  }

  markUp(): void {
    if (this.#downSince === undefined) return;
    logEvent(
      this.logger,
      "info",
      "db.recovered",
      { downMs: Date.now() - this.#downSince },
      "PostgreSQL is back",
    );
    this.#downSince = undefined;
  }

  get down(): boolean {
    return this.#downSince !== undefined;
  }
}
