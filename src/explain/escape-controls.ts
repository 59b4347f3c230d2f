/**
 * A stored text made safe to print on a terminal: control characters (C0, DEL, C1), which in a tag name
 * or a v1 string would move the cursor, recolour or retitle the operator's terminal, are shown as
 * `\xHH` (`\n`, `\r`, `\t` by name). Line and paragraph separators and bidirectional overrides are
 * escaped as `\uHHHH` for the same reason. Backslashes stay: the manifest and v1 JSON shown are full of
 * JSON escapes an operator copies as they are.
 */
export function escapeControls(text: string): string {
  return UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeOne) : text;
}

// Matching control characters is the point here.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, "g");
const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

function escapeOne(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, "0")}`
    : `\\u${code.toString(16).padStart(4, "0")}`;
}
