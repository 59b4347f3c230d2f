import type { RedisOptions } from "bullmq";

/**
 * Connection options for every Queue and Worker: BullMQ workers need maxRetriesPerRequest null (a blocking
 * command must outlive a reconnect), and a Redis outage is waited out with a capped backoff, not fatal.
 */
export function redisConnection(url: string): RedisOptions {
  return {
    url,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    retryStrategy: (times: number) => Math.min(250 * 2 ** Math.min(times, 7), 15_000),
  };
}
