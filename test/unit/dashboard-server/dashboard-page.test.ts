import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { LogAggregator } from "../../../src/dashboard/log-aggregator.js";
import { dashboardPage, embeddedJson } from "../../../src/dashboard-page/dashboard-page.js";
import { pageAssets } from "../../../src/dashboard-server/page-assets.js";

describe("the dashboard page", () => {
  test("embedded JSON cannot close its script element and reads back the same", () => {
    const value = { message: "</script><script>alert(1)</script><!--", line: "\u2028" };
    const text = embeddedJson(value);
    assert.doesNotMatch(text, /<\/script|<!--/i);
    assert.deepEqual(JSON.parse(text), value);
  });

  test("the export holds uPlot and the model, and loads nothing from elsewhere", () => {
    const aggregator = new LogAggregator();
    aggregator.add('{"event":"x","note":"</script><img src=x>"}');
    const { uplotJs, uplotCss } = pageAssets();
    const html = dashboardPage({ kind: "export", model: aggregator.model(0), uplotJs, uplotCss });
    assert.ok(html.includes(uplotJs.slice(0, 200)), "uPlot inlined");
    // uPlot's licence banner names its home page; no element or style loads anything.
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=|\b(src|href)=|url\(/);
    assert.equal(html.match(/<\/script>/g)?.length, html.match(/<script/g)?.length);
  });

  test("the live page loads uPlot from the server itself, never a CDN", () => {
    const html = dashboardPage({ kind: "live", pollMs: 2000 });
    assert.match(html, /<script src="assets\/uPlot\.iife\.min\.js"><\/script>/);
    assert.doesNotMatch(html, /https?:\/\//);
  });
});
