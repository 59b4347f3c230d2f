import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { before, describe, test } from "node:test";
import {
  alertQueries,
  allPanels,
  dashboardQueries,
  loadAlertRules,
  loadDashboard,
  provisionedLokiUid,
} from "../../support/grafana-provisioning.js";
import { checkLogQL, type LogQLVocabulary } from "../../support/logql-check.js";
import { logqlVocabulary, shipperLabels } from "../../support/logql-vocabulary.js";
import { REPO_ROOT } from "../../support/repo-root.js";

// The dashboard and alert rules query Loki over the log vocabulary (docs/log-events.md): an event or field
// renamed there, or a query that names one the worker never logs, fails here rather than as an empty panel.

const S = '{job="backfill"} | json';

/** Queries the check must reject, each with the problem it must report: the check is shown to be able to fail. */
const WRONG_QUERIES: readonly (readonly [string, string, RegExp])[] = [
  ["an unknown event", `${S} | event="batch.done"`, /unknown event "batch.done"/],
  [
    "a renamed field",
    `quantile_over_time(0.95, ${S} | event="batch.completed" | unwrap durationMillis [5m]) by (runId)`,
    /field "durationMillis"/,
  ],
  [
    "a field of another event",
    `sum_over_time(${S} | event="run.progress" | unwrap tags [1m])`,
    /field "tags" is not a field of run.progress/,
  ],
  [
    "a field one of two events lacks",
    `sum by (runId) (count_over_time(${S} | event="batch.failed" or event="tag.broken" | permanent="true" [1m]))`,
    /field "permanent" is not a field of tag.broken/,
  ],
  ["a parse error", `sum by (runId) (count_over_time(${S} | event="batch.failed" [5m])`, /parse error/],
  ["a regex event selection", `${S} | event=~"batch.failed|batch.retrying"`, /select an event with/],
  [
    "a line filter instead of the event label",
    `{job="backfill"} |= "batch.failed" | json`,
    /unsupported pipeline stage/,
  ],
  ["no event selected", `${S} | runId="1"`, /selects no event/],
  ["a filter before | json", `{job="backfill"} | event="batch.failed" | json`, /comes before \| json/],
  [
    "a stream label the shipper does not set",
    `{app="backfill"} | json | event="batch.failed"`,
    /label "app"/,
  ],
  [
    "a grouping label no selected event has",
    `sum by (reason) (count_over_time(${S} | event="batch.failed" [5m]))`,
    /grouping label "reason"/,
  ],
  [
    "an unknown field in line_format",
    `${S} | event="batch.failed" | line_format "{{.runId}} {{.error}}"`,
    /field "error"/,
  ],
  ["logfmt instead of json", `{job="backfill"} | logfmt | event="batch.failed"`, /stage "\| logfmt"/],
  [
    "a field worker.heartbeat does not have",
    `max_over_time(${S} | event="worker.heartbeat" | unwrap leasesHeld [2m]) by (hostname, pid)`,
    /field "leasesHeld"/,
  ],
];

let vocab: LogQLVocabulary;
let lokiUid: string;
before(async () => {
  vocab = await logqlVocabulary();
  lokiUid = provisionedLokiUid();
});

const problemsOf = (queries: readonly { where: string; expr: string }[]) =>
  queries.flatMap((q) => checkLogQL(q.expr, vocab).map((p) => `${q.where}: ${p}`));

describe("the LogQL check", () => {
  test("reads the real vocabulary and the shipper's labels (a check over nothing would pass)", () => {
    assert.ok(vocab.events.get("batch.completed")?.has("durationMs"));
    assert.ok(
      vocab.events.get("batch.completed")?.has("counts_backfilled"),
      "nested fields flattened as | json does",
    );
    assert.ok(vocab.common.has("pid") && vocab.common.has("event"));
    assert.deepEqual([...shipperLabels()].sort(), ["container", "job", "service"]);
  });

  test("accepts a query over documented events and fields", () => {
    const good = `sum by (runId, event) (count_over_time(${S} | event="batch.failed" or event="batch.retrying" | attempt > 1 [5m]))`;
    assert.deepEqual(checkLogQL(good, vocab), []);
  });

  for (const [why, expr, reason] of WRONG_QUERIES) {
    test(`rejects ${why}`, () => {
      const problems = checkLogQL(expr, vocab);
      assert.ok(
        problems.some((p) => reason.test(p)),
        `${expr}: ${JSON.stringify(problems)}`,
      );
    });
  }
});

describe("the Grafana dashboard", () => {
  test("every panel query parses and names only documented events and fields", () => {
    const queries = dashboardQueries(loadDashboard());
    assert.ok(queries.length >= 15, `only ${queries.length} queries read`);
    assert.ok(
      queries.every((q) => q.expr !== ""),
      "a target without expr",
    );
    assert.deepEqual(problemsOf(queries), []);
  });

  test("panel ids are unique, and every panel and target queries the provisioned Loki", () => {
    const panels = allPanels(loadDashboard());
    const ids = panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, `duplicate panel ids in ${ids.join(",")}`);
    const wrong: string[] = [];
    for (const p of panels.filter((x) => x.type !== "row")) {
      if (p.datasource?.uid !== lokiUid || p.datasource.type !== "loki") wrong.push(`panel ${p.id}`);
      if ((p.targets ?? []).length === 0) wrong.push(`panel ${p.id} has no target`);
      for (const t of p.targets ?? [])
        if (t.datasource?.uid !== lokiUid) wrong.push(`panel ${p.id} ${t.refId}`);
      const refIds = (p.targets ?? []).map((t) => t.refId);
      if (new Set(refIds).size !== refIds.length) wrong.push(`panel ${p.id} repeats a refId`);
      if (p.gridPos === undefined) wrong.push(`panel ${p.id} has no gridPos`);
    }
    assert.deepEqual(wrong, []);
  });
});

describe("the Grafana alert rules", () => {
  test("every rule's Loki query parses and names only documented events and fields", () => {
    const queries = alertQueries(loadAlertRules(), lokiUid);
    assert.equal(queries.length, 4);
    assert.deepEqual(problemsOf(queries), []);
  });

  test("uids are unique; each condition names a step; steps are the Loki query or server-side expressions", () => {
    const rules = loadAlertRules();
    assert.deepEqual(rules.map((r) => r.title).sort(), [
      "Backfill batch failed",
      "Backfill run makes no progress",
      "Backfill run throttled too long",
      "Backfill worker lost",
    ]);
    assert.equal(new Set(rules.map((r) => r.uid)).size, rules.length);
    const wrong: string[] = [];
    for (const r of rules) {
      const refIds = r.data.map((d) => d.refId);
      if (!refIds.includes(r.condition)) wrong.push(`${r.title}: condition ${r.condition}`);
      for (const d of r.data) {
        if (d.datasourceUid !== lokiUid && d.datasourceUid !== "__expr__")
          wrong.push(`${r.title}: ${d.refId}`);
        const input = d.model.expression;
        if (d.datasourceUid === "__expr__" && (input === undefined || !refIds.includes(input))) {
          wrong.push(`${r.title}: ${d.refId} reads ${input}`);
        }
      }
    }
    assert.deepEqual(wrong, []);
  });
});

describe("the observability compose profile", () => {
  const compose = readFileSync(path.join(REPO_ROOT, "docker-compose.yml"), "utf8");

  test("Loki, Alloy and Grafana start only with the profile, and their mounted files exist", () => {
    for (const service of ["loki", "alloy", "grafana"]) {
      const block = new RegExp(
        `^  ${service}:\\n(?:    .*\\n|\\n)*?    profiles: \\["observability"\\]`,
        "m",
      );
      assert.match(compose, block, `${service} without profile observability`);
    }
    const mounts = [...compose.matchAll(/- \.\/(deploy\/[^:]+):/g)].map((m) => m[1] ?? "");
    assert.ok(mounts.length >= 3, `mounts read: ${mounts.join(", ")}`);
    assert.deepEqual(
      mounts.filter((m) => !existsSync(path.join(REPO_ROOT, m))),
      [],
    );
  });

  test("the services of a plain `docker compose up` have no profile", () => {
    const profiles = [...compose.matchAll(/^ {4}profiles:/gm)].length;
    assert.equal(profiles, 3);
  });
});
