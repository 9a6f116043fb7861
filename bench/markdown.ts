// Renders rows as a GitHub markdown table, numbers right-aligned.

export type Cell = string | number;

export function formatNumber(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = (cell: Cell): string => (typeof cell === 'number' ? formatNumber(cell) : cell);
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const lines = [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((row) => `| ${row.map(text).join(' | ')} |`),
  ];
  return lines.join('\n');
}
