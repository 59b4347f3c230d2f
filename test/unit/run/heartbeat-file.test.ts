import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { judgeHeartbeat, readHeartbeatFile, writeHeartbeatFile } from "../../../src/run/heartbeat-file.js";

describe("heartbeat file", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "backfill-heartbeat-"));
  const file = path.join(dir, "beat.json");
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a written record reads back; its age decides against three intervals or --max-age", async () => {
    const at = new Date("2026-01-01T00:00:00Z");
    await writeHeartbeatFile(file, {
      at: at.toISOString(),
      actor: "worker:h:1",
      intervalMs: 10_000,
      held: 2,
    });
    const reading = await readHeartbeatFile(file);
    const later = (s: number) => new Date(at.getTime() + s * 1000);
    assert.equal(judgeHeartbeat(file, reading, later(30), undefined).healthy, true);
    assert.equal(judgeHeartbeat(file, reading, later(30.1), undefined).healthy, false);
    assert.equal(judgeHeartbeat(file, reading, later(5), 4).healthy, false);
    assert.equal(judgeHeartbeat(file, reading, later(4), 4).healthy, true);
    assert.equal(
      judgeHeartbeat(file, reading, later(1), undefined).line,
      "healthy: heartbeat of worker:h:1 1.0 s old (limit 30 s), 2 batches held",
    );
  });

  test("missing and unreadable files are unhealthy, each saying which", async () => {
    const missing = judgeHeartbeat(
      "/nonexistent",
      await readHeartbeatFile(path.join(dir, "none")),
      new Date(),
      30,
    );
    assert.match(missing.line, /^unhealthy: no heartbeat file/);
    writeFileSync(file, "{half");
    const garbled = judgeHeartbeat(file, await readHeartbeatFile(file), new Date(), 30);
    assert.deepEqual(garbled, {
      healthy: false,
      line: `unhealthy: heartbeat file ${file} cannot be read: not a heartbeat record`,
    });
  });
});
