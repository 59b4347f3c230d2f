import { MalformedManifestError } from "./errors.js";
import { isJsonObject, type JsonObject } from "./json-value.js";
import { JsonSyntaxError, parsePythonJson } from "./python-json-parser.js";
import { toBytes } from "./digest.js";

export interface ManifestDocument {
  /** The exact bytes: digests and signatures are over these, never over a re-serialisation. */
  bytes: Buffer;
  document: JsonObject;
}

/** Reads manifest bytes into a lossless JSON object, or throws `empty`/`invalid_json`/`not_object`. */
export function readDocument(input: string | Uint8Array): ManifestDocument {
  const bytes = toBytes(input);
  const text = bytes.toString("utf8");
  if (text.trim() === "") throw new MalformedManifestError("empty", "", "manifest is empty");
  let document;
  try {
    document = parsePythonJson(text);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError)) throw err;
    throw new MalformedManifestError("invalid_json", "", `manifest is not JSON: ${err.message}`, {
      cause: err,
    });
  }
  if (!isJsonObject(document))
    throw new MalformedManifestError("not_object", "", "manifest is not a JSON object");
  return { bytes, document };
}
