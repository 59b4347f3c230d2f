import type { DashboardModel } from "../dashboard/dashboard-model.js";
import { PAGE_CHARTS_SCRIPT } from "./page-charts-script.js";
import { PAGE_RENDER_SCRIPT } from "./page-render-script.js";
import { PAGE_STYLE } from "./page-style.js";

/** How the page gets uPlot and its figures. */
export type PageSource =
  /** Served live: uPlot from the server's /assets, the model polled from /model.json. */
  | { kind: "live"; pollMs: number }
  /** One self-contained file: uPlot and the model inside it, nothing fetched. */
  | { kind: "export"; model: DashboardModel; uplotJs: string; uplotCss: string };

/** Text safe inside a <script> element: no `</script` (nor `<!--`) can end or bend it. */
function scriptText(text: string): string {
  return text.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--");
}

/** JSON inside a <script type="application/json">: every `<` escaped, so a log line cannot close it. */
export function embeddedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/**
 * The dashboard page. Every figure and string from the logs is put in with textContent by the page's
 * script (page-render-script.ts), never as HTML.
 */
export function dashboardPage(source: PageSource): string {
  const head =
    source.kind === "live"
      ? `<link rel="stylesheet" href="assets/uPlot.min.css"><script src="assets/uPlot.iife.min.js"></script>`
      : `<style>${source.uplotCss.replace(/<\/(style)/gi, "<\\/$1")}</style><script>${scriptText(source.uplotJs)}</script>`;
  const config =
    source.kind === "live"
      ? embeddedJson({ mode: "live", pollMs: source.pollMs })
      : embeddedJson({ mode: "export" });
  const model =
    source.kind === "export"
      ? `<script id="dashboard-model" type="application/json">${embeddedJson(source.model)}</script>`
      : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>backfill dashboard</title>
${head}
<style>${PAGE_STYLE}</style>
</head>
<body>
<header>
  <h1>backfill dashboard</h1>
  <div class="meta"><span data-testid="mode">${source.kind}</span> · updated <span data-testid="updated">never</span>
  · newest line <span data-testid="last-line">none</span>
  · lines read <span data-testid="lines-read">0</span>, used <span data-testid="lines-used">0</span>,
  skipped <span data-testid="lines-skipped">0</span>
  <span data-testid="poll-error" class="error"></span></div>
</header>
<main>
  <section id="runs"><h2>Runs</h2><div data-testid="runs"></div></section>
  <section class="charts">
    <div><h2>Tags per second</h2><div id="chart-rate" data-testid="chart-rate"></div></div>
    <div><h2>Batch duration p50 / p95 (ms)</h2><div id="chart-duration" data-testid="chart-duration"></div></div>
    <div><h2>Mean time per stage (ms)</h2><div id="chart-stages" data-testid="chart-stages"></div></div>
  </section>
  <section><h2>Batches</h2><p>duration p50 <span data-testid="p50">–</span> ms, p95
    <span data-testid="p95">–</span> ms over <span data-testid="batch-count">0</span> batches;
    retries <span data-testid="retries">0</span>, failures <span data-testid="failures">0</span></p></section>
  <section><h2>Latest errors</h2><table data-testid="errors"><thead><tr><th>time</th><th>level</th>
    <th>event</th><th>run</th><th>batch</th><th>message</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Throttle periods</h2><table data-testid="throttles"><thead><tr><th>run</th><th>from</th>
    <th>to</th><th>reason</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Workers</h2><table data-testid="workers"><thead><tr><th>host</th><th>pid</th><th>actor</th>
    <th>state</th><th>leases held</th><th>last seen</th><th>last batch</th><th>rest ratio</th></tr></thead><tbody></tbody></table></section>
  <section><h2>Skipped lines</h2><table data-testid="skipped"><thead><tr><th>cause</th><th>lines</th></tr>
    </thead><tbody></tbody></table></section>
</main>
<script id="dashboard-config" type="application/json">${config}</script>
${model}
<script>${scriptText(PAGE_RENDER_SCRIPT)}</script>
<script>${scriptText(PAGE_CHARTS_SCRIPT)}</script>
</body>
</html>
`;
}
