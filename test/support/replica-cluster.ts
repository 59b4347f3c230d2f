import pg from "pg";
import {
  makeServerRoot,
  postgresBinDir,
  PrivateServer,
  removeServerRoot,
  serverOwner,
} from "../../bench/io/private-postgres.js";

/** The primary's settings: small, unsynced (the data is thrown away), able to stream to a replica. */
const SETTINGS = {
  fsync: "off",
  full_page_writes: "off",
  shared_buffers: "16MB",
  max_connections: "60",
  wal_level: "replica",
  max_wal_senders: "4",
  hot_standby: "on",
};

/**
 * A private PostgreSQL primary with one streaming replica, for tests that need real replication (replay
 * lag): `initdb` into a temporary directory, `pg_basebackup -R` for the replica, each on a free loopback
 * port with its socket in its own directory (bench/io/private-postgres.ts). Nothing is shared with the test
 * server on 5432. Missing binaries or a missing `postgres` OS user (needed when the tests run as root, which
 * initdb and postgres refuse) fail with a message saying what to install; the test is never skipped.
 */
export class ReplicaCluster {
  private constructor(
    private readonly root: string,
    readonly primary: PrivateServer,
    readonly replica: PrivateServer,
  ) {}

  /** Starts both servers and resolves once the replica streams from the primary. */
  static async start(label = "replica"): Promise<ReplicaCluster> {
    const bin = postgresBinDir();
    const owner = serverOwner();
    const root = makeServerRoot(label, owner);
    let primary: PrivateServer | undefined;
    let replica: PrivateServer | undefined;
    try {
      primary = await PrivateServer.init(bin, owner, `${root}/primary`, { settings: SETTINGS });
      replica = await PrivateServer.cloneOf(primary, `${root}/replica`);
      const cluster = new ReplicaCluster(root, primary, replica);
      await cluster.waitStreaming();
      return cluster;
    } catch (err) {
      await replica?.stop();
      await primary?.stop();
      removeServerRoot(root);
      throw err;
    }
  }

  /** A connection string to a database of the primary (or the replica). */
  url(database = "postgres", server: PrivateServer = this.primary): string {
    return server.url(database);
  }

  /** Runs one statement on a server as its superuser and returns the rows. */
  async query<R extends object>(
    server: PrivateServer,
    text: string,
    values: unknown[] = [],
    database = "postgres",
  ): Promise<R[]> {
    const client = new pg.Client({ connectionString: this.url(database, server) });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** Polls until the primary reports the replica as streaming. */
  async waitStreaming(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = await this.query<{ state: string }>(this.primary, "SELECT state FROM pg_stat_replication");
      if (rows.some((r) => r.state === "streaming")) return;
      if (Date.now() > deadline) {
        throw new Error(`the replica did not stream within ${timeoutMs} ms:\n${this.replica.output()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the replica, then the primary, and removes their directories. */
  async stop(): Promise<void> {
    await this.replica.stop();
    await this.primary.stop();
    removeServerRoot(this.root);
  }
}
