import { Redis } from "ioredis";
import { testRedisPrefix } from "./test-names.js";

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

export interface TestRedis {
  /** A queue prefix of this test's own: BullMQ keys live under `<prefix>:…`. */
  readonly prefix: string;
  readonly url: string;
  readonly redis: Redis;
  /** Deletes every key under the prefix and closes the connection. */
  cleanup(): Promise<void>;
}

export async function createTestRedis(label: string): Promise<TestRedis> {
  const prefix = testRedisPrefix(label);
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
  } catch (err) {
    redis.disconnect();
    throw new Error(`Redis is not reachable at ${TEST_REDIS_URL}: run 'bash scripts/services.sh' first`, {
      cause: err,
    });
  }
  return {
    prefix,
    url: TEST_REDIS_URL,
    redis,
    async cleanup() {
      let cursor = "0";
      do {
        const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
        cursor = next;
        if (keys.length) await redis.del(...keys);
      } while (cursor !== "0");
      await redis.quit();
    },
  };
}
