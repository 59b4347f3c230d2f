import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";

/** Bytes read from a file at a time: a long log is taken in pieces, never whole into memory. */
const CHUNK_BYTES = 1 << 20;

interface FileCursor {
  offset: number;
  ino: number;
  decoder: StringDecoder;
  /** Text after the last newline, waiting for the rest of its line. */
  partial: string;
}

/**
 * Lines of log files (a directory stands for every `*.log` in it, looked for again on each poll), read
 * from the start and then followed as they grow: a file that shrinks (truncated) or has a new inode
 * (rotated) is read again from its start. `flush` hands on the unterminated last lines, for a one-off read.
 */
export class LogFollower {
  readonly #cursors = new Map<string, FileCursor>();
  #timer: NodeJS.Timeout | undefined;
  #polling: Promise<void> = Promise.resolve();
  /** Why a path could not be read, once per path and message (the caller logs it). */
  readonly #reported = new Set<string>();

  constructor(
    private readonly paths: readonly string[],
    private readonly onLine: (text: string) => void,
    private readonly onProblem: (message: string) => void = () => {},
  ) {}

  /** Reads what the files hold now. */
  async readOnce(): Promise<void> {
    this.#polling = this.#polling.then(() => this.#poll());
    await this.#polling;
  }

  /** Reads now, then again every `pollMs` until `stop`. */
  async follow(pollMs: number): Promise<void> {
    await this.readOnce();
    this.#timer = setInterval(() => void this.readOnce(), pollMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#polling;
  }

  /** The last line of every file that has no newline yet (a truncated line counts as one). */
  flush(): void {
    for (const cursor of this.#cursors.values()) {
      const rest = cursor.partial + cursor.decoder.end();
      cursor.partial = "";
      if (rest !== "") this.onLine(rest);
    }
  }

  async #poll(): Promise<void> {
    for (const file of await this.#files()) {
      try {
        await this.#readFile(file);
      } catch (err) {
        this.#problem(file, err);
      }
    }
  }

  async #files(): Promise<string[]> {
    const files: string[] = [];
    for (const p of this.paths) {
      try {
        const info = await stat(p);
        if (!info.isDirectory()) {
          files.push(p);
          continue;
        }
        const names = (await readdir(p)).filter((n) => n.endsWith(".log")).sort();
        files.push(...names.map((n) => path.join(p, n)));
      } catch (err) {
        this.#problem(p, err);
      }
    }
    return files;
  }

  async #readFile(file: string): Promise<void> {
    const info = await stat(file);
    let cursor = this.#cursors.get(file);
    if (!cursor || info.ino !== cursor.ino || info.size < cursor.offset) {
      cursor = { offset: 0, ino: info.ino, decoder: new StringDecoder("utf8"), partial: "" };
      this.#cursors.set(file, cursor);
    }
    if (info.size === cursor.offset) return;
    const handle = await open(file, "r");
    try {
      const buffer = Buffer.alloc(Math.min(CHUNK_BYTES, info.size - cursor.offset));
      while (cursor.offset < info.size) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, cursor.offset);
        if (bytesRead === 0) break;
        cursor.offset += bytesRead;
        this.#take(cursor, cursor.decoder.write(buffer.subarray(0, bytesRead)));
      }
    } finally {
      await handle.close();
    }
  }

  #take(cursor: FileCursor, text: string): void {
    const parts = (cursor.partial + text).split("\n");
    cursor.partial = parts.pop() ?? "";
    for (const line of parts) this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  #problem(file: string, err: unknown): void {
    const message = `${file}: ${err instanceof Error ? err.message : String(err)}`;
    if (this.#reported.has(message)) return;
    this.#reported.add(message);
    this.onProblem(message);
  }
}
