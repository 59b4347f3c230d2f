import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";

/**
 * A private PostgreSQL server of its own (`initdb` into a temporary directory, a free loopback port, its
 * socket in its data directory), started in the foreground so its starter owns it: the replica tests'
 * primary and replica (test/support/replica-cluster.ts) and `npm run bench:live`'s measured server. When
 * the caller is root (initdb and postgres refuse root) the server runs as the `postgres` OS user.
 */
export class PrivateServer {
  #child: ChildProcess | undefined;
  #output = "";

  private constructor(
    readonly bin: string,
    readonly owner: Owner | undefined,
    readonly dataDir: string,
    readonly port: number,
    private readonly settings: Record<string, string>,
    /** `taskset -c` CPU list the server (and every backend it forks) is pinned to; unpinned when undefined. */
    readonly cpus: string | undefined,
  ) {}

  /** initdb into `dataDir` (its parent must exist and be writable by `owner`) and start the server. */
  static async init(
    bin: string,
    owner: Owner | undefined,
    dataDir: string,
    options: ServerOptions = {},
  ): Promise<PrivateServer> {
    // --no-sync: the data is thrown away afterwards; fsync of the initial files would only cost time.
    await run(bin, owner, "initdb", [
      "-D",
      dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    const server = new PrivateServer(
      bin,
      owner,
      dataDir,
      await freePort(),
      options.settings ?? {},
      options.cpus,
    );
    await server.start();
    return server;
  }

  /** A streaming replica of `primary`: a base backup with its standby configuration written (`-R`). */
  static async cloneOf(
    primary: PrivateServer,
    dataDir: string,
    options: ServerOptions = {},
  ): Promise<PrivateServer> {
    const port = String(primary.port);
    const args = ["-h", "127.0.0.1", "-p", port, "-U", "postgres", "-D", dataDir, "-R", "-X", "stream"];
    await run(primary.bin, primary.owner, "pg_basebackup", [...args, "-c", "fast", "--no-sync"]);
    const settings = options.settings ?? primary.settings;
    const server = new PrivateServer(
      primary.bin,
      primary.owner,
      dataDir,
      await freePort(),
      settings,
      options.cpus,
    );
    await server.start();
    return server;
  }

  /** A connection string to `database` as the server's superuser. */
  url(database = "postgres"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** The server's process id (the postmaster), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** The server's log so far (for failure messages). */
  output(): string {
    return this.#output;
  }

  private async start(): Promise<void> {
    const settings = {
      port: String(this.port),
      listen_addresses: "127.0.0.1",
      unix_socket_directories: this.dataDir,
      ...this.settings,
    };
    const args = ["-D", this.dataDir, ...Object.entries(settings).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
    const [exe, argv] = command(this.bin, this.owner, "postgres", args);
    const pinned: [string, string[]] =
      this.cpus === undefined ? [exe, argv] : ["taskset", ["-c", this.cpus, exe, ...argv]];
    const child = spawn(...pinned, { stdio: ["ignore", "pipe", "pipe"] });
    this.#child = child;
    child.stdout.on("data", (c: Buffer) => (this.#output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (this.#output += c.toString()));
    stopOnExit.add(child);
    child.on("exit", () => stopOnExit.delete(child));
    await this.waitReady(child);
  }

  private async waitReady(child: ChildProcess, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres in ${this.dataDir} exited:\n${this.#output}`);
      const client = new pg.Client({ connectionString: this.url() });
      try {
        await client.connect();
        await client.query("SELECT 1");
        return;
      } catch {
        if (Date.now() > deadline)
          throw new Error(`postgres in ${this.dataDir} did not answer:\n${this.#output}`);
      } finally {
        await client.end().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Fast shutdown (SIGINT); immediate (SIGQUIT) if it has not exited within `timeoutMs`. */
  async stop(timeoutMs = 10_000): Promise<void> {
    const child = this.#child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGINT");
    const timer = setTimeout(() => child.kill("SIGQUIT"), timeoutMs);
    await exited;
    clearTimeout(timer);
    this.#child = undefined;
  }
}

export interface ServerOptions {
  /** `-c` settings on top of port, listen_addresses and unix_socket_directories. */
  settings?: Record<string, string>;
  /** `taskset -c` CPU list, e.g. "0". */
  cpus?: string;
}

/** The OS user the servers run as when the caller is root. */
export interface Owner {
  uid: number;
  gid: number;
}

/**
 * A temporary directory for servers' data directories, owned by the server's user, removed at process
 * exit if the caller has not removed it (removeServerRoot) first.
 */
export function makeServerRoot(label: string, owner: Owner | undefined): string {
  const root = mkdtempSync(path.join(os.tmpdir(), `bf-${label}-`));
  removeOnExit.add(root);
  if (owner) chownSync(root, owner.uid, owner.gid);
  return root;
}

export function removeServerRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
  removeOnExit.delete(root);
}

/**
 * Servers still running when the process exits (a test that failed before its `after`, a bench that
 * threw) get an immediate shutdown, and their directories are removed.
 */
const stopOnExit = new Set<ChildProcess>();
const removeOnExit = new Set<string>();
function cleanUp(): void {
  for (const child of stopOnExit) child.kill("SIGQUIT");
  for (const dir of removeOnExit) rmSync(dir, { recursive: true, force: true });
}
process.on("exit", cleanUp);
// A test runner ends a file that overran its timeout with a signal, which skips "exit": clean up, then
// let the signal do what it would have done.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.once(signal, () => {
    cleanUp();
    process.kill(process.pid, signal);
  });
}

const HINT = "install the Debian packages postgresql and postgresql-client (bash scripts/services.sh does)";

/** The directory of initdb, postgres and pg_basebackup: pg_config's, else the newest under /usr/lib/postgresql. */
export function postgresBinDir(): string {
  const needed = ["initdb", "postgres", "pg_basebackup"];
  const has = (dir: string) => needed.every((b) => existsSync(path.join(dir, b)));
  const fromConfig = spawnSync("pg_config", ["--bindir"], { encoding: "utf8" });
  const configured = fromConfig.status === 0 ? fromConfig.stdout.trim() : "";
  if (configured && has(configured)) return configured;
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const found = versions.map((v) => path.join(base, v, "bin")).find(has);
  if (found) return found;
  throw new Error(`private PostgreSQL: no server binaries (${needed.join(", ")}) found: ${HINT}`);
}

/** Undefined when not root (the servers run as we do); the `postgres` user's ids when root. */
export function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const ids = (flag: string) => spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
  const uid = ids("-u");
  const gid = ids("-g");
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `private PostgreSQL run as root needs the OS user 'postgres' for initdb and postgres: ${HINT}`,
    );
  }
  if (!existsSync("/usr/bin/setpriv"))
    throw new Error("private PostgreSQL run as root needs setpriv (util-linux)");
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** The argv of a server binary, through setpriv (which execs, so signals reach postgres) when root. */
function command(bin: string, owner: Owner | undefined, name: string, args: string[]): [string, string[]] {
  const exe = path.join(bin, name);
  if (!owner) return [exe, args];
  const as = [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, "--init-groups", "--reset-env"];
  return ["/usr/bin/setpriv", [...as, exe, ...args]];
}

/** Runs a server tool to its end; its output is the error when it fails. */
function run(bin: string, owner: Owner | undefined, name: string, args: string[]): Promise<void> {
  const [exe, argv] = command(bin, owner, name, args);
  return new Promise((resolve, reject) => {
    const child = spawn(exe, argv, { cwd: os.tmpdir(), stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr.on("data", (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("error", (err) => reject(new Error(`${name} could not start: ${err.message}`)));
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`${name} failed (${signal ?? `exit ${String(code)}`}): ${output}`));
    });
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
