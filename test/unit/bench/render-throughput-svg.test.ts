import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { escapeXml, niceStep, renderThroughputSvg } from "../../../bench/lib/render-throughput-svg.js";

describe("renderThroughputSvg", () => {
  test("one polyline per series with its points scaled into the plot, a legend entry each", () => {
    const svg = renderThroughputSvg(
      [
        {
          label: "10,000 RS256",
          points: [
            { tSec: 10, tagsPerSec: 250 },
            { tSec: 20, tagsPerSec: 500 },
          ],
        },
        { label: "10,000 ES256 <fast> & co", points: [{ tSec: 5, tagsPerSec: 100 }] },
      ],
      "tags per second",
    );
    assert.ok(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"'));
    assert.ok(svg.trimEnd().endsWith("</svg>"));
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(lines.length, 2);
    // x: 64 + t/20·506 (axis top 20 s); y: 36 + 296 − v/500·296 (axis top 500).
    assert.equal(lines[0], "317.0,184.0 570.0,36.0");
    assert.ok(svg.includes("10,000 ES256 &#60;fast&#62; &#38; co"));
    assert.ok(!svg.includes("<fast>"));
  });

  test("no data still renders axes and the legend", () => {
    const svg = renderThroughputSvg([{ label: "empty", points: [] }], "t");
    assert.equal((svg.match(/<polyline/g) ?? []).length, 0);
    assert.ok(svg.includes(">empty</text>"));
  });

  test("tick steps are 1, 2 or 5 times a power of ten", () => {
    assert.equal(niceStep(500, 5), 100);
    assert.equal(niceStep(73, 5), 20);
    assert.equal(niceStep(0.3, 5), 0.1);
    assert.equal(niceStep(0), 1);
    assert.equal(escapeXml(`a<b>&"'`), "a&#60;b&#62;&#38;&#34;&#39;");
  });
});
