import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";

/** A loopback port free right now (the kernel picks it; a race with another process is unlikely). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A TCP relay between the code under test and a real server, that a test can cut (every open socket
 * destroyed, the port closed, so new connections are refused) and restore on the same port: a network
 * outage of PostgreSQL without touching the shared server other tests use.
 */
export class TcpProxy {
  readonly #sockets = new Set<net.Socket>();
  #server: net.Server | undefined;

  private constructor(
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const proxy = new TcpProxy(await freePort(), target);
    await proxy.restore();
    return proxy;
  }

  /** Listens again on the same port. */
  async restore(): Promise<void> {
    if (this.#server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on("close", () => this.#sockets.delete(s));
        s.on("error", () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", () => resolve());
    });
    this.#server = server;
  }

  /** Refuses new connections and kills the open ones, as a dead network path would. */
  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
    if (server) await new Promise((resolve) => server.close(resolve));
  }

  get url(): string {
    return `127.0.0.1:${this.port}`;
  }
}

/**
 * A private redis-server for one test, so it can be killed and restarted without disturbing the shared
 * one. No persistence: a restart comes back empty, as after a crash without AOF.
 */
export class PrivateRedis {
  #child: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    readonly password?: string,
  ) {}

  /** With a password, the server refuses clients that do not give it (`--requirepass`). */
  static async start(options: { password?: string } = {}): Promise<PrivateRedis> {
    const redis = new PrivateRedis(await freePort(), options.password);
    await redis.restart();
    return redis;
  }

  get url(): string {
    return this.password === undefined
      ? `redis://127.0.0.1:${this.port}`
      : `redis://:${encodeURIComponent(this.password)}@127.0.0.1:${this.port}`;
  }

  /** SIGSTOP: the port still accepts connections (the kernel does), nothing answers. SIGCONT undoes it. */
  freeze(frozen: boolean): void {
    this.#child?.kill(frozen ? "SIGSTOP" : "SIGCONT");
  }

  async restart(): Promise<void> {
    if (this.#child) return;
    const child = spawn(
      "redis-server",
      [
        "--port",
        String(this.port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        ...(this.password === undefined ? [] : ["--requirepass", this.password]),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    this.#child = child;
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${seen}`)), 10_000);
      child.stdout?.on("data", (c: Buffer) => {
        seen += c.toString();
        if (seen.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${String(code)}: ${seen}`));
      });
    });
  }

  /** kill -9: no goodbye to the clients, nothing saved. */
  async kill(): Promise<void> {
    const child = this.#child;
    this.#child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    child.kill("SIGCONT");
    await exited;
  }
}

/**
 * A loopback port that accepts connections and never answers: a server hung, or another protocol's port
 * that waits for its client to speak first. Clients must give up on their own.
 */
export class SilentListener {
  readonly #sockets = new Set<net.Socket>();

  private constructor(
    readonly port: number,
    private readonly server: net.Server,
  ) {}

  static async start(): Promise<SilentListener> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const listener = new SilentListener((server.address() as net.AddressInfo).port, server);
    server.on("connection", (socket) => {
      listener.#sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => listener.#sockets.delete(socket));
    });
    return listener;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
