import { readFile } from "node:fs/promises";
import { UsageError } from "../errors.js";

/**
 * The text of the private key file BACKFILL_SIGNING_KEY_FILE names: the one place it is read. Errors name
 * the file, never its contents.
 */
export async function readSigningKeyFile(file: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const why = typeof code === "string" ? code : "unreadable";
    throw new UsageError(`BACKFILL_SIGNING_KEY_FILE: cannot read ${file} (${why})`);
  }
}
