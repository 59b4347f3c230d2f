import type { DbProcessBatch } from "../db/batch-store.js";
import type { Kysely } from "kysely";
import type { Database } from "../db/tables.js";
import type { Logger } from "../log.js";
import type { LeaseRegistry } from "./lease-registry.js";
import type { ThrottleGate } from "./throttle-checker.js";
import type { BatchSizeAdapter } from "./batch-size-adapter.js";

/** What the scheduler-tick job needs besides the database (only `backfill worker` consumes ticks). */
export interface SchedulerSetup {
  batchSize: number;
  config: object;
  startedBy: object;
  enqueue: (runId: string, batchIds: readonly string[]) => Promise<number>;
  isScheduled?: () => Promise<boolean>;
}

/**
 * The context every job handler receives, built once per worker process (as graphile-worker's task
 * helpers): the handlers are plain functions over it and the payload.
 */
export interface WorkerContext {
  db: Kysely<Database>;
  logger: Logger;
  processBatch: DbProcessBatch;
  leases: LeaseRegistry;
  /** How long a claim holds before another worker may take the batch. */
  leaseMs: number;
  /** Who acts, for the run's audit trail (`worker:<host>:<pid>`). */
  actor: string;
  scheduler?: SchedulerSetup;
  /** The process's throttle checker (one per process, shared by its consumers). */
  throttle?: ThrottleGate;
  /** The most candidate tags this process's heap holds in one batch (heapSafeBatchSize at its concurrency). */
  maxBatchTags?: number;
  /** Puts batches the handlers make on the queue (the ledger resync does otherwise). */
  enqueue?: (runId: string, batchIds: readonly string[]) => Promise<number>;
  /** The process's adaptive batch size (contended batches shrink the run's size at once). */
  sizeAdapter?: Pick<BatchSizeAdapter, "contended">;
}

/** One delivery as the queue reports it. */
export interface JobMeta {
  /** 1-based delivery attempt, and the most the queue makes. */
  attempt: number;
  maxAttempts: number;
  jobId: string;
}

/**
 * One kind of job, as the job table (jobs/job-table.ts) lists it: the worker runtime starts one consumer
 * per kind from it, so a new kind needs no edit here. The payload is validated against `schema` before
 * `handle` sees it.
 */
export interface JobKind {
  queue: string;
  schema: object;
  /** Jobs handled at once; the process's `--concurrency` when absent. */
  concurrency?: number;
  /** The queue's lock, from the process's lease; the lease itself when absent. */
  lockMs?: (leaseMs: number) => number;
  /** Whether this process consumes the kind; always when absent. */
  enabled?: (ctx: WorkerContext) => boolean;
  handle: (payload: unknown, ctx: WorkerContext, job: JobMeta) => Promise<unknown>;
}

/**
 * A table entry from a handler typed on its payload. The cast is sound: the worker validates the payload
 * against `schema` before calling `handle`.
 */
export function jobKind<P>(
  kind: Omit<JobKind, "handle"> & {
    handle: (payload: P, ctx: WorkerContext, job: JobMeta) => Promise<unknown>;
  },
): JobKind {
  return kind as JobKind;
}
