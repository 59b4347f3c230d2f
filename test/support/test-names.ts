import { randomBytes } from "node:crypto";

/**
 * Every database, template, role and Redis key prefix a test creates starts with TEST_NAME_PREFIX, so two
 * users (or two checkouts) on one server never touch each other's, and `scripts/test.sh` (which gives each
 * run a prefix of its own below the user's) drops whatever the run left behind by that prefix alone.
 */
function readPrefix(): string {
  const value = process.env.TEST_NAME_PREFIX ?? "bf_test";
  // Short enough that prefix + label + random suffix stays within PostgreSQL's 63-byte names.
  if (!/^[a-z][a-z0-9_]{0,23}$/.test(value)) {
    throw new Error(
      `TEST_NAME_PREFIX: expected 1-24 lower-case letters, digits or _ starting with a letter, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

export const TEST_NAME_PREFIX = readPrefix();

const suffix = () => randomBytes(4).toString("hex");

/** A new database name: `<prefix>_<label>_<random>`. */
export function testDatabaseName(label: string): string {
  return `${TEST_NAME_PREFIX}_${label.replace(/[^a-z0-9]/g, "_").slice(0, 24)}_${suffix()}`;
}

/** A new database role (roles are the server's, not a database's): `<prefix>_<label>_<random>`. */
export function testRoleName(label: string): string {
  return testDatabaseName(label);
}

/** The migrated template for one state of the migrations. */
export function testTemplateName(migrationsHash: string): string {
  return `${TEST_NAME_PREFIX}_tpl_${migrationsHash}`;
}

/** A new Redis key prefix: `<prefix>-<label>-<random>` (BullMQ forbids ':' in it). */
export function testRedisPrefix(label: string): string {
  return `${TEST_NAME_PREFIX}-${label.replace(/[^a-zA-Z0-9_-]/g, "-")}-${suffix()}`;
}
