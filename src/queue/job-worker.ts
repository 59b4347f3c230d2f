import { Ajv, type ValidateFunction } from "ajv";
import { DelayedError, UnrecoverableError, Worker, type Job } from "bullmq";
import type { Logger } from "../log.js";
import { classifyError } from "../classify-error.js";
import { errorMessage } from "../error-message.js";
import { logEvent } from "../log-events/log-event.js";
import { redisConnection } from "./redis-connection.js";
import { redisErrorReporter } from "./redis-error-reporter.js";
import { contendedDelayMs } from "./retry-policy.js";

const ajv = new Ajv({ allErrors: true });

/**
 * What a handler may ask the adapter to do instead of completing: come back later, without an attempt
 * (someone else holds the batch's lease, or the backfill is throttled).
 */
export interface RetryLater {
  /** lease-held: another worker has the batch; throttled: a health signal holds new claims back; contended: it lost a lock fight and was given back. */
  kind: "lease-held" | "throttled" | "contended";
  retryAfterMs: number;
}

/** The process's view of the database (src/run/db-health.ts): how long to put a job back while it is down. */
export interface DbHealthPort {
  /** Records a failure to reach the database; returns how long to wait before the job comes back. */
  markDown(err: unknown): number;
  markUp(): void;
}

export interface JobWorkerSetup<P, R> {
  queueName: string;
  redisUrl: string;
  prefix: string;
  concurrency: number;
  logger: Logger;
  dbHealth: DbHealthPort;
  /** BullMQ lock: a job whose worker died goes back to wait this long after its last renewal. */
  lockMs: number;
  schema: object;
  handle: (payload: P, meta: { attempt: number; maxAttempts: number; jobId: string }) => Promise<R>;
  /** Once true, a lost Redis connection is given up instead of retried (a forced stop). */
  stopRetrying?: () => boolean;
}

/**
 * The adapter between BullMQ and a plain handler `(payload, ctx)`: validates the payload, passes the
 * attempt numbers, and maps outcomes to BullMQ's vocabulary. A database outage, a lock or statement
 * timeout (contended) or a lease held elsewhere moves the job to delayed (DelayedError: no attempt spent); a permanent error becomes UnrecoverableError
 * (no retry); anything else is thrown for the exponential backoff. The BullMQ Job stops here.
 */
export function startJobWorker<P, R>(setup: JobWorkerSetup<P, R>): Worker<P, R> {
  const validate: ValidateFunction = ajv.compile(setup.schema);
  const processor = async (job: Job<P, R>, token?: string): Promise<R> => {
    if (!validate(job.data)) {
      throw new UnrecoverableError(`invalid ${job.name} payload: ${ajv.errorsText(validate.errors)}`);
    }
    const meta = { attempt: job.attemptsMade + 1, maxAttempts: job.opts.attempts ?? 1, jobId: job.id ?? "" };
    let result: R;
    try {
      result = await setup.handle(job.data, meta);
    } catch (err) {
      switch (classifyError(err)) {
        case "unavailable": {
          await job.moveToDelayed(Date.now() + setup.dbHealth.markDown(err), token);
          throw new DelayedError();
        }
        case "contended": {
          // A handler that settles its own contention returns a RetryLater instead; this is the rest.
          await job.moveToDelayed(Date.now() + contendedDelayMs(1), token);
          throw new DelayedError();
        }
        case "permanent":
          throw new UnrecoverableError(errorMessage(err));
        case "retry":
          throw err;
      }
    }
    setup.dbHealth.markUp();
    const later = result as Partial<RetryLater> | undefined;
    if (
      (later?.kind === "lease-held" || later?.kind === "throttled" || later?.kind === "contended") &&
      typeof later.retryAfterMs === "number"
    ) {
      await job.moveToDelayed(Date.now() + later.retryAfterMs, token);
      throw new DelayedError();
    }
    return result;
  };
  const worker = new Worker<P, R>(setup.queueName, processor, {
    connection: redisConnection(setup.redisUrl, { stopRetrying: setup.stopRetrying }),
    prefix: setup.prefix,
    concurrency: setup.concurrency,
    lockDuration: setup.lockMs,
    stalledInterval: setup.lockMs,
    // A stalled job is harmless here (the lease makes the second delivery a no-op or a clean retake), so
    // stalls must not fail it.
    maxStalledCount: 1000,
    autorun: true,
  });
  worker.on("error", redisErrorReporter(setup.logger, setup.queueName));
  worker.on("failed", (job, err) => {
    // logEvent swallows a failing log call: it never breaks the worker.
    logEvent(
      setup.logger,
      "debug",
      "worker.error",
      { jobId: job?.id, err: errorMessage(err) },
      "job attempt failed",
    );
  });
  return worker;
}
