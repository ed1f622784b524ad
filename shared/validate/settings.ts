/**
 * The 设置 tab: key/value rows read into Settings, a bad value reported and replaced by its
 * default, and the as-of date settled in the plan's own time zone.
 */
import { type EnumKind, headerKey, SETTING_KEYS, SETTINGS_COLUMNS, type SettingKey } from '../columns';
import { DEFAULT_DELETION_GUARD_ROWS } from '../deletionGuard';
import { type Issue, type IssueCode, type IssueParams, makeIssue } from '../issues';
import {
  DEFAULT_HISTORY_DAYS,
  DEFAULT_REMINDER_DAYS,
  DEFAULT_REQUEST_LINK_DAYS,
  DEFAULT_STALE_DAYS,
  DEFAULT_TIMEZONE,
  type IsoDate,
  type Settings,
} from '../model';
import {
  cellText,
  enumOptions,
  freeCellText,
  INVALID,
  isEmail,
  isEmptyCell,
  type Parsed,
  parseEnum,
  parseList,
  parseNumber,
} from '../normalize';
import type { CellValue, RawTab } from '../workbook';
import { headerAsWritten } from './row';
import type { StreamValidateOptions } from './types';

/** Where a setting's value stands: its row and the value column as written. */
export interface SettingAt {
  row: number;
  column: string;
}

/** Reads the settings tab (key/value rows); bad values are reported and replaced by defaults. */
export function readSettings(
  tab: RawTab | undefined,
  options: StreamValidateOptions,
  issues: Issue[],
): { settings: Settings; asOf: IsoDate; yearAt: SettingAt | undefined } {
  const raw = new Map<SettingKey, { row: number; cell: CellValue; column: string }>();
  if (tab) {
    const headerKeys = tab.header.map(headerKey);
    const find = (names: { zh: string; en: string }, fallback: number) => {
      const index = headerKeys.findIndex((k) => k === headerKey(names.zh) || k === headerKey(names.en));
      return index >= 0 ? index : fallback;
    };
    const keyIndex = find(SETTINGS_COLUMNS.key, 0);
    const valueIndex = find(SETTINGS_COLUMNS.value, keyIndex === 0 ? 1 : 0);
    const valueColumn = headerAsWritten(tab.header[valueIndex]) ?? SETTINGS_COLUMNS.value.zh;
    // A sheet typed without a header row starts with a setting in row 1: keep it.
    const rows = settingKeyOf(tab.header[keyIndex]) ? [{ row: 1, cells: tab.header }, ...tab.rows] : tab.rows;
    for (const { row, cells } of rows) {
      const key = settingKeyOf(cells[keyIndex]);
      const cell = cells[valueIndex] ?? null;
      if (key && !raw.has(key) && !isEmptyCell(cell)) raw.set(key, { row, cell, column: valueColumn });
    }
  }
  const report = (key: SettingKey, code: IssueCode, params: IssueParams = {}) => {
    const at = raw.get(key);
    issues.push(
      makeIssue('settings', at?.row ?? 1, at?.column ?? SETTINGS_COLUMNS.value.zh, key, code, params),
    );
  };
  const text = (key: SettingKey) => cellText(raw.get(key)?.cell ?? null);
  const whole = (key: SettingKey, fallback: number, min: number, max: number): number => {
    const at = raw.get(key);
    if (!at) return fallback;
    const value = parseNumber(at.cell);
    const shown = cellText(at.cell) ?? '';
    if (value === INVALID || value === undefined) report(key, 'invalid_number', { value: shown });
    else if (!Number.isInteger(value)) report(key, 'not_integer', { value: shown });
    else if (value < 0) report(key, 'negative_number', { value: shown });
    else if (value < min || value > max) report(key, 'invalid_number', { value: shown });
    else return value;
    return fallback;
  };
  const emails = (key: SettingKey): string[] => {
    const list = parseList(raw.get(key)?.cell ?? null);
    const bad = list.filter((email) => !isEmail(email));
    for (const email of bad) report(key, 'invalid_email', { value: email });
    return list.filter(isEmail);
  };

  // The as-of date may be "today in the plan's zone": the zone is settled first (reported below).
  const zone = text('timezone');
  const asOf =
    typeof options.asOf === 'string'
      ? options.asOf
      : options.asOf(zone !== undefined && isTimeZone(zone) ? zone : DEFAULT_TIMEZONE);
  const asOfYear = Number(asOf.slice(0, 4));
  let year = whole('year', Number.NaN, 1900, 2999);
  if (Number.isNaN(year)) {
    if (!raw.has('year')) {
      report('year', options.requireYear ? 'required' : 'missing_year', { year: asOfYear });
    }
    year = asOfYear;
  }
  let timezone = text('timezone') ?? DEFAULT_TIMEZONE;
  if (!isTimeZone(timezone)) {
    report('timezone', 'invalid_enum', {
      value: timezone,
      options: 'Asia/Shanghai 等 IANA 时区',
      optionsEn: 'an IANA zone',
    });
    timezone = DEFAULT_TIMEZONE;
  }
  /** An enumerated setting: its key, or undefined when absent or not one of its values (reported). */
  const enumSetting = <K extends SettingKey & EnumKind>(key: K): string | undefined => {
    const at = raw.get(key);
    if (!at) return undefined;
    const value = parseEnum(key, at.cell);
    if (value !== INVALID && value !== undefined) return value;
    const options = enumOptions(key);
    report(key, 'invalid_enum', {
      value: text(key) ?? '',
      options: options.zh.join('、'),
      optionsEn: options.en.join(', '),
    });
    return undefined;
  };
  const digestFrequency = (enumSetting('digestFrequency') ?? 'monthly') as Settings['digestFrequency'];
  const evidenceRule = enumSetting('evidenceRule') as Settings['evidenceRule'];
  const yesNo = (key: SettingKey): boolean | undefined => {
    const at = raw.get(key);
    if (!at) return undefined;
    const value = (cellText(at.cell) ?? '').normalize('NFKC').trim().toLowerCase();
    if (YES.includes(value)) return true;
    if (NO.includes(value)) return false;
    report(key, 'invalid_enum', { value: cellText(at.cell) ?? '', options: '是、否', optionsEn: 'yes, no' });
    return undefined;
  };
  const reportToLeaders = yesNo('reportToLeaders');
  const reviewReports = yesNo('reviewReports');
  const linkDays = raw.has('requestLinkDays')
    ? whole('requestLinkDays', DEFAULT_REQUEST_LINK_DAYS, 1, 3650)
    : undefined;
  const guardPercent = percentSetting(raw.get('deletionGuardPercent')?.cell ?? null);
  if (guardPercent === INVALID)
    report('deletionGuardPercent', 'invalid_number', { value: text('deletionGuardPercent') ?? '' });
  const guardRows = raw.has('deletionGuardRows')
    ? whole('deletionGuardRows', DEFAULT_DELETION_GUARD_ROWS, 0, 1_048_576)
    : undefined;
  const keepDays = raw.has('historyDays') ? whole('historyDays', DEFAULT_HISTORY_DAYS, 1, 36_500) : undefined;
  const freeText = (key: SettingKey) => freeCellText(raw.get(key)?.cell ?? null);
  const community = freeText('community');
  const senderName = freeText('senderName') ?? community;
  const settings: Settings = {
    community: community,
    year,
    timezone,
    leaderEmails: emails('leaderEmails'),
    editors: emails('editors'),
    senderName: senderName,
    digestFrequency,
    staleDays: whole('staleDays', DEFAULT_STALE_DAYS, 0, 36_500),
    reminderDays: whole('reminderDays', DEFAULT_REMINDER_DAYS, 0, 36_500),
    ...(reportToLeaders !== undefined && { reportToLeaders }),
    ...(reviewReports !== undefined && { reviewReports }),
    ...(linkDays !== undefined && { requestLinkDays: linkDays }),
    ...(typeof guardPercent === 'number' && { deletionGuardPercent: guardPercent }),
    ...(guardRows !== undefined && { deletionGuardRows: guardRows }),
    ...(keepDays !== undefined && { historyDays: keepDays }),
    ...(evidenceRule !== undefined && { evidenceRule }),
  };
  const yearAt = raw.get('year');
  return { settings, asOf, yearAt: yearAt && { row: yearAt.row, column: yearAt.column } };
}

/**
 * A share in percent from 0 to 100: `20%` (or `２０％`), a percentage cell (which holds 0.2), or a
 * plain number — from 0 to 1 a fraction as such a cell stores it, above 1 the percentage itself.
 * Kept to two decimals, so the guard's comparison stays in whole numbers (deletionGuard.ts).
 */
function percentSetting(cell: CellValue): Parsed<number> {
  if (isEmptyCell(cell)) return undefined;
  const shown = (cellText(cell) ?? '').normalize('NFKC').trim();
  const percentSign = shown.endsWith('%');
  const value = parseNumber(percentSign ? shown.slice(0, -1).trim() : cell);
  if (value === INVALID || value === undefined) return INVALID;
  const percent = percentSign || value > 1 ? value : value * 100;
  if (percent < 0 || percent > 100) return INVALID;
  return Math.round(percent * 100) / 100;
}

/** How a yes/no setting may be written (after NFKC and lower-casing). */
const YES = ['是', 'yes', 'y', 'true', '1'];
const NO = ['否', 'no', 'n', 'false', '0'];

function settingKeyOf(cell: CellValue | undefined): SettingKey | undefined {
  const key = headerKey(cellText(cell ?? null) ?? '');
  if (key === '') return undefined;
  return SETTING_KEYS.find(
    (s) => headerKey(s.zh) === key || headerKey(s.en) === key || s.field.toLowerCase() === key,
  )?.field;
}

/** `Asia/Shanghai`, `America/Argentina/Buenos_Aires`, `Etc/GMT-8`, `UTC`: how IANA zone names look. */
const ZONE_NAME = /^(?:[A-Za-z][A-Za-z0-9_+-]*(?:\/[A-Za-z0-9_+-]+)+|UTC|GMT)$/;

function formatsIn(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    // A RangeError for an unknown zone; a ReferenceError where there is no Intl at all.
    return false;
  }
}

/**
 * A zone the runtime knows; where it knows none (no Intl, or Intl without time-zone data — Apps
 * Script's V8 is not documented to have them), one shaped like an IANA name, so the add-on does not
 * mark every 时区 cell: the server, with full data, still refuses a misspelt one.
 */
function isTimeZone(zone: string): boolean {
  if (formatsIn(DEFAULT_TIMEZONE)) return formatsIn(zone);
  return ZONE_NAME.test(zone);
}
