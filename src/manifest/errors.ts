import { PermanentError } from "../errors.js";
/** Why a manifest was refused; stable strings for logs, NDJSON error lines and tests. */
export type MalformedCode =
  | "empty"
  | "invalid_utf8"
  | "ambiguous_kind"
  | "invalid_json"
  | "not_object"
  | "unknown_kind"
  | "schema_violation"
  | "invalid_signatures"
  | "invalid_protected_header"
  | "layer_count_mismatch"
  | "invalid_blob_sum"
  | "invalid_v1_json"
  | "v1_not_object"
  | "v1_missing_id"
  | "child_mismatch";

/**
 * The bytes are not a manifest we can read. `field` is a JSON-pointer-like path to the offending part
 * (`/history/2/v1Compatibility`), `""` for the whole document. The message never quotes the input at
 * length: a manifest can be megabytes, and a log line is not the place for it.
 */
export class MalformedManifestError extends Error {
  override readonly name = "MalformedManifestError";
  constructor(
    readonly code: MalformedCode,
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A signing key could not be used. Deliberately carries no `cause`: parser errors quote their input, and
 * the input here is private key material.
 */
export class SigningKeyError extends PermanentError {
  override readonly name = "SigningKeyError";
}
