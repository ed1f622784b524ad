/**
 * Aligned terminal tables that stay aligned with Chinese text (wide characters take two columns).
 */
import stringWidth from 'string-width';

export type Align = 'left' | 'right';

/** Renders rows under a header, columns separated by two spaces; numbers align right by default. */
export function renderTable(header: string[], rows: (string | number)[][], align: Align[] = []): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, col) => Math.max(...cells.map((row) => stringWidth(row[col] ?? ''))));
  const columnAlign = header.map(
    (_, col) =>
      align[col] ?? (rows.length > 0 && rows.every((row) => typeof row[col] === 'number') ? 'right' : 'left'),
  );
  const line = (row: string[]) =>
    row
      .map((cell, col) => {
        const pad = ' '.repeat((widths[col] ?? 0) - stringWidth(cell));
        return columnAlign[col] === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(cells[0] ?? []), rule, ...cells.slice(1).map(line)].join('\n');
}

/** A fraction as a percentage with one decimal: 0.4959 → 49.6%. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** A number for people: at most two decimals, thousands separated. */
export function amount(value: number): string {
  return value.toLocaleString('zh-CN', { maximumFractionDigits: 2 });
}
