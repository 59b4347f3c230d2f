import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/** uPlot's script and style, read from the installed package (the page never loads them from a CDN). */
export interface PageAssets {
  uplotJs: string;
  uplotCss: string;
}

let cached: PageAssets | undefined;

export function pageAssets(): PageAssets {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = {
      uplotJs: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
      uplotCss: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
    };
  }
  return cached;
}
