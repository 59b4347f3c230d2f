import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { DashboardMetrics, renderMetrics } from "../../../src/dashboard/dashboard-metrics.js";
import { LogAggregator } from "../../../src/dashboard/log-aggregator.js";
import { promtoolCheckMetrics } from "../../support/promtool.js";
import { DASHBOARD_LOG, T0 } from "./dashboard-log.js";

describe("dashboard: /metrics from the hand-written log", async () => {
  const metrics = new DashboardMetrics();
  const aggregator = new LogAggregator({ onLine: metrics.observe });
  for (const line of DASHBOARD_LOG) aggregator.add(line);
  const text = await metrics.render(aggregator.model(T0 + 40_000));
  const lines = new Set(text.split("\n"));

  test("tags by outcome, batches by state, throttled seconds, worker liveness, skipped lines", () => {
    for (const expected of [
      'backfill_tags_total{run="7",outcome="backfilled"} 75',
      'backfill_tags_total{run="7",outcome="backfilled_broken"} 3',
      'backfill_tags_total{run="8",outcome="backfilled"} 10',
      'backfill_batches{run="7",state="done"} 4',
      'backfill_batches{run="7",state="failed"} 1',
      'backfill_batches{run="8",state="pending"} 1',
      'backfill_run_done_tags{run="7"} 79',
      'backfill_run_rate_tags_per_second{run="7"} 4.8',
      'backfill_run_running{run="8"} 1',
      'backfill_throttled_seconds_total{run="7"} 6',
      "backfill_batch_retries_total 1",
      "backfill_batch_failures_total 1",
      'backfill_worker_up{host="w1",pid="101",actor="worker:w1:101"} 1',
      'backfill_worker_up{host="w2",pid="202",actor="worker:w2:202"} 0',
      'backfill_worker_leases_held{host="w1",pid="101"} 1',
      'backfill_worker_rest_ratio{host="w1",pid="101"} 0',
      'backfill_log_lines_skipped_total{cause="not_json"} 2',
      'backfill_log_lines_skipped_total{cause="invalid"} 2',
      "backfill_log_lines_read_total 33",
    ]) {
      assert.ok(lines.has(expected), `missing ${expected}`);
    }
  });

  test("the batch duration histogram observed each batch.completed (0.5, 1, 2, 3, 4 s)", () => {
    for (const expected of [
      'backfill_batch_duration_seconds_bucket{le="0.5"} 1',
      'backfill_batch_duration_seconds_bucket{le="1"} 2',
      'backfill_batch_duration_seconds_bucket{le="2.5"} 3',
      'backfill_batch_duration_seconds_bucket{le="5"} 5',
      'backfill_batch_duration_seconds_bucket{le="+Inf"} 5',
      "backfill_batch_duration_seconds_sum 10.5",
      "backfill_batch_duration_seconds_count 5",
    ]) {
      assert.ok(lines.has(expected), `missing ${expected}`);
    }
  });

  test("rendering again gives the same text (gauges and counters are set, not added up)", async () => {
    assert.equal(await metrics.render(aggregator.model(T0 + 40_000)), text);
  });

  test("promtool check metrics accepts it", () => {
    const { status, output } = promtoolCheckMetrics(text);
    assert.equal(status, 0, output);
  });

  test("an empty model renders valid metrics too", async () => {
    const empty = await renderMetrics(new LogAggregator().model(0));
    assert.ok(empty.includes("backfill_batch_duration_seconds_count 0"));
    const { status, output } = promtoolCheckMetrics(empty);
    assert.equal(status, 0, output);
  });
});
