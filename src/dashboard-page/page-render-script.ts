/**
 * The page's script, part one (plain browser JavaScript, shipped as text so the page needs no bundler):
 * puts a DashboardModel into the page. Every string from the logs goes in through textContent or
 * setAttribute, never innerHTML, so a log line cannot inject markup.
 */
export const PAGE_RENDER_SCRIPT = String.raw`"use strict";
function byTestId(id) { return document.querySelector('[data-testid="' + CSS.escape(id) + '"]'); }
function el(tag, text, attrs) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = String(text);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  return e;
}
function cell(value, attrs) { return value instanceof Node ? value : el("td", value, attrs); }
function row(cells, attrs) {
  const tr = el("tr", null, attrs);
  for (const c of cells) tr.append(cell(c));
  return tr;
}
function fill(id, rows, empty) {
  const body = byTestId(id).querySelector("tbody");
  const cols = byTestId(id).querySelectorAll("th").length;
  body.replaceChildren(...(rows.length ? rows : [row([el("td", empty, { colspan: cols, class: "none" })])]));
}
function setText(id, value) { const e = byTestId(id); if (e) e.textContent = String(value); }
function fmtTime(ms) { return ms == null ? "–" : new Date(ms).toISOString().replace("T", " ").slice(0, 19); }
function fmtDuration(ms) {
  if (ms == null) return "–";
  let s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return (h ? h + "h " : "") + (h || m ? m + "m " : "") + s + "s";
}
function figure(label, value, testid) {
  const d = el("div", null, { class: "figure" });
  d.append(el("span", label, { class: "label" }), el("span", value, { class: "value", "data-testid": testid }));
  return d;
}
function runCard(run, nowMs) {
  const id = "run-" + run.id;
  const card = el("article", null, { class: "run", "data-testid": id, "data-status": run.status });
  const title = el("h3");
  title.append(
    el("span", "run " + run.id + (run.kind ? " · " + run.kind : "") + (run.target ? " · " + run.target : "")),
    el("span", run.status, { class: "status " + run.status, "data-testid": id + "-status" }),
    el("span", run.dryRun ? "dry run" : "", { class: "dry" }),
  );
  const pct = run.total > 0 ? Math.min(100, (run.done / run.total) * 100) : run.status === "completed" ? 100 : 0;
  const bar = el("div", null, { class: "bar", "data-testid": id + "-progress", "data-percent": pct.toFixed(1) });
  const done = el("div", null, { class: "fill" });
  done.style.width = pct.toFixed(1) + "%";
  bar.append(done, el("span", pct.toFixed(1) + " %", { class: "pct" }));
  const figures = el("div", null, { class: "figures" });
  const b = run.batches;
  const throttle = run.throttle.reason
    ? "throttled: " + run.throttle.reason + " since " + fmtTime(run.throttle.sinceMs)
    : "not throttled";
  figures.append(
    figure("done", run.done, id + "-done"),
    figure("total", run.total, id + "-total"),
    figure("tags/s", run.ratePerSec, id + "-rate"),
    figure("ETA", run.etaMs == null ? "–" : fmtDuration(run.etaMs), id + "-eta"),
    figure("mapped", run.tags.backfilled, id + "-backfilled"),
    figure("broken", run.broken, id + "-broken"),
    figure("skipped", run.tags.skipped, id + "-skipped"),
    figure("failed", run.failed, id + "-failed"),
    figure("batches", b.done + " done · " + b.running + " running · " + b.pending + " pending · " +
      b.failed + " failed / " + b.total, id + "-batches"),
    figure("throttle", throttle + " (" + fmtDuration(run.throttle.totalMs) + " in all)", id + "-throttle"),
    figure("last line", fmtDuration(nowMs - run.lastSeenMs) + " ago", id + "-last-seen"),
  );
  const reasons = el("table", null, { class: "reasons", "data-testid": id + "-reasons" });
  const head = el("thead");
  head.append(row([el("th", "reason"), el("th", "tags")]));
  const body = el("tbody");
  const entries = Object.entries(run.byReason).sort((x, y) => y[1] - x[1]);
  for (const [reason, count] of entries) body.append(row([reason, count], { "data-reason": reason }));
  if (!entries.length) body.append(row([el("td", "no broken or failed tag", { colspan: 2, class: "none" })]));
  reasons.append(head, body);
  card.append(title, bar, figures, el("h4", "Outcomes by reason (broken and failed tags)"), reasons);
  return card;
}
function renderModel(model) {
  setText("updated", fmtTime(model.nowMs));
  setText("last-line", fmtTime(model.lastLineMs));
  setText("lines-read", model.lines.read);
  setText("lines-used", model.lines.used);
  const skipped = Object.values(model.lines.skipped).reduce((a, n) => a + n, 0);
  setText("lines-skipped", skipped);
  const runs = byTestId("runs");
  runs.replaceChildren(...model.runs.map((r) => runCard(r, model.nowMs)));
  if (!model.runs.length) runs.append(el("p", "no run in the logs yet", { class: "none" }));
  setText("p50", model.batchDuration.p50Ms ?? "–");
  setText("p95", model.batchDuration.p95Ms ?? "–");
  setText("batch-count", model.batchDuration.count);
  setText("retries", model.retries);
  setText("failures", model.failures);
  fill("errors", model.latestErrors.slice().reverse().map((e) =>
    row([fmtTime(e.timeMs), e.level, e.event, e.runId ?? "", e.batchId ?? "", e.message], { class: e.level })),
    "no warning or error line");
  fill("throttles", model.throttles.slice().reverse().map((t) =>
    row([t.runId, fmtTime(t.startMs), t.endMs == null ? "still throttled" : fmtTime(t.endMs), t.reason])),
    "no throttle period");
  fill("workers", model.workers.map((w) =>
    row([w.host, w.pid, w.actor ?? "", el("td", w.state, { class: "state " + w.state }), w.held,
      fmtDuration(model.nowMs - w.lastSeenMs) + " ago (" + fmtTime(w.lastSeenMs) + ")", fmtTime(w.lastBatchAtMs),
      el("td", w.restRatio, { "data-testid": "rest-ratio" })],
      { "data-state": w.state })),
    "no worker heartbeat in the logs");
  fill("skipped", Object.entries(model.lines.skipped).map(([cause, count]) =>
    row([cause, el("td", count, { "data-testid": "skipped-" + cause })], { "data-cause": cause })), "");
}
`;
