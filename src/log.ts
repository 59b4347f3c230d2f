import os from "node:os";
import { pino, type Logger, type LoggerOptions } from "pino";

export type { Logger } from "pino";

/** Paths pino blanks out wherever they appear: key material and connection strings. */
export const REDACT_PATHS = [
  "*.password",
  "*.privateKey",
  "*.private_key",
  "*.key",
  "*.d",
  "*.p",
  "*.q",
  "*.dp",
  "*.dq",
  "*.qi",
  "*.databaseUrl",
  "*.redisUrl",
  "config.databaseUrl",
  "config.redisUrl",
];

export interface LoggerSetup {
  level?: string;
  /** Where lines go; defaults to the --log-file, else stderr. Tests pass a stream to read the lines back. */
  destination?: NodeJS.WritableStream;
  pretty?: boolean;
}

let logFile: string | undefined;

/**
 * Sends every logger created afterwards to this file (appended) instead of stderr: `--log-file PATH`.
 * Logs never go to stdout, which carries a command's result alone (`backfill run | jq`).
 */
export function setLogFile(path: string | undefined): void {
  logFile = path;
}

/** Whether log lines go to a file (`--log-file`) rather than to the terminal a progress bar draws on. */
export function logsToFile(): boolean {
  return logFile !== undefined;
}

/**
 * The one root logger: JSON lines with a stable `event` field on stderr (or the log file); pretty on a TTY
 * when pino-pretty is installed.
 */
export function createLogger(setup: LoggerSetup = {}): Logger {
  const options: LoggerOptions = {
    level: setup.level ?? "info",
    // `hostname` on every line: a dashboard tells the workers of several machines apart by it.
    base: { pid: process.pid, hostname: os.hostname() },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (setup.destination) return pino(options, setup.destination);
  if (logFile !== undefined) {
    return pino(options, pino.destination({ dest: logFile, append: true, mkdir: true, sync: true }));
  }
  const pretty = setup.pretty ?? (process.stderr.isTTY && !process.env.CI);
  const target = pretty ? prettyPrinter() : undefined;
  if (target !== undefined) {
    return pino({ ...options, transport: { target, options: { colorize: true, destination: 2 } } });
  }
  return pino(options, pino.destination({ dest: 2, sync: true }));
}

/**
 * Where pino-pretty is, or undefined when it is not installed: it is a development dependency, so an
 * installed package (`npm ci --omit=dev`) writes JSON lines on a terminal too instead of failing to start.
 */
function prettyPrinter(): string | undefined {
  try {
    return import.meta.resolve("pino-pretty");
  } catch {
    return undefined;
  }
}
