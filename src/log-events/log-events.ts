import { BATCH_LOG_EVENTS } from "./batch-events.js";
import { PROCESS_LOG_EVENTS } from "./process-events.js";
import { RUN_LOG_EVENTS } from "./run-events.js";

/**
 * The log vocabulary, one entry per event: its level and when it is logged (the table of
 * docs/log-events.md) and the JSON schema of its fields (docs/log-events.schema.json). Both files are
 * generated from this map (`npm run docs:log-events`), and the fields `logEvent` takes are typed from the
 * same schemas, so code, docs and schema cannot drift. The entries live in three files by subject.
 */
export const LOG_EVENTS = { ...RUN_LOG_EVENTS, ...BATCH_LOG_EVENTS, ...PROCESS_LOG_EVENTS };

export type LogEventName = keyof typeof LOG_EVENTS;

type TypeOfName<T> = T extends "string"
  ? string
  : T extends "integer" | "number"
    ? number
    : T extends "boolean"
      ? boolean
      : T extends "null"
        ? null
        : T extends "object"
          ? object
          : T extends "array"
            ? readonly unknown[]
            : never;

type Flatten<T> = { [K in keyof T]: T[K] };

type ObjectOf<P, R> = Flatten<
  { -readonly [K in keyof P & R]: FieldType<P[K]> } & {
    -readonly [K in Exclude<keyof P, R>]?: FieldType<P[K]>;
  }
>;

/** The TypeScript type of a value a field schema accepts (the keywords LOG_EVENTS uses). */
export type FieldType<S> = S extends { const: infer C }
  ? C
  : S extends { enum: readonly (infer E)[] }
    ? E
    : S extends { type: "array"; items: infer I }
      ? readonly FieldType<I>[]
      : S extends { type: "object"; properties: infer P; required: readonly (infer R)[] }
        ? ObjectOf<P, R>
        : S extends { type: "object"; additionalProperties: infer A }
          ? Readonly<Record<string, FieldType<A>>>
          : S extends { type: readonly (infer T)[] }
            ? TypeOfName<T>
            : S extends { type: infer T }
              ? TypeOfName<T>
              : unknown;

/** Fields any line may carry (the schema's common properties): the job's and the batch's ids. */
export interface CommonLogFields {
  runId?: string;
  batchId?: string;
  queue?: string;
  jobId?: string;
}

/** Fields a child logger usually binds (a job's, a batch's), so a call may leave them out. */
type BoundField = "runId" | "batchId" | "attempt" | "queue" | "jobId";

type Schema<E extends LogEventName> = (typeof LOG_EVENTS)[E]["schema"];

/** The fields of one event, typed from its schema; the ones a logger binds are optional at the call. */
export type LogEventFields<E extends LogEventName> = ObjectOf<
  Schema<E>["properties"],
  Exclude<Schema<E>["required"][number], BoundField>
>;
