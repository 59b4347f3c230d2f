import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * The runtime environment the Dockerfile deploys with (its final stage's `ENV NAME=value` lines: heap and
 * allocator limits), so the bench measures what operators run and the two cannot drift apart. Throws if
 * NODE_OPTIONS is not among them.
 */
export function deploymentEnv(
  dockerfile = fileURLToPath(new URL("../../Dockerfile", import.meta.url)),
): Record<string, string> {
  const text = readFileSync(dockerfile, "utf8");
  const finalStage = text.slice(text.lastIndexOf("\nFROM ") + 1);
  const env: Record<string, string> = {};
  for (const match of finalStage.matchAll(/^ENV\s+([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"]*)"|(\S*))\s*$/gm)) {
    const name = match[1] as string;
    env[name] = match[2] ?? match[3] ?? "";
  }
  if (!env.NODE_OPTIONS) throw new Error(`${dockerfile} has no ENV NODE_OPTIONS=… line for the bench to use`);
  return env;
}

/** The deployment's environment as one line for the report: `NAME=value NAME=value`. */
export function describeDeploymentEnv(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => (/\s/.test(value) ? `${name}="${value}"` : `${name}=${value}`))
    .join(" ");
}
