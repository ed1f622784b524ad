/** `gongjian validate PATH [--as-of DATE] [--json]`: exit 0 clean, 1 rows rejected, 2 unusable. */
import { RECORD_TABS, type RecordTabKey, TAB_KEYS } from '../../../../shared/columns';
import { SEVERITY_LABELS, TAB_LABELS } from '../../../../shared/i18n';
import type { TabCounts, ValidationResult } from '../../../../shared/validate';
import type { CliContext } from '../context';
import { loadPlan } from '../load';
import { renderTable } from '../table';

export interface ValidateArgs {
  path: string;
  asOf: string | undefined;
  json: boolean;
}

/** Runs the command and returns its exit code. */
export async function validateCommand(args: ValidateArgs, ctx: CliContext): Promise<number> {
  const { result, asOf } = await loadPlan(args.path, args.asOf, ctx);
  if (args.json) {
    ctx.out(JSON.stringify({ tabs: result.tabs, issues: result.issues }, null, 2));
  } else {
    ctx.out(validationReport(result, args.path, asOf));
  }
  return result.issues.some((issue) => issue.severity === 'error') ? 1 : 0;
}

/** Rows, accepted and rejected per record tab, as an aligned table. */
export function tabCountsTable(tabs: Record<RecordTabKey, TabCounts>): string {
  return renderTable(
    ['工作表', '数据行', '通过', '未通过'],
    RECORD_TABS.map((tab) => [TAB_LABELS[tab].zh, tabs[tab].rows, tabs[tab].accepted, tabs[tab].rejected]),
  );
}

/** The human report: counts per tab, then the issues grouped by tab. */
export function validationReport(result: ValidationResult, path: string, asOf: string): string {
  const lines = [`校验 ${path} · 统计日期 ${asOf} · 计划年度 ${result.model.settings.year}`, ''];
  lines.push(tabCountsTable(result.tabs));
  const errors = result.issues.filter((issue) => issue.severity === 'error').length;
  const warnings = result.issues.length - errors;
  lines.push('');
  if (result.issues.length === 0) {
    lines.push('全部通过校验。');
    return lines.join('\n');
  }
  lines.push(
    `错误 ${errors} 条，警告 ${warnings} 条${errors > 0 ? '（有错误的行未被接受，也不计入统计）' : ''}`,
  );
  for (const tab of TAB_KEYS) {
    const own = result.issues.filter((issue) => issue.tab === tab);
    if (own.length === 0) continue;
    lines.push('', `【${TAB_LABELS[tab].zh}】`);
    lines.push(
      renderTable(
        ['行', '列', '级别', '说明'],
        own.map((issue) => [issue.row, issue.column, SEVERITY_LABELS[issue.severity], issue.message]),
      ),
    );
  }
  return lines.join('\n');
}
