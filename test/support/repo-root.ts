import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The reference vectors (Quay's outputs, real signed manifests): see test/vectors/README.md. */
export const VECTORS_DIR = path.join(REPO_ROOT, "test", "vectors");
