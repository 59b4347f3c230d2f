import pg from "pg";

/** The server the bench works on: DATABASE_URL's, the same default as the project's config. */
export function adminUrl(): string {
  return process.env.DATABASE_URL ?? "postgres://root@127.0.0.1:5432/test";
}

export function databaseUrl(admin: string, name: string): string {
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

function checkedName(name: string): string {
  if (!/^bench_[a-z0-9_]+$/.test(name)) throw new Error(`not a bench scratch database name: ${name}`);
  return name;
}

async function withAdmin<T>(admin: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: admin, application_name: "backfill-bench" });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates (after dropping) a scratch database, empty or as a copy of `template`. */
export async function createDatabase(admin: string, name: string, template?: string): Promise<string> {
  await withAdmin(admin, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${checkedName(name)}" WITH (FORCE)`);
    await client.query(
      template === undefined
        ? `CREATE DATABASE "${name}"`
        : `CREATE DATABASE "${name}" TEMPLATE "${checkedName(template)}"`,
    );
  });
  return databaseUrl(admin, name);
}

export async function dropDatabase(admin: string, name: string): Promise<void> {
  await withAdmin(admin, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${checkedName(name)}" WITH (FORCE)`);
  });
}

export async function serverVersion(admin: string): Promise<string> {
  return withAdmin(admin, async (client) => {
    const result = await client.query<{ v: string }>("SELECT split_part(version(), ' on ', 1) AS v");
    return result.rows[0]?.v ?? "PostgreSQL";
  });
}
