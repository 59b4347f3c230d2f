// npm run bench:live (issue 14): the application workload (bench/io/app-workload.ts) measured alone and
// beside `backfill run` with the default throttling and with throttling off, on copies of one seeded
// registry (bench/io/live-bench.ts; `npm run bench` runs the same after its passes); writes
// bench/results/live.{json,md} and README's live section. `npm run bench:live -- --help`.
import { gitRevision } from "./io/git-revision.js";
import { measureLive } from "./io/live-bench.js";
import { writeLiveResults } from "./io/live-results-file.js";
import { LIVE_USAGE, LiveUsageError, parseLiveOptions, type LiveOptions } from "./lib/live-options.js";
import { TopologyError } from "./lib/live-topology.js";
import { renderLiveReport } from "./lib/render-live.js";

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${LIVE_USAGE}\n`);
    return 0;
  }
  let options: LiveOptions;
  try {
    options = parseLiveOptions(argv);
  } catch (err) {
    if (err instanceof LiveUsageError) {
      process.stderr.write(`bench:live: ${err.message}\n${LIVE_USAGE}\n`);
      return 2;
    }
    throw err;
  }
  const command = ["npm run bench:live", ...(argv.length > 0 ? ["--", ...argv] : [])].join(" ");
  let result;
  try {
    result = await measureLive(options, {
      command,
      revision: gitRevision(["src", "jobs", "migrations", "bench"]),
    });
  } catch (err) {
    if (err instanceof TopologyError) {
      process.stderr.write(`bench:live: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await writeLiveResults(result, options.outDir, options.readme);
  process.stdout.write(renderLiveReport(result));
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:live: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
