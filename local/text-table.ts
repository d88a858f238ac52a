/** Left-aligned columns separated by two spaces, for terminal output (no trailing blanks). */
export function textTable(rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = rows.map((row) => row.map(String));
  const columns = Math.max(0, ...cells.map((row) => row.length));
  const widths = Array.from({ length: columns }, (_, i) =>
    Math.max(...cells.map((row) => row[i]?.length ?? 0)),
  );
  const pad = (cell: string, i: number) => cell.padEnd(widths[i] ?? 0);
  return cells.map((row) => row.map(pad).join('  ').trimEnd()).join('\n');
}
