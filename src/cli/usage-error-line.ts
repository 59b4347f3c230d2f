/**
 * Commander's error text as one line: `error: unknown command 'stauts'\n(Did you mean status?)` becomes
 * `backfill: unknown command 'stauts' (did you mean status?)`. Without a suggestion, where to look.
 */
export function oneLineUsageError(text: string): string {
  const parts = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const head = (parts[0] ?? "usage error").replace(/^error:\s*/, "");
  const suggestion = parts
    .slice(1)
    .map((line) => line.replace(/^\((.*)\)$/, "$1"))
    .map((line) => line.replace(/^Did you mean/, "did you mean"))
    .join(" ");
  const hint = suggestion !== "" ? `(${suggestion})` : "(`backfill --help` lists commands and flags)";
  return `backfill: ${head} ${hint}\n`;
}
