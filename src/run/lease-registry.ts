/**
 * The leases this process holds right now, so a shutdown past its deadline can hand them back at once
 * instead of leaving them to expire.
 */
export class LeaseRegistry {
  readonly #held = new Map<string, string>();
  #lastDeletedAt: Date | null = null;

  add(batchId: string, leaseToken: string): void {
    this.#held.set(batchId, leaseToken);
  }

  delete(batchId: string): void {
    if (this.#held.delete(batchId)) this.#lastDeletedAt = new Date();
  }

  /** When this process last let a batch go (finished, failed or handed back): the heartbeat's `lastBatchAt`. */
  get lastDeletedAt(): Date | null {
    return this.#lastDeletedAt;
  }

  entries(): [batchId: string, leaseToken: string][] {
    return [...this.#held.entries()];
  }

  get size(): number {
    return this.#held.size;
  }
}
