/**
 * Rows as aligned text: each column as wide as its widest cell (a long reason code never runs into the
 * next column), numbers right-aligned, two spaces between columns.
 */
export function formatRows(rows: readonly (readonly (string | number)[])[], indent = ""): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, String(cell).length)));
  }
  return rows.map((row) =>
    (
      indent +
      row
        .map((cell, i) => {
          const width = widths[i] ?? 0;
          return typeof cell === "number" ? String(cell).padStart(width) : cell.padEnd(width);
        })
        .join("  ")
    ).trimEnd(),
  );
}

/** `1 chunk`, `3 chunks`. */
export function plural(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : pluralNoun}`;
}
