/**
 * The leases this process holds right now, so a shutdown past its deadline can hand them back at once
 * instead of leaving them to expire.
 */
export class LeaseRegistry {
  readonly #held = new Map<string, string>();

  add(batchId: string, leaseToken: string): void {
    this.#held.set(batchId, leaseToken);
  }

  delete(batchId: string): void {
    this.#held.delete(batchId);
  }

  entries(): [batchId: string, leaseToken: string][] {
    return [...this.#held.entries()];
  }

  get size(): number {
    return this.#held.size;
  }
}
