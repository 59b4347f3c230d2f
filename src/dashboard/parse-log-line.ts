import { Ajv, type ValidateFunction } from "ajv";
import {
  LOG_EVENTS,
  type CommonLogFields,
  type LogEventFields,
  type LogEventName,
} from "../log-events/log-events.js";
import type { SkipCause } from "./dashboard-model.js";

/** Fields read from every line besides the event's own: where and when it was logged. */
interface LineHead {
  timeMs: number;
  level: string;
  host: string;
  pid: number | null;
}

/** One line of the vocabulary, typed by its event (fields as src/log-events declares them). */
export type LogLine = {
  [E in LogEventName]: LineHead & {
    event: E;
    fields: LogEventFields<E> & CommonLogFields & { attempt?: number };
  };
}[LogEventName];

export type ParsedLogLine = { ok: true; line: LogLine } | { ok: false; cause: SkipCause };

const ajv = new Ajv({ allErrors: false, strict: false });
const validators = new Map<string, ValidateFunction>();

/** Each event's schema with the head fields a line needs, compiled on first use and kept. */
function validatorOf(event: LogEventName): ValidateFunction {
  let validate = validators.get(event);
  if (!validate) {
    const { properties, required } = LOG_EVENTS[event].schema;
    validate = ajv.compile({
      type: "object",
      required: ["time", ...required],
      properties: {
        time: { type: "string" },
        level: { type: "string" },
        pid: { type: "integer" },
        hostname: { type: "string" },
        ...properties,
      },
    });
    validators.set(event, validate);
  }
  return validate;
}

function isEventName(name: string): name is LogEventName {
  return Object.hasOwn(LOG_EVENTS, name);
}

/**
 * One line of a log: a typed event of the vocabulary, or why it was skipped (not JSON, a JSON value
 * without an `event`, an event the vocabulary does not know, or fields that fail its schema or a time
 * that is not a time). Never throws.
 */
export function parseLogLine(text: string): ParsedLogLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, cause: "not_json" };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, cause: "no_event" };
  }
  const record = value as Record<string, unknown>;
  const event = record.event;
  if (typeof event !== "string") return { ok: false, cause: "no_event" };
  if (!isEventName(event)) return { ok: false, cause: "unknown_event" };
  if (!validatorOf(event)(record)) return { ok: false, cause: "invalid" };
  const timeMs = Date.parse(record.time as string);
  if (Number.isNaN(timeMs)) return { ok: false, cause: "invalid" };
  const line = {
    event,
    timeMs,
    level: typeof record.level === "string" ? record.level : "info",
    host: typeof record.hostname === "string" ? record.hostname : "unknown",
    pid: typeof record.pid === "number" ? record.pid : null,
    fields: record,
  };
  return { ok: true, line: line as LogLine };
}
