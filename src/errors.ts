/**
 * An error no retry can fix: classifyError reads `permanent` (a property of the type, not of its name), so
 * a job that throws one spends no further attempt.
 */
export class PermanentError extends Error {
  readonly permanent = true;
}

/**
 * An error that cannot pass on a retry (a missing run or batch row, an invalid payload): the queue adapter
 * turns it into BullMQ's UnrecoverableError, so no attempt is wasted.
 */
export class PermanentJobError extends PermanentError {
  override readonly name = "PermanentJobError";
}

/** A value a user gave (flag, environment variable, file) is wrong; the message says what to fix. */
export class UsageError extends PermanentError {
  override readonly name = "UsageError";
}

/** A configuration value from the environment is missing or invalid. */
export class ConfigError extends UsageError {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

/**
 * What the command was asked about does not exist (a tag, a repository): the command line was well formed,
 * so this is exit 1, not a usage error; the message says what was looked for.
 */
export class NotFoundError extends Error {
  override readonly name = "NotFoundError";
}

/**
 * A server the command needs cannot be reached or does not answer; the message names it (password
 * hidden) and what to fix. The command stops with that one line, exit 1.
 */
export class UnreachableError extends Error {
  override readonly name = "UnreachableError";
}
