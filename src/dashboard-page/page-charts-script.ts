/**
 * The page's script, part two: the uPlot charts of the model's time series, and what starts the page
 * (the export reads the model embedded in it; the live page polls model.json).
 */
export const PAGE_CHARTS_SCRIPT = String.raw`"use strict";
const charts = {};
// One slot of padding each side: a run shorter than a slot still gets a readable time axis.
let slotS = 10;
function xRange(u, min, max) {
  if (min == null) return [Date.now() / 1000 - 60, Date.now() / 1000];
  // uPlot stretches a time axis with one point to 1000 days: keep it to that point's slot.
  const xs = u.data && u.data[0];
  if (xs && xs.length === 1) return [xs[0] - slotS, xs[0] + slotS];
  return [min - slotS, max + slotS];
}
function chart(key, series, data) {
  const target = document.getElementById("chart-" + key);
  if (charts[key]) {
    charts[key].setData(data);
    return;
  }
  if (typeof uPlot === "undefined") {
    target.textContent = "charts unavailable: uPlot did not load";
    return;
  }
  const width = Math.max(280, target.clientWidth || 360);
  const opts = { width, height: 180, scales: { x: { time: true, range: xRange } }, series: [{}, ...series] };
  charts[key] = new uPlot(opts, data, target);
}
function drawCharts(model) {
  const s = model.series;
  slotS = model.bucketMs / 1000;
  const x = s.map((b) => b.startMs / 1000);
  chart("rate", [{ label: "tags/s", stroke: "#1a7f5a", width: 2 }], [x, s.map((b) => b.tagsPerSec)]);
  chart("duration", [
    { label: "p50", stroke: "#2563eb", width: 2, spanGaps: true },
    { label: "p95", stroke: "#c2410c", width: 2, spanGaps: true },
  ], [x, s.map((b) => b.p50Ms), s.map((b) => b.p95Ms)]);
  chart("stages", [
    { label: "load", stroke: "#2563eb" },
    { label: "plan", stroke: "#7c3aed" },
    { label: "sign", stroke: "#c2410c" },
    { label: "write", stroke: "#1a7f5a" },
  ], [x, s.map((b) => b.stages.loadMs), s.map((b) => b.stages.planMs), s.map((b) => b.stages.signMs),
    s.map((b) => b.stages.writeMs)]);
}
let updates = 0;
function show(model) {
  renderModel(model);
  try {
    drawCharts(model);
  } catch (err) {
    setText("poll-error", "charts: " + err.message);
  }
  updates++;
  document.body.dataset.updates = String(updates);
}
const config = JSON.parse(document.getElementById("dashboard-config").textContent);
if (config.mode === "export") {
  show(JSON.parse(document.getElementById("dashboard-model").textContent));
} else {
  const poll = async () => {
    try {
      const response = await fetch("model.json", { cache: "no-store" });
      if (!response.ok) throw new Error("HTTP " + response.status);
      show(await response.json());
      setText("poll-error", "");
    } catch (err) {
      setText("poll-error", "cannot reach the dashboard: " + err.message);
    } finally {
      setTimeout(poll, config.pollMs);
    }
  };
  void poll();
}
`;
