// Summarises the .cpuprofile files `npm run bench -- --cpu-prof-dir DIR` left (one per backfill child,
// plus one per worker thread): top self-time functions and files, as markdown on stdout.
// Usage: tsx bench/summarise-profile.ts DIR [top]
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { summariseCpuProfile, type CpuProfile } from "./lib/summarise-cpu-profile.js";

const [dir, topArg] = process.argv.slice(2);
if (dir === undefined) {
  process.stderr.write("usage: tsx bench/summarise-profile.ts DIR [top]\n");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const files = (await readdir(dir)).filter((f) => f.endsWith(".cpuprofile")).sort();
for (const file of files) {
  const profile = JSON.parse(await readFile(join(dir, file), "utf8")) as CpuProfile;
  const s = summariseCpuProfile(profile, process.cwd(), top);
  const lines = [
    `### ${file}`,
    "",
    `Sampled ${(s.totalMs / 1000).toFixed(1)} s: busy ${(s.busyMs / 1000).toFixed(1)} s, idle ${(s.idleMs / 1000).toFixed(1)} s ` +
      `(${((100 * s.idleMs) / Math.max(1, s.totalMs)).toFixed(0)}% idle). Self time, % of busy time:`,
    "",
    "| # | function | self ms | self % |",
    "| ---: | --- | ---: | ---: |",
    ...s.top.map(
      (f, i) => `| ${i + 1} | \`${f.function}\` | ${f.selfMs.toFixed(0)} | ${f.selfPct.toFixed(1)} |`,
    ),
    "",
    "| file | self ms | self % |",
    "| --- | ---: | ---: |",
    ...s.byFile
      .slice(0, 15)
      .map((f) => `| \`${f.function}\` | ${f.selfMs.toFixed(0)} | ${f.selfPct.toFixed(1)} |`),
    "",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}
