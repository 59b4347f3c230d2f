/**
 * The field schemas the log vocabulary (src/log-events/log-events.ts) shares, and the shape of one event's entry: ids
 * are strings of digits, counts non-negative integers, errors a message or an object.
 */

/** A field schema, as far as the field types of src/log-events/log-events.ts read it. */
export interface FieldSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly items?: FieldSchema;
  readonly properties?: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: FieldSchema | boolean;
  readonly [keyword: string]: unknown;
}

export interface LogEventEntry {
  /** The level(s) it is logged at, for the docs. */
  readonly level: string;
  /** When it is logged. */
  readonly when: string;
  /** Its fields in words (units, meanings), for the docs. */
  readonly fields: string;
  readonly schema: {
    readonly properties: Readonly<Record<string, FieldSchema>>;
    readonly required: readonly string[];
  };
}

export const ID = { type: "string", pattern: "^[0-9]+$" } as const;
export const COUNT = { type: "integer", minimum: 0 } as const;
export const ERR = { type: ["string", "object"] } as const;
export const STR = { type: "string" } as const;
export const BOOL = { type: "boolean" } as const;
export const MS = { type: "number", minimum: 0 } as const;
export const TEXT_OR_NULL = { type: ["string", "null"] } as const;
export const ATTEMPT = { type: "integer", minimum: 1 } as const;
export const ACTOR = { type: "string", minLength: 1 } as const;
export const RUN_KIND = { enum: ["backfill", "scheduled", "reprocess"] } as const;
export const RUN_STATUS = {
  enum: ["pending", "running", "paused", "cancelled", "completed", "failed"],
} as const;
export const COLUMNS = { type: "array", items: { type: "string", pattern: "^[a-z_]+\\.[a-z_]+$" } } as const;
export const TAG_COUNTS = {
  type: "object",
  required: ["backfilled", "backfilled_broken", "skipped", "failed"],
  additionalProperties: false,
  properties: { backfilled: COUNT, backfilled_broken: COUNT, skipped: COUNT, failed: COUNT },
} as const;
export const BATCH_COUNTS = {
  type: "object",
  required: ["pending", "running", "done", "failed", "total"],
  properties: { pending: COUNT, running: COUNT, done: COUNT, failed: COUNT, total: COUNT },
} as const;

/** The fields that name a batch attempt, shared by the batch events. */
export const BATCH_KEY = { runId: ID, batchId: ID, attempt: ATTEMPT, lo: COUNT, hi: COUNT } as const;
export const BATCH_KEY_NAMES = ["runId", "batchId", "attempt", "lo", "hi"] as const;

/** The fields that name one tag of a batch, shared by the tag events. */
export const TAG_KEY = { runId: ID, batchId: ID, repositoryTagId: COUNT, repository: STR, tag: STR } as const;
export const TAG_KEY_NAMES = ["runId", "batchId", "repositoryTagId", "repository", "tag"] as const;
