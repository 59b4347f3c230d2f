import pg from "pg";
import { Redis } from "ioredis";
import { ADMIN_URL } from "./test-database.js";
import { TEST_REDIS_URL } from "./test-redis.js";
import { TEST_NAME_PREFIX } from "./test-names.js";

/**
 * Run by `scripts/test.sh` after the tests: drops every database (templates included) and role, and deletes every
 * Redis key whose name starts with this run's TEST_NAME_PREFIX. Tests drop their own databases, so what
 * is left is normally the template plus whatever a killed test left behind.
 */
async function dropDatabases(prefix: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const res = await client.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1",
      [`${prefix}_`],
    );
    for (const { datname } of res.rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname.replace(/"/g, '""')}" WITH (FORCE)`);
    }
    return res.rows.length;
  } finally {
    await client.end();
  }
}

/** Roles a test created and did not drop (killed); after the databases, which held their privileges. */
async function dropRoles(prefix: string): Promise<number> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    const res = await client.query<{ rolname: string }>(
      "SELECT rolname FROM pg_roles WHERE left(rolname, length($1)) = $1",
      [`${prefix}_`],
    );
    for (const { rolname } of res.rows) {
      await client.query(`DROP ROLE IF EXISTS "${rolname.replace(/"/g, '""')}"`);
    }
    return res.rows.length;
  } finally {
    await client.end();
  }
}

async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1, lazyConnect: true });
  await redis.connect();
  let deleted = 0;
  try {
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}-*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== "0");
  } finally {
    redis.disconnect();
  }
  return deleted;
}

const databases = await dropDatabases(TEST_NAME_PREFIX);
const roles = await dropRoles(TEST_NAME_PREFIX);
const keys = await deleteRedisKeys(TEST_NAME_PREFIX);
process.stderr.write(
  `test cleanup: dropped ${databases} database(s), ${roles} role(s) and ${keys} Redis key(s) named ${TEST_NAME_PREFIX}_…/${TEST_NAME_PREFIX}-…\n`,
);
