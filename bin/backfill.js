#!/usr/bin/env node
// The installed CLI runs the compiled JavaScript in dist/ (`npm run build`): no TypeScript compiler at run
// time, so tsx and esbuild stay development tools. `npm run backfill` runs the sources through tsx.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const main = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(main))) {
  process.stderr.write("backfill: the compiled CLI (dist/src/cli/main.js) is missing; run npm run build\n");
  process.exit(2);
}
await import(main.href);
