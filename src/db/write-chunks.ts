/**
 * Rows per multi-row VALUES statement so its parameters stay under PostgreSQL's 65,535. A batch of the
 * default size never needs a second chunk; a huge batch costs a few statements more, not one per row.
 */
export function chunkRows<T>(rows: readonly T[], columns: number, maxParameters = 30_000): T[][] {
  const size = Math.max(1, Math.floor(maxParameters / columns));
  const chunks: T[][] = [];
  for (let i = 0; i < rows.length; i += size) chunks.push(rows.slice(i, i + size));
  return chunks;
}
