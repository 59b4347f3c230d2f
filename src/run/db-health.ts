import type { Logger } from "../log.js";
import { errorMessage } from "./errors.js";
import { logEvent } from "./log-event.js";

/**
 * The process's view of PostgreSQL: while it is unreachable, jobs are put back with a delay that doubles
 * up to a cap (spending none of their attempts), and the outage is logged once at its start and once at
 * its end.
 */
export class DbHealth {
  #downSince: number | undefined;
  #failures = 0;

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
    this.#failures++;
    const delay = Math.min(this.baseDelayMs * 2 ** Math.min(this.#failures - 1, 10), this.maxDelayMs);
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
    this.#failures = 0;
  }

  get down(): boolean {
    return this.#downSince !== undefined;
  }
}
