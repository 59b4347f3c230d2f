import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The shared reference vectors: beside the checkout, never copied into it. */
export const VECTORS_DIR = path.resolve(REPO_ROOT, "../shared/vectors");
