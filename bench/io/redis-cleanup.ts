import { Redis } from "ioredis";

/** Deletes every key under the bench's queue prefix. */
export async function deleteQueuePrefix(redisUrl: string, prefix: string): Promise<number> {
  if (!/^bench-[a-z0-9-]+$/.test(prefix)) throw new Error(`not a bench queue prefix: ${prefix}`);
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2 });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 500);
      cursor = next;
      if (keys.length > 0) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}
