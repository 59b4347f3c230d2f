import { existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";

/** Where Debian's chromium package puts the browser (scripts/services.sh installs it). */
const CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

/**
 * Debian's chromium, for the browser tests. CHROMIUM_PATH overrides; else the Debian path, else `chromium`
 * on PATH. Without one this throws, so the test fails saying what to install instead of passing unchecked.
 */
export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv !== undefined && fromEnv !== "") {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH names ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (found) return found;
  const which = spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" });
  const onPath = which.stdout.trim();
  if (which.status === 0 && onPath !== "") return onPath;
  throw new Error(
    "no chromium to drive: install Debian's chromium package (scripts/services.sh does, as root) or set CHROMIUM_PATH",
  );
}

/** Headless chromium through playwright-core (which brings no browser of its own). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    // Containers often run as root, where chromium refuses its sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}
