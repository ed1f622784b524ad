/**
 * Tabs and their columns (§3): the headers staff may write, in Chinese or English, what kind of
 * value each column holds, and — for 活动 — how a person enters it by hand. Header matching lives
 * here too, so every adapter agrees on it.
 *
 * One definition drives the rest: a column's `field` is a key of the record its tab becomes
 * (model.ts), and every key of that record has a column (COLUMN_COVERAGE), so a column the model
 * lacks, or a model field nobody can write, fails to compile. The phone form (requestForm.ts), the
 * add-on's 新增活动记录 dialog (sheets-addon/src/addActivity.ts) and the sample (sample.ts) are built
 * from these definitions.
 */
import { TAB_LABELS } from './i18n';
import type { Activity, CalendarDay, Measure, Partner } from './model';

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
/** The field of each record tab's record that holds its ID (the column 编号 / 记录编号). */
export const RECORD_ID_FIELD = {
  partners: 'partnerId',
  plan: 'measureId',
  activities: 'activityId',
} as const satisfies Record<RecordTabKey, string>;
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

/**
 * The record each table tab's rows become (model.ts): a column's field is one of its keys. A
 * measure's state is the spec's `status` column (§3; issues name it so in `field`).
 */
export interface TabRecords {
  partners: Partner;
  plan: Omit<Measure, 'state'> & { status: Measure['state'] };
  activities: Activity;
  holidays: CalendarDay;
}

/** The fields of a tab's record that its columns fill: every key but the sheet row a record came from. */
export type FieldOf<T extends TableTabKey> = T extends TableTabKey
  ? Exclude<keyof TabRecords[T], 'row'> & string
  : never;
/** A column of one tab. */
export type ColumnOf<T extends TableTabKey> = ColumnDef<FieldOf<T>>;
/** A field of an activity: what a 活动 column, the phone form and the 新增活动记录 dialog name. */
export type ActivityField = FieldOf<'activities'>;

/**
 * How a person enters an activity's column by hand, on the phone form of an update request and in
 * the add-on's 新增活动记录 dialog. A column without one is filled by the system (记录编号).
 */
export interface ColumnEntry {
  /** Anyone with an update-request link (the phone form and the dialog), or staff only (the dialog). */
  by: 'anyone' | 'staff';
  /** Shown after the label, as the sheet's header may carry it: `服务时长（小时）`. */
  unit?: string;
  /** Several lines of free text. */
  multiline?: true;
  /** Kept in the dialog after a row is added: the next row usually repeats it (same day, same recorder). */
  repeats?: true;
}

/** A column of a table tab; `F` the fields of its tab's record (ColumnOf), any tab's by default. */
export interface ColumnDef<F extends string = FieldOf<TableTabKey>> {
  field: F;
  zh: string;
  en: string;
  kind: ColumnKind;
  /** The cell must not be empty (`required`). */
  required?: boolean;
  /** The column must exist (`missing_column`). */
  requiredColumn?: boolean;
  /** Its rule depends on another cell of the row (a milestone's target is ignored). */
  dependsOnRow?: boolean;
  /** 活动 only: how a person enters it by hand; absent, the system fills it. */
  entry?: ColumnEntry;
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

const DEFINITIONS = {
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
    {
      field: 'date',
      zh: '日期',
      en: 'Date',
      kind: { type: 'date' },
      required: true,
      requiredColumn: true,
      entry: { by: 'anyone', repeats: true },
    },
    {
      field: 'measureId',
      zh: '关联事项',
      en: 'Measure',
      kind: { type: 'id' },
      required: true,
      requiredColumn: true,
      entry: { by: 'anyone', repeats: true },
    },
    {
      field: 'partners',
      zh: '共建单位',
      en: 'Partners',
      kind: { type: 'list' },
      entry: { by: 'anyone', repeats: true },
    },
    {
      field: 'title',
      zh: '活动名称',
      en: 'Title',
      kind: title,
      required: true,
      requiredColumn: true,
      entry: { by: 'anyone' },
    },
    { field: 'location', zh: '地点', en: 'Location', kind: text, entry: { by: 'anyone' } },
    {
      field: 'participants',
      zh: '参与人数',
      en: 'Participants',
      kind: { type: 'integer', max: MAX_PEOPLE },
      entry: { by: 'anyone' },
    },
    {
      field: 'beneficiaries',
      zh: '受益人数',
      en: 'Beneficiaries',
      kind: { type: 'integer', max: MAX_PEOPLE },
      entry: { by: 'anyone' },
    },
    {
      field: 'hours',
      zh: '服务时长',
      en: 'Hours',
      kind: { type: 'number', max: MAX_HOURS },
      entry: { by: 'anyone', unit: '小时' },
    },
    {
      field: 'funds',
      zh: '投入资金',
      en: 'Funds',
      kind: { type: 'number', max: MAX_FUNDS },
      entry: { by: 'anyone', unit: '元' },
    },
    {
      field: 'status',
      zh: '状态',
      en: 'Status',
      kind: { type: 'enum', of: 'activityStatus' },
      entry: { by: 'staff', repeats: true },
    },
    { field: 'recorder', zh: '记录人', en: 'Recorder', kind: text, entry: { by: 'staff', repeats: true } },
    { field: 'evidence', zh: '佐证链接', en: 'Evidence', kind: { type: 'url' }, entry: { by: 'anyone' } },
    { field: 'notes', zh: '备注', en: 'Notes', kind: text, entry: { by: 'anyone', multiline: true } },
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
} as const satisfies { [T in TableTabKey]: readonly ColumnOf<T>[] };

/** Each table tab's columns, in the order a new tab is laid out. */
export const COLUMNS: { readonly [T in TableTabKey]: readonly ColumnOf<T>[] } = DEFINITIONS;

/** The activity fields anyone with an update-request link enters (the phone form), as a type (entry.ts). */
export type LinkField = Extract<
  (typeof DEFINITIONS)['activities'][number],
  { entry: { by: 'anyone' } }
>['field'];

/** The fields of a tab's record that no column fills (never, while the definitions are complete). */
type Uncovered<T extends TableTabKey> = Exclude<FieldOf<T>, (typeof DEFINITIONS)[T][number]['field']>;
/**
 * Compiles only while every field of each tab's record has its column: a field added to model.ts
 * without one fails here, naming the field (`Type 'true' is not assignable to type '"newField"'`).
 */
export const COLUMN_COVERAGE: { [T in TableTabKey]: [Uncovered<T>] extends [never] ? true : Uncovered<T> } = {
  partners: true,
  plan: true,
  activities: true,
  holidays: true,
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
  { field: 'deletionGuardPercent', zh: '删除确认比例', en: 'Deletion guard' },
  { field: 'deletionGuardRows', zh: '删除确认行数', en: 'Deletion guard rows' },
  { field: 'historyDays', zh: '变更记录保留天数', en: 'History days' },
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

/**
 * The 0-based column an issue names in a header row (texts trimmed): as written, else by headerKey;
 * -1 if none. The one rule for it: the cell marks of every writer and the 校验结果 tab's cell links
 * both ask here, so an issue marks the cell its link points to.
 */
export function issueColumn(header: readonly string[], column: string): number {
  const written = column.trim();
  if (written === '') return -1;
  const exact = header.indexOf(written);
  if (exact >= 0) return exact;
  const key = headerKey(written);
  return header.findIndex((text) => text !== '' && headerKey(text) === key);
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
