import type { RedisOptions } from "bullmq";

/**
 * Connection options for every Queue and Worker: BullMQ workers need maxRetriesPerRequest null (a blocking
 * command must outlive a reconnect), and a Redis outage is waited out with a capped backoff, not fatal.
 */
export function redisConnection(
  url: string,
  options: {
    failFast?: boolean;
    /**
     * Once true, a lost connection is not retried (ioredis ends it): a close that waits for Redis, and the
     * process, can then end during an outage.
     */
    stopRetrying?: () => boolean;
  } = {},
): RedisOptions {
  if (options.failFast) {
    // One-shot commands (resume, status): an unreachable Redis is an answer, not something to wait out.
    return {
      url,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      retryStrategy: () => null,
      connectTimeout: 3000,
    };
  }
  return {
    url,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) =>
      options.stopRetrying?.() === true ? null : Math.min(250 * 2 ** Math.min(times, 7), 15_000),
  };
}
