import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { LiveResult } from "../lib/live-result.js";
import { renderLiveReadmeSection, renderLiveReport, replaceLiveReadmeSection } from "../lib/render-live.js";

/** live.json and live.md in `outDir`, and README's live section unless `readme` is false. */
export async function writeLiveResults(result: LiveResult, outDir: string, readme: boolean): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await writeFile(join(outDir, "live.json"), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outDir, "live.md"), renderLiveReport(result));
  if (!readme) return;
  let text = replaceLiveReadmeSection(await readFile("README.md", "utf8"), renderLiveReadmeSection(result));
  try {
    const prettier = await import("prettier");
    text = await prettier.format(text, {
      ...((await prettier.resolveConfig("README.md")) ?? {}),
      filepath: "README.md",
    });
  } catch {
    // Without Prettier the tables stay as generated.
  }
  await writeFile("README.md", text);
}
