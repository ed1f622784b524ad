/**
 * Validation issues (§3): stable codes, their severities, and the Chinese and English sentences
 * staff read. Messages are rendered here only, so every runtime words an issue the same way.
 */
import type { TabKey } from './columns';

export const ISSUE_SEVERITY = {
  missing_tab: 'warning',
  missing_column: 'error',
  missing_year: 'warning',
  unknown_calendar: 'warning',
  required: 'error',
  invalid_number: 'error',
  not_integer: 'error',
  negative_number: 'error',
  unsafe_integer: 'error',
  invalid_date: 'error',
  invalid_enum: 'error',
  invalid_email: 'error',
  too_long: 'error',
  duplicate_id: 'error',
  duplicate_name: 'error',
  duplicate_date: 'error',
  invalid_id: 'error',
  unknown_partner: 'error',
  unknown_measure: 'error',
  date_range: 'error',
  invalid_recurrence: 'error',
  no_email: 'warning',
  invalid_phone: 'warning',
  invalid_url: 'warning',
  future_done: 'warning',
  outside_plan_year: 'warning',
  duplicate_activity: 'warning',
  implausible_hours: 'warning',
  implausible_value: 'warning',
  formula_like: 'warning',
  /** An error instead under 设置 → 佐证要求 = 必须 (makeIssue's severity). */
  missing_evidence: 'warning',
} as const;
export type IssueCode = keyof typeof ISSUE_SEVERITY;
export type Severity = 'error' | 'warning';

/** One validation issue, exactly as `validate --json` prints it. */
export interface Issue {
  tab: TabKey;
  row: number;
  column: string;
  field: string;
  code: IssueCode;
  severity: Severity;
  message: string;
  messageEn: string;
}

/** What a message may mention besides the column. */
export interface IssueParams {
  value?: string;
  limit?: number;
  length?: number;
  row?: number;
  options?: string;
  optionsEn?: string;
  start?: string;
  due?: string;
  asOf?: string;
  year?: number;
  tab?: string;
}

type Render = (column: string, p: IssueParams) => [zh: string, en: string];

const MESSAGES: Record<IssueCode, Render> = {
  missing_tab: (_c, p) => [`缺少工作表「${p.tab}」，按空表处理`, `Tab "${p.tab}" is missing; read as empty`],
  missing_column: (c, p) => [
    `「${p.tab}」表缺少必需的列「${c}」，该表所有行未被接受`,
    `Tab "${p.tab}" lacks the required column "${c}"; its rows are rejected`,
  ],
  missing_year: (_c, p) => [
    `设置中没有填写计划年度，暂按${p.year}年处理`,
    `No plan year in the settings; using ${p.year}`,
  ],
  unknown_calendar: (_c, p) => [
    `程序内置的节假日数据还没有 ${p.year} 年的安排：工作日暂按周一至周五（除元旦、劳动节、国庆节）估算。` +
      `请在「${p.tab}」工作表中填写国务院公布的 ${p.year} 年放假和调休日期（日期、类型 休/班、名称）`,
    `The built-in holiday calendar has no arrangement for ${p.year} yet; working days are estimated ` +
      `as Monday–Friday without New Year's Day, Labour Day and National Day. Add the State Council's ` +
      `${p.year} days off and make-up working days to the "${p.tab}" (Holidays) tab`,
  ],
  required: (c) => [`「${c}」不能为空`, `"${c}" is required`],
  invalid_number: (c, p) => [
    `「${c}」不是有效的数字：${p.value}`,
    `Not a valid number in "${c}": ${p.value}`,
  ],
  not_integer: (c, p) => [`「${c}」应为整数：${p.value}`, `"${c}" must be a whole number: ${p.value}`],
  negative_number: (c, p) => [`「${c}」不能为负数：${p.value}`, `"${c}" cannot be negative: ${p.value}`],
  unsafe_integer: (c, p) => [
    `「${c}」的数值 ${p.value} 过大，无法精确保存（整数最大 ${Number.MAX_SAFE_INTEGER}）`,
    `"${c}" is too large to be kept exactly: ${p.value} (whole numbers up to ${Number.MAX_SAFE_INTEGER})`,
  ],
  invalid_date: (_c, p) => [`日期无法识别：${p.value}`, `Unrecognised date: ${p.value}`],
  invalid_enum: (c, p) => [
    `「${c}」的值「${p.value}」无效，可选：${p.options}`,
    `Invalid value "${p.value}" in "${c}"; allowed: ${p.optionsEn}`,
  ],
  invalid_email: (_c, p) => [`邮箱格式不正确：${p.value}`, `Malformed email: ${p.value}`],
  too_long: (c, p) => [
    `「${c}」超过${p.limit}个字符（现有${p.length}个）`,
    `"${c}" is longer than ${p.limit} characters (${p.length})`,
  ],
  duplicate_id: (_c, p) => [
    `编号「${p.value}」与第${p.row}行重复`,
    `ID "${p.value}" is already used on row ${p.row}`,
  ],
  duplicate_name: (_c, p) => [
    `单位名称「${p.value}」与第${p.row}行重复`,
    `Partner name "${p.value}" is already used on row ${p.row}`,
  ],
  duplicate_date: (_c, p) => [
    `日期 ${p.value} 已在第${p.row}行填写过，同一天只能填写一行`,
    `Date ${p.value} is already given on row ${p.row}; one row per day`,
  ],
  invalid_id: (_c, p) => [
    `编号「${p.value}」无效：最多${p.limit}个字符，且不能含逗号、顿号、分号或换行`,
    `Invalid ID "${p.value}": at most ${p.limit} characters, no commas, semicolons or line breaks`,
  ],
  unknown_partner: (_c, p) => [`找不到共建单位「${p.value}」`, `Unknown partner: ${p.value}`],
  unknown_measure: (_c, p) => [
    `找不到关联事项「${p.value}」（须为计划表中通过校验的事项编号）`,
    `Unknown measure: ${p.value} (must be the ID of an accepted plan row)`,
  ],
  date_range: (_c, p) => [
    `截止日期 ${p.due} 早于开始日期 ${p.start}`,
    `Due date ${p.due} is before the start date ${p.start}`,
  ],
  invalid_recurrence: (_c, p) => [
    `里程碑类事项不能设置周期（${p.value}）`,
    `A milestone cannot recur (${p.value})`,
  ],
  no_email: (_c, p) => [
    `共建单位「${p.value}」没有邮箱，将收不到摘要邮件`,
    `Partner "${p.value}" has no email and gets no digest`,
  ],
  invalid_phone: (_c, p) => [`联系电话格式可疑：${p.value}`, `Suspicious phone number: ${p.value}`],
  invalid_url: (_c, p) => [
    `佐证链接不是 http(s) 网址：${p.value}`,
    `Evidence is not an http(s) URL: ${p.value}`,
  ],
  future_done: (_c, p) => [
    `已完成的活动日期 ${p.value} 晚于统计日期 ${p.asOf}，到期前不计入统计`,
    `Done activity dated ${p.value}, after the as-of date ${p.asOf}; not counted until then`,
  ],
  outside_plan_year: (_c, p) => [
    `活动日期 ${p.value} 不在计划年度 ${p.year} 年内，不计入按月统计`,
    `Activity dated ${p.value} is outside the plan year ${p.year}; not in the months table`,
  ],
  duplicate_activity: (_c, p) => [
    `与第${p.row}行的活动重复（日期、关联事项和活动名称都相同）`,
    `Same date, measure and title as row ${p.row}`,
  ],
  implausible_hours: (_c, p) => [
    `服务时长 ${p.value} 小时超过 24 小时 × 参与人数，请核对`,
    `${p.value} hours exceeds 24 × participants; please check`,
  ],
  implausible_value: (c, p) => [
    `「${c}」${p.value} 超出合理范围（不超过 ${p.limit}），请核对；核对前不计入统计`,
    `"${c}" ${p.value} is above the plausible ${p.limit}; please check (not counted until corrected)`,
  ],
  missing_evidence: (c) => [
    `已完成的活动没有佐证材料：请在「${c || '佐证链接'}」填写链接，或把照片放入「佐证材料/记录编号/」文件夹`,
    'A done activity has no evidence: add a link, or put photos in the 佐证材料 folder',
  ],
  formula_like: (c) => [
    `「${c}」以 = + - @ 开头，将按文本保存，不会作为公式`,
    `"${c}" starts with = + - or @; it is kept as text, never as a formula`,
  ],
};

/** Builds an issue with its severity and rendered messages. */
export function makeIssue(
  tab: TabKey,
  row: number,
  column: string,
  field: string,
  code: IssueCode,
  params: IssueParams = {},
  severity: Severity = ISSUE_SEVERITY[code],
): Issue {
  const [message, messageEn] = MESSAGES[code](column, params);
  return { tab, row, column, field, code, severity, message, messageEn };
}
