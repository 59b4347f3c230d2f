import assert from "node:assert/strict";
import {
  appendFileSync,
  mkdirSync,
  mkdtempSync,
  renameSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { LogFollower } from "../../../src/dashboard-server/log-follower.js";

describe("LogFollower: files followed as they grow, shrink and rotate", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "backfill-follower-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("a line is handed on once its newline arrives; growth is read from where it stopped", async () => {
    const file = path.join(dir, "grow.log");
    writeFileSync(file, "one\ntw");
    const lines: string[] = [];
    const follower = new LogFollower([file], (l) => lines.push(l));
    await follower.readOnce();
    assert.deepEqual(lines, ["one"]);
    appendFileSync(file, "o\r\nthree\n");
    await follower.readOnce();
    assert.deepEqual(lines, ["one", "two", "three"]);
    await follower.readOnce();
    assert.deepEqual(lines, ["one", "two", "three"], "nothing new, nothing read");
  });

  test("a truncated file and a rotated one are read again from their start", async () => {
    const file = path.join(dir, "rotate.log");
    writeFileSync(file, "a\nb\n");
    const lines: string[] = [];
    const follower = new LogFollower([file], (l) => lines.push(l));
    await follower.readOnce();
    truncateSync(file, 0);
    appendFileSync(file, "c\n");
    await follower.readOnce();
    renameSync(file, `${file}.1`);
    writeFileSync(file, "d\n");
    await follower.readOnce();
    assert.deepEqual(lines, ["a", "b", "c", "d"]);
  });

  test("a directory stands for its *.log files, new ones included; a missing path is said once", async () => {
    const logs = path.join(dir, "logs");
    const lines: string[] = [];
    const problems: string[] = [];
    const follower = new LogFollower(
      [logs],
      (l) => lines.push(l),
      (p) => problems.push(p),
    );
    await follower.readOnce();
    await follower.readOnce();
    assert.equal(problems.length, 1, problems.join("\n"));
    mkdirSync(logs);
    writeFileSync(path.join(logs, "w1.log"), "x\n");
    writeFileSync(path.join(logs, "notes.txt"), "not a log\n");
    await follower.readOnce();
    writeFileSync(path.join(logs, "w2.log"), "y\nhalf");
    await follower.readOnce();
    follower.flush();
    assert.deepEqual(lines, ["x", "y", "half"]);
  });

  test("a multi-byte character split across two reads stays whole", async () => {
    const file = path.join(dir, "utf8.log");
    const bytes = Buffer.from("é\n");
    writeFileSync(file, bytes.subarray(0, 1));
    const lines: string[] = [];
    const follower = new LogFollower([file], (l) => lines.push(l));
    await follower.readOnce();
    appendFileSync(file, bytes.subarray(1));
    await follower.readOnce();
    assert.deepEqual(lines, ["é"]);
  });
});
