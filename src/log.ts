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
  /** Where lines go; defaults to stdout. Tests pass a stream to read the lines back. */
  destination?: NodeJS.WritableStream;
  pretty?: boolean;
}

/** The one root logger: JSON lines with a stable `event` field; pretty on a TTY. */
export function createLogger(setup: LoggerSetup = {}): Logger {
  const options: LoggerOptions = {
    level: setup.level ?? "info",
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  if (setup.destination) return pino(options, setup.destination);
  const pretty = setup.pretty ?? (process.stdout.isTTY && !process.env.CI);
  if (pretty) {
    return pino({ ...options, transport: { target: "pino-pretty", options: { colorize: true } } });
  }
  return pino(options);
}
