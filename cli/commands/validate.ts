/** `gongjian validate PATH [--as-of DATE] [--json]`: exit 0 clean, 1 rows rejected, 2 unusable. */

import { capped, renderTable, tabCountsTable } from '../../adapters/terminal/table';
import { TAB_KEYS } from '../../shared/columns';
import { SEVERITY_LABELS, TAB_LABELS } from '../../shared/i18n';
import type { ValidationResult } from '../../shared/validate';
import type { CliContext } from '../context';
import { loadPlan } from '../load';

export interface ValidateArgs {
  path: string;
  asOf: string | undefined;
  json: boolean;
}

/** Runs the command and returns its exit code. */
export async function validateCommand(args: ValidateArgs, ctx: CliContext): Promise<number> {
  const { result, asOf } = await loadPlan(args.path, args.asOf, ctx);
  if (args.json) {
    await writeValidationJson(result, ctx.write ?? (async (chunk) => ctx.out(chunk.replace(/\n$/, ''))));
  } else ctx.out(validationReport(result, args.path, asOf));
  return result.issues.some((issue) => issue.severity === 'error') ? 1 : 0;
}

const JSON_BATCH = 1_000;

/**
 * `{"tabs": …, "issues": […]}` exactly as JSON.stringify(…, null, 2) lays it out, written an issue
 * batch at a time: 1.7 million issues make a string longer than V8 allows, and would be held whole.
 */
export async function writeValidationJson(
  result: Pick<ValidationResult, 'tabs' | 'issues'>,
  write: (chunk: string) => Promise<void>,
): Promise<void> {
  const tabs = JSON.stringify(result.tabs, null, 2).replace(/\n/g, '\n  ');
  if (result.issues.length === 0) {
    await write(`{\n  "tabs": ${tabs},\n  "issues": []\n}\n`);
    return;
  }
  await write(`{\n  "tabs": ${tabs},\n  "issues": [\n`);
  for (let start = 0; start < result.issues.length; start += JSON_BATCH) {
    const batch = result.issues.slice(start, start + JSON_BATCH);
    const last = start + JSON_BATCH >= result.issues.length;
    const text = batch
      .map((issue) => `    ${JSON.stringify(issue, null, 2).replace(/\n/g, '\n    ')}`)
      .join(',\n');
    await write(`${text}${last ? '\n' : ',\n'}`);
  }
  await write('  ]\n}\n');
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
    const { shown, note } = capped(own, { zh: '用 --json 可列出全部', en: '--json lists them all' });
    lines.push('', `【${TAB_LABELS[tab].zh}】`);
    lines.push(
      renderTable(
        ['行', '列', '级别', '说明'],
        shown.map((issue) => [issue.row, issue.column, SEVERITY_LABELS[issue.severity], issue.message]),
      ),
    );
    if (note !== undefined) lines.push(note);
  }
  return lines.join('\n');
}
