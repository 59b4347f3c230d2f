import type { JsonObject, JsonValue } from "./json-value.js";
import { toPlain } from "./json-value.js";
import { readFormat, type PayloadFormat } from "./schema1-digest.js";

export interface Schema1Signature {
  alg: string;
  /** The JWK as plain JSON, as handed to a JOSE library. */
  jwk: Record<string, unknown>;
  protected: string;
  signature: string;
  /** Set when this header's formatLength/formatTail conflict with the others': libtrust refuses them all. */
  conflict?: string;
}

/** Something libtrust refuses in the signed form, for the pull check to report. */
export interface SignedFormProblem {
  code: string;
  message: string;
}

export interface Schema1Signatures {
  signatures: Schema1Signature[];
  /** The one payload every signature covers: `bytes[:formatLength] + formatTail`. */
  payload: Buffer;
  /** The first header's format, which gives that payload; undefined when unsigned. */
  format: PayloadFormat | undefined;
  problems: SignedFormProblem[];
}

/**
 * Reads the signature block of a shape-checked schema1 document. The payload is one for all signatures,
 * taken from the first header as Quay does; like libtrust's ParsePrettySignature, a later header that
 * gives another formatLength or formatTail is a conflict, even when each signature verifies over its own.
 */
export function readSchema1Signatures(bytes: Buffer, value: JsonValue | undefined): Schema1Signatures {
  if (value === undefined) return { signatures: [], payload: bytes, format: undefined, problems: [] };
  const blocks = value as JsonObject[];
  const formats = blocks.map((block, i) =>
    readFormat(bytes, block.get("protected") as string, `/signatures/${i}/protected`),
  );
  const conflicts = findConflicts(formats);
  const signatures = blocks.map((block, i): Schema1Signature => {
    const header = block.get("header") as JsonObject;
    const conflict = conflicts.get(i);
    return {
      alg: header.get("alg") as string,
      jwk: toPlain(header.get("jwk") as JsonObject) as Record<string, unknown>,
      protected: block.get("protected") as string,
      signature: block.get("signature") as string,
      ...(conflict === undefined ? {} : { conflict }),
    };
  });
  const first = formats[0] as PayloadFormat;
  const payload = Buffer.concat([bytes.subarray(0, first.formatLength), first.formatTail]);
  const problems = [...new Set(conflicts.values())].map((message) => ({
    code: "conflicting_format",
    message: `signature headers disagree on the payload (libtrust: ${message})`,
  }));
  return { signatures, payload, format: first, problems };
}

function findConflicts(formats: readonly PayloadFormat[]): Map<number, string> {
  const conflicts = new Map<number, string>();
  const first = formats[0];
  formats.forEach(({ formatLength, formatTail }, i) => {
    if (first === undefined || i === 0) return;
    if (formatLength !== first.formatLength) conflicts.set(i, "conflicting format length");
    else if (!formatTail.equals(first.formatTail)) conflicts.set(i, "conflicting format tail");
  });
  return conflicts;
}
