// Renders bench/results/latest.{md,svg} and README's performance section again from latest.json, with
// the targets re-evaluated: for a change of the report or the targets without a new 20-minute run.
// Usage: tsx bench/render-results.ts [results dir]
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BenchResult } from "./lib/bench-result.js";
import { evaluateTargets, targetInputsOf } from "./lib/evaluate-targets.js";
import { renderReadmeSection, renderReport, replaceReadmeSection } from "./lib/render-report.js";
import { renderThroughputSvg } from "./lib/render-throughput-svg.js";

export async function writeRendered(result: BenchResult, outDir: string, readme: boolean): Promise<void> {
  await writeFile(join(outDir, "latest.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, "latest.md"), renderReport(result));
  const series = result.passes.map((p) => ({
    label: `${p.size.toLocaleString("en-US")} ${p.alg}`,
    points: p.throughput,
  }));
  await writeFile(
    join(outDir, "throughput.svg"),
    renderThroughputSvg(series, `backfill run: tags per second (${result.finishedAt.slice(0, 10)})`),
  );
  if (readme) {
    const text = replaceReadmeSection(await readFile("README.md", "utf8"), renderReadmeSection(result));
    await writeFile("README.md", await formatMarkdown(text, "README.md"));
  }
}

/** Prettier (a dev dependency) aligns the tables as `npm run format` would; without it, as generated. */
async function formatMarkdown(text: string, file: string): Promise<string> {
  try {
    const prettier = await import("prettier");
    const options = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...options, filepath: file });
  } catch {
    return text;
  }
}

if (import.meta.url === `file://${process.argv[1] ?? ""}`) {
  const dir = process.argv[2] ?? "bench/results";
  const result = JSON.parse(await readFile(join(dir, "latest.json"), "utf8")) as BenchResult;
  result.targets = evaluateTargets(targetInputsOf(result));
  await writeRendered(result, dir, dir === "bench/results");
  process.stdout.write(`${join(dir, "latest.md")} rendered\n`);
}
