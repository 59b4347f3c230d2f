import type { ThroughputPoint } from "./pass-metrics.js";

export interface ChartSeries {
  label: string;
  points: readonly ThroughputPoint[];
}

const WIDTH = 760;
const HEIGHT = 380;
const MARGIN = { left: 64, right: 190, top: 36, bottom: 48 };
const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"];

export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A "nice" tick step (1, 2 or 5 × 10^k) giving about `count` ticks up to `max`. */
export function niceStep(max: number, count = 5): number {
  if (!(max > 0)) return 1;
  const raw = max / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const scaled = raw / power;
  const nice = scaled <= 1 ? 1 : scaled <= 2 ? 2 : scaled <= 5 ? 5 : 10;
  return nice * power;
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/**
 * Tags per second over time, one line per pass, as a self-contained SVG (no fonts or scripts
 * referenced). Time is seconds since each run started, so passes of different sizes share the x axis.
 */
export function renderThroughputSvg(series: readonly ChartSeries[], title: string): string {
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const all = series.flatMap((s) => s.points);
  const maxT = Math.max(1, ...all.map((p) => p.tSec));
  const maxY = Math.max(1, ...all.map((p) => p.tagsPerSec));
  const stepX = niceStep(maxT, 6);
  const stepY = niceStep(maxY, 5);
  const topX = Math.ceil(maxT / stepX) * stepX;
  const topY = Math.ceil(maxY / stepY) * stepY;
  const x = (t: number) => MARGIN.left + (t / topX) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (v / topY) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (let v = 0; v <= topY + stepY / 2; v += stepY) {
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y(v).toFixed(1)}" x2="${MARGIN.left + plotW}" y2="${y(v).toFixed(1)}" stroke="#e0e0e0"/>`,
      `<text x="${MARGIN.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (let t = 0; t <= topX + stepX / 2; t += stepX) {
    parts.push(
      `<line x1="${x(t).toFixed(1)}" y1="${MARGIN.top + plotH}" x2="${x(t).toFixed(1)}" y2="${MARGIN.top + plotH + 4}" stroke="#333"/>`,
      `<text x="${x(t).toFixed(1)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  parts.push(
    `<line x1="${MARGIN.left}" y1="${MARGIN.top}" x2="${MARGIN.left}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<line x1="${MARGIN.left}" y1="${MARGIN.top + plotH}" x2="${MARGIN.left + plotW}" y2="${MARGIN.top + plotH}" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">seconds since the run started</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">tags per second</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length] as string;
    if (s.points.length > 0) {
      const path = s.points.map((p) => `${x(p.tSec).toFixed(1)},${y(p.tagsPerSec).toFixed(1)}`).join(" ");
      parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${path}"/>`);
    }
    const ly = MARGIN.top + 10 + i * 20;
    const lx = MARGIN.left + plotW + 16;
    parts.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${colour}" stroke-width="3"/>`,
      `<text x="${lx + 26}" y="${ly + 4}">${escapeXml(s.label)}</text>`,
    );
  });
  parts.push("</svg>", "");
  return parts.join("\n");
}
