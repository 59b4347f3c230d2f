/**
 * Python's `repr(float)` as `json.dumps` prints it. Both languages pick the shortest digit string that
 * reads back to the same double; they differ only in layout. Python writes positional notation when the
 * decimal exponent is in [-4, 16) and keeps a `.0` on whole numbers; otherwise `d.ddde+XX` with at least
 * two exponent digits. JSON's non-finite spellings are Python's `NaN`, `Infinity`, `-Infinity`.
 */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "Infinity";
  if (value === -Infinity) return "-Infinity";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";

  // toExponential() without an argument gives the shortest round-trip digits: "-1.2345e+21".
  const exp = value.toExponential();
  const negative = exp.startsWith("-");
  const ePos = exp.indexOf("e");
  const mantissa = exp.slice(negative ? 1 : 0, ePos);
  const digits = mantissa.replace(".", "");
  const exponent = Number(exp.slice(ePos + 1));
  const sign = negative ? "-" : "";

  if (exponent < -4 || exponent >= 16) {
    const rest = digits.length > 1 ? `.${digits.slice(1)}` : "";
    const abs = Math.abs(exponent);
    return `${sign}${digits[0]}${rest}e${exponent < 0 ? "-" : "+"}${abs < 10 ? "0" : ""}${abs}`;
  }
  const point = exponent + 1; // digits before the decimal point
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
