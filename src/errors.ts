/** A value a user gave (flag, environment variable, file) is wrong; the message says what to fix. */
export class UsageError extends Error {
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
