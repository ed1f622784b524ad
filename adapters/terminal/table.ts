/**
 * Aligned terminal tables that stay aligned with Chinese text (wide characters take two columns).
 */
import { RECORD_TABS, type RecordTabKey } from '../../shared/columns';
import { TAB_LABELS } from '../../shared/i18n';
import type { TabCounts } from '../../shared/validate';
import { textWidth } from '../../shared/widths';

export type Align = 'left' | 'right';

/** Renders rows under a header, columns separated by two spaces; numbers align right by default. */
export function renderTable(header: string[], rows: (string | number)[][], align: Align[] = []): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  // A loop, not Math.max(...cells): spreading 200,000 rows overflows the call stack.
  const widths = header.map((_, col) => {
    let widest = 0;
    for (const row of cells) widest = Math.max(widest, textWidth(row[col] ?? ''));
    return widest;
  });
  const columnAlign = header.map(
    (_, col) =>
      align[col] ?? (rows.length > 0 && rows.every((row) => typeof row[col] === 'number') ? 'right' : 'left'),
  );
  const line = (row: string[]) =>
    row
      .map((cell, col) => {
        const pad = ' '.repeat((widths[col] ?? 0) - textWidth(cell));
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

/** Rows shown in one table of a human report; the rest are counted, not printed. */
export const MAX_REPORT_ROWS = 500;

/**
 * At most MAX_REPORT_ROWS of a long list, and the sentence that says how many were left out
 * (none when nothing was): a report of any size prints, and says where to find the rest.
 */
export function capped<T>(
  items: readonly T[],
  where: { zh: string; en: string },
): { shown: T[]; note?: string } {
  if (items.length <= MAX_REPORT_ROWS) return { shown: [...items] };
  const more = (items.length - MAX_REPORT_ROWS).toLocaleString('en');
  return {
    shown: items.slice(0, MAX_REPORT_ROWS),
    note: `……另有 ${more} 条未显示（${where.zh}）/ … ${more} more not shown (${where.en})`,
  };
}

/** Rows, accepted and rejected per record tab, as an aligned table. */
export function tabCountsTable(tabs: Record<RecordTabKey, TabCounts>): string {
  return renderTable(
    ['工作表', '数据行', '通过', '未通过'],
    RECORD_TABS.map((tab) => [TAB_LABELS[tab].zh, tabs[tab].rows, tabs[tab].accepted, tabs[tab].rejected]),
  );
}
