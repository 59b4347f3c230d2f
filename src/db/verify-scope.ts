import { sql, type Kysely, type RawBuilder } from "kysely";
import { parseRepositoryRef } from "../repository-ref.js";
import type { Database } from "./tables.js";

/** Which repositories verify looks at: all, one (`ns/repo`), or one namespace's. Ids, resolved once. */
export interface VerifyScope {
  repositoryId?: number;
  namespaceUserId?: number;
}

export type ScopeLookup = { found: true; scope: VerifyScope } | { found: false; missing: string };

/** Resolves `--repository ns/repo` and `--namespace N` to ids; a name that matches nothing is a value. */
export async function resolveVerifyScope(
  db: Kysely<Database>,
  filters: { repository?: string; namespace?: string },
): Promise<ScopeLookup> {
  const scope: VerifyScope = {};
  if (filters.namespace !== undefined) {
    const user = await db
      .selectFrom("user")
      .select("id")
      .where("username", "=", filters.namespace)
      .executeTakeFirst();
    if (!user) return { found: false, missing: `namespace ${filters.namespace}` };
    scope.namespaceUserId = user.id;
  }
  if (filters.repository !== undefined) {
    const { namespace, name } = parseRepositoryRef(filters.repository);
    const repository = await db
      .selectFrom("repository")
      .innerJoin("user", "user.id", "repository.namespace_user_id")
      .select("repository.id")
      .where("user.username", "=", namespace)
      .where("repository.name", "=", name)
      .executeTakeFirst();
    if (!repository) return { found: false, missing: `repository ${filters.repository}` };
    scope.repositoryId = repository.id;
  }
  return { found: true, scope };
}

/** `AND <column> …` restricting a repository id column to the scope; empty for the whole registry. */
export function scopeCondition(column: RawBuilder<unknown>, scope: VerifyScope): RawBuilder<unknown> {
  const parts: RawBuilder<unknown>[] = [];
  if (scope.repositoryId !== undefined) parts.push(sql`AND ${column} = ${scope.repositoryId}`);
  if (scope.namespaceUserId !== undefined) {
    parts.push(
      sql`AND ${column} IN (SELECT id FROM repository WHERE namespace_user_id = ${scope.namespaceUserId})`,
    );
  }
  return parts.length === 0 ? sql`` : sql.join(parts, sql` `);
}
