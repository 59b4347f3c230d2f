import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * js-yaml comes with ESLint (a development dependency's dependency, no types of its own); only its
 * loaders are used, typed here.
 */
const jsYaml = createRequire(import.meta.url)("js-yaml") as { loadAll(text: string): unknown[] };

/** Every document of a YAML file (anchors and aliases resolved), empty ones left out. */
export function loadYamlDocuments(file: string): unknown[] {
  return jsYaml.loadAll(readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
}
