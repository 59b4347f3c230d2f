import { readFileSync } from "node:fs";
import { loadAll } from "js-yaml";

/** Every document of a YAML file (anchors and aliases resolved), empty ones left out. */
export function loadYamlDocuments(file: string): unknown[] {
  return loadAll(readFileSync(file, "utf8")).filter((d) => d !== null && d !== undefined);
}
