import { isUtf8 } from "node:buffer";

/** Where Python's strict `utf-8` decoder stops, in its own words (`invalid start byte`, …). */
export interface Utf8Failure {
  position: number;
  /** The offending byte, two lower-case hex digits. */
  byte: string;
  reason: "invalid start byte" | "invalid continuation byte" | "unexpected end of data";
}

/**
 * The first place strict UTF-8 decoding fails, or undefined for valid UTF-8. Like Python (and unlike
 * `Buffer#toString`), overlong forms, surrogates (U+D800–U+DFFF) and code points above U+10FFFF are
 * refused. The native check answers the common case; the walk below only runs to name the position.
 */
export function firstInvalidUtf8(bytes: Uint8Array): Utf8Failure | undefined {
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    const length = sequenceLength(lead);
    if (length === 1) {
      i++;
      continue;
    }
    if (length === 0) return failure(bytes, i, "invalid start byte");
    for (let k = 1; k < length; k++) {
      if (i + k >= bytes.length) return failure(bytes, i, "unexpected end of data");
      const next = bytes[i + k] as number;
      if (!continues(lead, k, next)) return failure(bytes, i, "invalid continuation byte");
    }
    i += length;
  }
  return undefined;
}

/** 1–4 for a lead byte Python accepts (C2–F4), 0 for one it refuses as a start byte. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Whether byte `k` of a sequence is valid; the second byte's range excludes overlongs and surrogates. */
function continues(lead: number, k: number, byte: number): boolean {
  if (k === 1) {
    if (lead === 0xe0) return byte >= 0xa0 && byte <= 0xbf;
    if (lead === 0xed) return byte >= 0x80 && byte <= 0x9f;
    if (lead === 0xf0) return byte >= 0x90 && byte <= 0xbf;
    if (lead === 0xf4) return byte >= 0x80 && byte <= 0x8f;
  }
  return byte >= 0x80 && byte <= 0xbf;
}

function failure(bytes: Uint8Array, position: number, reason: Utf8Failure["reason"]): Utf8Failure {
  return { position, byte: (bytes[position] as number).toString(16).padStart(2, "0"), reason };
}
