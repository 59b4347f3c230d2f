import { UsageError } from "../errors.js";

/** A daily stretch of local wall time, `start` inclusive, `end` exclusive, in minutes after midnight. */
export interface TimeWindow {
  startMin: number;
  endMin: number;
  /** An IANA zone name, e.g. `Europe/Berlin`. */
  zone: string;
}

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `22:00-06:00` → minutes; a malformed text or a zero-length window is a UsageError naming the value. */
export function parseWindow(raw: string, zone: string): TimeWindow {
  const [start, end, extra] = raw.trim().split("-");
  const startMin = start === undefined ? undefined : minutes(start);
  const endMin = end === undefined ? undefined : minutes(end);
  if (extra !== undefined || startMin === undefined || endMin === undefined) {
    throw new UsageError(`--window expects HH:MM-HH:MM (24-hour, e.g. 22:00-06:00), got '${raw}'`);
  }
  if (startMin === endMin) throw new UsageError(`--window '${raw}' is empty: start and end are the same`);
  return { startMin, endMin, zone: checkTimeZone(zone) };
}

function minutes(hhmm: string): number | undefined {
  const match = HHMM.exec(hhmm);
  if (!match) return undefined;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** The zone's canonical spelling as Intl knows it, or a UsageError naming the value. */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new UsageError(`--time-zone: unknown time zone '${zone}' (an IANA name such as Europe/Berlin)`);
  }
}

/**
 * The local wall time of `atMs` in `zone`, in minutes after midnight. Intl applies the zone's offset for
 * that instant, so a DST change day needs no special case: a window boundary in the skipped hour is
 * reached at the jump, and the repeated hour is inside (or outside) twice.
 */
export function localMinutes(atMs: number, zone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(atMs));
  const part = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return (part("hour") % 24) * 60 + part("minute");
}

/** Whether `atMs` falls inside the window; a window whose end is before its start crosses midnight. */
export function insideWindow(window: TimeWindow, atMs: number): boolean {
  const now = localMinutes(atMs, window.zone);
  if (window.startMin < window.endMin) return now >= window.startMin && now < window.endMin;
  return now >= window.startMin || now < window.endMin;
}

/** `22:00-06:00`, as stored on the run and shown in reasons. */
export function formatWindow(window: Pick<TimeWindow, "startMin" | "endMin">): string {
  const hhmm = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  return `${hhmm(window.startMin)}-${hhmm(window.endMin)}`;
}

/** The throttle reason outside the window, e.g. `window 22:00-06:00 Europe/Berlin`. */
export function windowReason(window: TimeWindow): string {
  return `window ${formatWindow(window)} ${window.zone}`;
}
