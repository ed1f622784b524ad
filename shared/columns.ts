/**
 * Tabs and their columns (§3): the headers staff may write, in Chinese or English, and what kind
 * of value each column holds. Header matching lives here too, so every adapter agrees on it.
 */
import { TAB_LABELS } from './i18n';

export type TabKey = keyof typeof TAB_LABELS;
/** The tabs staff write, in the order of the spec: the four data tabs, then the optional calendar. */
export const TAB_KEYS: TabKey[] = ['settings', 'partners', 'plan', 'activities', 'holidays'];
/**
 * Tabs a workbook may do without: no `missing_tab` for them, and a workbook of only these is
 * still one with no data tab (unusable). 节假日 only adds to the calendar the product ships.
 */
export const OPTIONAL_TABS: ReadonlySet<TabKey> = new Set<TabKey>(['holidays']);
/** The tabs whose rows are records (settings is key/value; holidays amend the calendar). */
export type RecordTabKey = Exclude<TabKey, 'settings' | 'holidays'>;
export const RECORD_TABS: RecordTabKey[] = ['partners', 'plan', 'activities'];
/** The tabs of one row per item under a header of defined columns (COLUMNS). */
export type TableTabKey = Exclude<TabKey, 'settings'>;

export type EnumKind =
  | 'category'
  | 'partnerType'
  | 'partnerState'
  | 'metric'
  | 'recurrence'
  | 'measureState'
  | 'activityStatus'
  | 'digestFrequency'
  | 'evidenceRule'
  | 'holidayKind';

export type ColumnKind =
  | { type: 'id' }
  | { type: 'text'; max?: number }
  | { type: 'list' }
  | { type: 'emails' }
  | { type: 'email' }
  | { type: 'phone' }
  | { type: 'url' }
  | { type: 'date' }
  | { type: 'number'; positive?: boolean; max?: number }
  | { type: 'integer'; max?: number }
  | { type: 'enum'; of: EnumKind };

export interface ColumnDef {
  field: string;
  zh: string;
  en: string;
  kind: ColumnKind;
  /** The cell must not be empty (`required`). */
  required?: boolean;
  /** The column must exist (`missing_column`). */
  requiredColumn?: boolean;
  /** Its rule depends on another cell of the row (a milestone's target is ignored). */
  dependsOnRow?: boolean;
}

/** The longest text a title may hold; any other cell may hold up to MAX_CELL_LENGTH. */
export const MAX_TITLE_LENGTH = 200;
export const MAX_CELL_LENGTH = 5000;
export const MAX_ID_LENGTH = 32;

/**
 * Plausible upper bounds of one activity's figures (§3): beyond them a value is far more likely a
 * slip of the keyboard (a row of zeros, a phone number in the wrong cell) than a fact, and one such
 * slip would swamp a year's totals. A sheet row keeps the row with `implausible_value`; the form
 * refuses it.
 */
export const MAX_PEOPLE = 100_000;
export const MAX_HOURS = 100_000;
export const MAX_FUNDS = 100_000_000;

const title: ColumnKind = { type: 'text', max: MAX_TITLE_LENGTH };
const text: ColumnKind = { type: 'text' };

export const COLUMNS: Record<TableTabKey, ColumnDef[]> = {
  partners: [
    {
      field: 'partnerId',
      zh: '单位编号',
      en: 'ID',
      kind: { type: 'id' },
      required: true,
      requiredColumn: true,
    },
    { field: 'name', zh: '单位名称', en: 'Name', kind: text, required: true, requiredColumn: true },
    { field: 'type', zh: '单位类型', en: 'Type', kind: { type: 'enum', of: 'partnerType' } },
    { field: 'contact', zh: '联系人', en: 'Contact', kind: text },
    { field: 'phone', zh: '联系电话', en: 'Phone', kind: { type: 'phone' } },
    { field: 'emails', zh: '邮箱', en: 'Email', kind: { type: 'emails' } },
    { field: 'pairedOn', zh: '结对日期', en: 'Paired on', kind: { type: 'date' } },
    { field: 'active', zh: '状态', en: 'Status', kind: { type: 'enum', of: 'partnerState' } },
  ],
  plan: [
    { field: 'measureId', zh: '编号', en: 'ID', kind: { type: 'id' }, required: true, requiredColumn: true },
    {
      field: 'category',
      zh: '类别',
      en: 'Category',
      kind: { type: 'enum', of: 'category' },
      required: true,
      requiredColumn: true,
    },
    { field: 'title', zh: '事项', en: 'Title', kind: title, required: true, requiredColumn: true },
    { field: 'owner', zh: '责任人', en: 'Owner', kind: text },
    { field: 'ownerEmail', zh: '责任人邮箱', en: 'Owner email', kind: { type: 'email' } },
    { field: 'partners', zh: '共建单位', en: 'Partners', kind: { type: 'list' } },
    { field: 'metric', zh: '计量方式', en: 'Metric', kind: { type: 'enum', of: 'metric' } },
    {
      field: 'target',
      zh: '目标值',
      en: 'Target',
      kind: { type: 'number', positive: true },
      dependsOnRow: true,
    },
    { field: 'recurrence', zh: '周期', en: 'Recurrence', kind: { type: 'enum', of: 'recurrence' } },
    { field: 'start', zh: '开始日期', en: 'Start', kind: { type: 'date' } },
    { field: 'due', zh: '截止日期', en: 'Due', kind: { type: 'date' } },
    { field: 'status', zh: '状态', en: 'Status', kind: { type: 'enum', of: 'measureState' } },
    { field: 'doneOn', zh: '完成日期', en: 'Done on', kind: { type: 'date' } },
    { field: 'notes', zh: '备注', en: 'Notes', kind: text },
  ],
  activities: [
    { field: 'activityId', zh: '记录编号', en: 'ID', kind: { type: 'id' } },
    { field: 'date', zh: '日期', en: 'Date', kind: { type: 'date' }, required: true, requiredColumn: true },
    {
      field: 'measureId',
      zh: '关联事项',
      en: 'Measure',
      kind: { type: 'id' },
      required: true,
      requiredColumn: true,
    },
    { field: 'partners', zh: '共建单位', en: 'Partners', kind: { type: 'list' } },
    { field: 'title', zh: '活动名称', en: 'Title', kind: title, required: true, requiredColumn: true },
    { field: 'location', zh: '地点', en: 'Location', kind: text },
    {
      field: 'participants',
      zh: '参与人数',
      en: 'Participants',
      kind: { type: 'integer', max: MAX_PEOPLE },
    },
    {
      field: 'beneficiaries',
      zh: '受益人数',
      en: 'Beneficiaries',
      kind: { type: 'integer', max: MAX_PEOPLE },
    },
    { field: 'hours', zh: '服务时长', en: 'Hours', kind: { type: 'number', max: MAX_HOURS } },
    { field: 'funds', zh: '投入资金', en: 'Funds', kind: { type: 'number', max: MAX_FUNDS } },
    { field: 'status', zh: '状态', en: 'Status', kind: { type: 'enum', of: 'activityStatus' } },
    { field: 'recorder', zh: '记录人', en: 'Recorder', kind: text },
    { field: 'evidence', zh: '佐证链接', en: 'Evidence', kind: { type: 'url' } },
    { field: 'notes', zh: '备注', en: 'Notes', kind: text },
  ],
  holidays: [
    { field: 'date', zh: '日期', en: 'Date', kind: { type: 'date' }, required: true, requiredColumn: true },
    {
      field: 'kind',
      zh: '类型',
      en: 'Type',
      kind: { type: 'enum', of: 'holidayKind' },
      required: true,
      requiredColumn: true,
    },
    { field: 'name', zh: '名称', en: 'Name', kind: text },
  ],
};

/** The settings keys (§3 设置): the key column's Chinese and English names. */
export const SETTING_KEYS = [
  { field: 'community', zh: '社区名称', en: 'Community' },
  { field: 'year', zh: '计划年度', en: 'Year' },
  { field: 'timezone', zh: '时区', en: 'Timezone' },
  { field: 'leaderEmails', zh: '领导邮箱', en: 'Leader emails' },
  { field: 'editors', zh: '编辑人员', en: 'Editors' },
  { field: 'senderName', zh: '发件人', en: 'Sender name' },
  { field: 'digestFrequency', zh: '摘要频率', en: 'Digest frequency' },
  { field: 'staleDays', zh: '失联天数', en: 'Stale days' },
  { field: 'reminderDays', zh: '提醒天数', en: 'Reminder days' },
  { field: 'reportToLeaders', zh: '总结抄送领导', en: 'Report to leaders' },
  { field: 'reviewReports', zh: '填报需审核', en: 'Review reports' },
  { field: 'requestLinkDays', zh: '填报链接有效天数', en: 'Request link days' },
  { field: 'evidenceRule', zh: '佐证要求', en: 'Evidence' },
] as const;
export type SettingKey = (typeof SETTING_KEYS)[number]['field'];

/** The settings tab's two columns. */
export const SETTINGS_COLUMNS = { key: { zh: '项目', en: 'Key' }, value: { zh: '值', en: 'Value' } } as const;

/**
 * A header or tab name reduced for matching: NFKC (full-width → half-width), a trailing unit in
 * parentheses dropped, whitespace collapsed, lower case. `服务时长（小时）` → `服务时长`.
 */
export function headerKey(text: unknown): string {
  if (text === null || text === undefined) return '';
  return String(text)
    .normalize('NFKC')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*\([^()]*\)$/, '')
    .toLowerCase();
}

/** The headers a column answers to: Chinese, English and the code's field name. */
export function columnNames(column: { zh: string; en: string; field: string }): string[] {
  return [column.zh, column.en, column.field].map(headerKey);
}

/** Which data tab a tab name is, or undefined when it is none of them. */
export function recogniseTab(name: string): TabKey | undefined {
  const key = headerKey(name);
  return TAB_KEYS.find(
    (tab) => headerKey(TAB_LABELS[tab].zh) === key || headerKey(TAB_LABELS[tab].en) === key,
  );
}

/** Where each known column stands in a header row (first match wins); unknown columns are ignored. */
export function locateColumns(tab: TableTabKey, header: readonly unknown[]): Map<string, number> {
  const found = new Map<string, number>();
  const keys = header.map(headerKey);
  for (const column of COLUMNS[tab]) {
    const names = columnNames(column);
    const index = keys.findIndex((key) => key !== '' && names.includes(key));
    if (index >= 0) found.set(column.field, index);
  }
  return found;
}
