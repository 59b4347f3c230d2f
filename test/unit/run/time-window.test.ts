import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UsageError } from "../../../src/errors.js";
import {
  formatWindow,
  insideWindow,
  localMinutes,
  parseWindow,
  windowReason,
} from "../../../src/run/time-window.js";

const at = (iso: string): number => Date.parse(iso);

describe("time window", () => {
  test("parses HH:MM-HH:MM and names the zone canonically", () => {
    const w = parseWindow("22:00-06:00", "Europe/Berlin");
    assert.deepEqual(w, { startMin: 22 * 60, endMin: 6 * 60, zone: "Europe/Berlin" });
    assert.equal(formatWindow(w), "22:00-06:00");
    assert.equal(windowReason(w), "window 22:00-06:00 Europe/Berlin");
    assert.equal(parseWindow(" 09:30-17:05 ", "UTC").startMin, 9 * 60 + 30);
  });

  test("a malformed window, a zero-length one and an unknown zone are usage errors naming the value", () => {
    for (const raw of [
      "22-06",
      "24:00-01:00",
      "22:00",
      "22:00-06:00-07:00",
      "9:00-17:00",
      "",
      "22:60-01:00",
    ]) {
      assert.throws(
        () => parseWindow(raw, "UTC"),
        (err: unknown) => err instanceof UsageError && err.message.includes(`'${raw}'`),
        raw,
      );
    }
    assert.throws(() => parseWindow("22:00-22:00", "UTC"), /'22:00-22:00' is empty/);
    assert.throws(
      () => parseWindow("22:00-06:00", "Mars/Olympus_Mons"),
      (err: unknown) => err instanceof UsageError && err.message.includes("'Mars/Olympus_Mons'"),
    );
  });

  test("a window within one day: start inclusive, end exclusive", () => {
    const w = parseWindow("09:00-17:00", "UTC");
    assert.equal(insideWindow(w, at("2026-05-04T08:59:59Z")), false);
    assert.equal(insideWindow(w, at("2026-05-04T09:00:00Z")), true);
    assert.equal(insideWindow(w, at("2026-05-04T16:59:59Z")), true);
    assert.equal(insideWindow(w, at("2026-05-04T17:00:00Z")), false);
  });

  test("a window crossing midnight, in winter and in summer time", () => {
    const w = parseWindow("22:00-06:00", "Europe/Berlin");
    // January: UTC+1.
    assert.equal(insideWindow(w, at("2026-01-15T20:59:00Z")), false);
    assert.equal(insideWindow(w, at("2026-01-15T21:00:00Z")), true);
    assert.equal(insideWindow(w, at("2026-01-15T23:30:00Z")), true);
    assert.equal(insideWindow(w, at("2026-01-16T04:59:00Z")), true);
    assert.equal(insideWindow(w, at("2026-01-16T05:00:00Z")), false);
    assert.equal(insideWindow(w, at("2026-01-16T12:00:00Z")), false);
    // July: UTC+2.
    assert.equal(insideWindow(w, at("2026-07-15T19:59:00Z")), false);
    assert.equal(insideWindow(w, at("2026-07-15T20:00:00Z")), true);
    assert.equal(insideWindow(w, at("2026-07-16T03:59:00Z")), true);
    assert.equal(insideWindow(w, at("2026-07-16T04:00:00Z")), false);
  });

  test("Europe/Berlin spring forward (29 March 2026, 02:00 -> 03:00): the skipped hour", () => {
    assert.equal(localMinutes(at("2026-03-29T00:59:00Z"), "Europe/Berlin"), 1 * 60 + 59);
    assert.equal(localMinutes(at("2026-03-29T01:00:00Z"), "Europe/Berlin"), 3 * 60);
    const early = parseWindow("01:00-02:30", "Europe/Berlin");
    assert.equal(insideWindow(early, at("2026-03-29T00:30:00Z")), true);
    assert.equal(insideWindow(early, at("2026-03-29T01:00:00Z")), false);
    const late = parseWindow("02:30-04:00", "Europe/Berlin");
    assert.equal(insideWindow(late, at("2026-03-29T00:59:00Z")), false);
    // The window opens at the jump: 03:00 local is the first minute after 01:59.
    assert.equal(insideWindow(late, at("2026-03-29T01:00:00Z")), true);
    assert.equal(insideWindow(late, at("2026-03-29T02:00:00Z")), false);
  });

  test("Europe/Berlin fall back (25 October 2026, 03:00 -> 02:00): the repeated hour is inside twice", () => {
    const w = parseWindow("02:00-03:00", "Europe/Berlin");
    assert.equal(insideWindow(w, at("2026-10-24T23:59:00Z")), false);
    assert.equal(insideWindow(w, at("2026-10-25T00:30:00Z")), true); // 02:30 CEST
    assert.equal(insideWindow(w, at("2026-10-25T01:30:00Z")), true); // 02:30 CET
    assert.equal(insideWindow(w, at("2026-10-25T02:00:00Z")), false); // 03:00 CET
  });

  test("America/New_York across midnight on both change days", () => {
    const w = parseWindow("22:00-06:00", "America/New_York");
    // 8 March 2026: 02:00 EST -> 03:00 EDT at 07:00Z.
    assert.equal(insideWindow(w, at("2026-03-08T02:59:00Z")), false); // 21:59 EST
    assert.equal(insideWindow(w, at("2026-03-08T03:00:00Z")), true); // 22:00 EST
    assert.equal(insideWindow(w, at("2026-03-08T06:59:00Z")), true); // 01:59 EST
    assert.equal(insideWindow(w, at("2026-03-08T07:00:00Z")), true); // 03:00 EDT
    assert.equal(insideWindow(w, at("2026-03-08T09:59:00Z")), true); // 05:59 EDT
    assert.equal(insideWindow(w, at("2026-03-08T10:00:00Z")), false); // 06:00 EDT
    // 1 November 2026: 02:00 EDT -> 01:00 EST at 06:00Z.
    assert.equal(insideWindow(w, at("2026-11-01T10:59:00Z")), true); // 05:59 EST
    assert.equal(insideWindow(w, at("2026-11-01T11:00:00Z")), false); // 06:00 EST
    assert.equal(insideWindow(w, at("2026-11-02T02:59:00Z")), false); // 21:59 EST
    assert.equal(insideWindow(w, at("2026-11-02T03:00:00Z")), true); // 22:00 EST
  });
});
