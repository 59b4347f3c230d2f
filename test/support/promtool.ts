import { spawnSync } from "node:child_process";

/**
 * `promtool check metrics` on a /metrics text: its exit status and what it said. promtool comes with
 * Debian's prometheus package, which scripts/services.sh (run by scripts/test.sh) installs; without it
 * this throws, so the test fails saying so instead of passing unchecked.
 */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const result = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (result.error) {
    throw new Error(
      `promtool could not run (${result.error.message}): install Debian's prometheus package (scripts/services.sh does, as root)`,
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
