import { execFileSync } from "node:child_process";

/**
 * The commit under test, with "+ uncommitted changes" when any of `paths` differs from it (the checkout is
 * shared, so uncommitted source changes are named); "unknown" outside a git checkout.
 */
export function gitRevision(paths: readonly string[]): string {
  try {
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", ...paths], { encoding: "utf8" });
    return dirty.trim() === "" ? head : `${head} + uncommitted changes`;
  } catch {
    return "unknown";
  }
}
