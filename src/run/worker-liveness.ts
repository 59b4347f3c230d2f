import { errorMessage } from "../error-message.js";

/** One queue consumer as the liveness check sees it (a BullMQ Worker in worker-runtime.ts). */
export interface LivenessConsumer {
  readonly name: string;
  isRunning(): boolean;
  /** A PING over the consumer's own Redis connection. */
  ping(): Promise<unknown>;
}

export interface LivenessTargets {
  pingDatabase(): Promise<unknown>;
  consumers: readonly LivenessConsumer[];
  /** How long PostgreSQL and Redis may take to answer before the check fails. */
  timeoutMs: number;
}

/**
 * Whether this worker can work right now: every queue consumer is running, and PostgreSQL and each
 * consumer's Redis connection answer within the timeout. Returns what is wrong, or undefined. The caller
 * runs it from a timer, so an answer at all also proves the event loop is turning.
 */
export async function livenessProblem(targets: LivenessTargets): Promise<string | undefined> {
  const stopped = targets.consumers.filter((c) => !c.isRunning()).map((c) => c.name);
  if (stopped.length > 0) return `queue consumer not running: ${stopped.join(", ")}`;
  const checks: [string, () => Promise<unknown>][] = [
    ["PostgreSQL", () => targets.pingDatabase()],
    ...targets.consumers.map((c): [string, () => Promise<unknown>] => [`Redis (${c.name})`, () => c.ping()]),
  ];
  const problems = await Promise.all(
    checks.map(([what, check]) => answerWithin(what, check, targets.timeoutMs)),
  );
  return problems.find((p) => p !== undefined);
}

async function answerWithin(
  what: string,
  check: () => Promise<unknown>,
  timeoutMs: number,
): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`${what} did not answer within ${String(timeoutMs)} ms`), timeoutMs);
  });
  const answered = check().then(
    () => undefined,
    (err: unknown) => `${what} failed: ${errorMessage(err)}`,
  );
  try {
    return await Promise.race([answered, late]);
  } finally {
    clearTimeout(timer);
  }
}
