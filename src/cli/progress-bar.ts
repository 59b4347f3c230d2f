import { formatDuration, type ProgressEstimate } from "../run/progress-meter.js";
import { formatRate } from "../run/run-rate.js";

/**
 * One self-rewriting line on a terminal: done/total, rate (run-rate.ts, as the summary and `status`
 * show it), ETA, broken count. Written to stderr so stdout keeps the result alone.
 */
export class ProgressBar {
  #lastWidth = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 28,
  ) {}

  render(estimate: ProgressEstimate, broken: number, failed: number): void {
    const fraction = estimate.total > 0 ? Math.min(1, estimate.done / estimate.total) : 1;
    const filled = Math.round(fraction * this.width);
    const bar = "█".repeat(filled) + "░".repeat(this.width - filled);
    const parts = [
      `${bar} ${(fraction * 100).toFixed(1)}%`,
      `${estimate.done}/${estimate.total} tags`,
      formatRate(estimate.ratePerSec),
      `ETA ${formatDuration(estimate.etaMs)}`,
      `broken ${broken}`,
    ];
    if (failed > 0) parts.push(`failed ${failed}`);
    const line = parts.join(" · ");
    const pad = Math.max(0, this.#lastWidth - line.length);
    this.#lastWidth = line.length;
    this.stream.write(`\r${line}${" ".repeat(pad)}`);
  }

  finish(): void {
    if (this.#lastWidth > 0) this.stream.write("\n");
    this.#lastWidth = 0;
  }
}
