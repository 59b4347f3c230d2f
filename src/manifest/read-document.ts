import { MalformedManifestError } from "./errors.js";
import { isJsonObject, type JsonObject } from "./json-value.js";
import { JsonSyntaxError } from "./python-json-parser.js";
import { parseTopLevel, type TopLevelMember } from "./top-level-parser.js";
import { toBytes } from "./digest.js";
import { firstInvalidUtf8 } from "./strict-utf8.js";

export interface ManifestDocument {
  /** The exact bytes: digests and signatures are over these, never over a re-serialisation. */
  bytes: Buffer;
  document: JsonObject;
  /** The decoded text, and where each top-level member ends in it (in order, repeats included). */
  text: string;
  members: TopLevelMember[];
}

/**
 * Reads manifest bytes into a lossless JSON object, or throws `invalid_utf8`/`empty`/`invalid_json`/
 * `not_object`. The bytes are decoded as Python's strict `utf-8` codec does (Quay's `as_unicode`): a byte
 * that is not UTF-8 refuses the manifest instead of becoming U+FFFD, which would change the text parsed
 * and every field read from it.
 */
export function readDocument(input: string | Uint8Array): ManifestDocument {
  const bytes = toBytes(input);
  const invalid = firstInvalidUtf8(bytes);
  if (invalid !== undefined) {
    throw new MalformedManifestError(
      "invalid_utf8",
      "",
      `manifest is not UTF-8: 'utf-8' codec can't decode byte 0x${invalid.byte} in position ${invalid.position}: ${invalid.reason}`,
    );
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") throw new MalformedManifestError("empty", "", "manifest is empty");
  let document, members;
  try {
    ({ value: document, members } = parseTopLevel(text));
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new MalformedManifestError("invalid_json", "", `manifest is not JSON: ${err.message}`, {
      cause: err,
    });
  }
  if (!isJsonObject(document))
    throw new MalformedManifestError("not_object", "", "manifest is not a JSON object");
  return { bytes, document, text, members };
}
