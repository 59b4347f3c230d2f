/** What BullMQ's Queue and Worker both offer: a graceful close, and a disconnect without the goodbye. */
export interface Closable {
  close(): Promise<void>;
  disconnect(): Promise<void>;
}

/**
 * Closes every one gracefully, but gives up after `timeoutMs` and disconnects them instead. A graceful
 * close waits for Redis to answer (and a Worker's for its current jobs to be acknowledged, which needs
 * Redis too); during an outage that is forever, and a stop signal must still end the process. Resolves
 * with whether the close was clean.
 */
export async function closeWithin(closables: readonly Closable[], timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = Promise.allSettled(closables.map((c) => c.close())).then(() => true);
  const gaveUp = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const clean = await Promise.race([closed, gaveUp]);
  clearTimeout(timer);
  // Not awaited: with the server gone a disconnect stops the reconnect timers at once but never hears the
  // 'end' it waits for.
  if (!clean) void Promise.allSettled(closables.map((c) => c.disconnect()));
  return clean;
}
