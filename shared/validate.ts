/**
 * Validation of a whole workbook (§3): recognises the tabs, normalises every cell, checks each
 * row and the references between tabs, and returns the accepted rows as a typed PlanModel with
 * every issue. No row is dropped silently: each data row is accepted or rejected with an issue.
 */
import {
  COLUMNS,
  type ColumnDef,
  headerKey,
  locateColumns,
  MAX_CELL_LENGTH,
  MAX_ID_LENGTH,
  OPTIONAL_TABS,
  RECORD_TABS,
  type RecordTabKey,
  recogniseTab,
  SETTING_KEYS,
  SETTINGS_COLUMNS,
  type SettingKey,
  TAB_KEYS,
  type TabKey,
  type TableTabKey,
} from './columns';
import { dayOf } from './dates';
import { UnusableInputError } from './errors';
import { TAB_LABELS } from './i18n';
import { type Issue, type IssueCode, type IssueParams, makeIssue } from './issues';
import {
  type Activity,
  type CalendarDay,
  DEFAULT_REMINDER_DAYS,
  DEFAULT_REQUEST_LINK_DAYS,
  DEFAULT_STALE_DAYS,
  DEFAULT_TIMEZONE,
  type IsoDate,
  type Measure,
  type Partner,
  type PlanModel,
  type Settings,
} from './model';
import {
  cellText,
  comparisonKey,
  enumOptions,
  freeCellText,
  hasListSeparator,
  INVALID,
  isEmail,
  isEmptyCell,
  isHttpUrl,
  isPhone,
  parseDate,
  parseEnum,
  parseList,
  parseNumber,
} from './normalize';
import type { CellValue, RawRow, RawTab, RawWorkbook } from './workbook';
import { calendarKnows, workCalendar } from './workdays';

export interface ValidateOptions {
  /** The as-of date `YYYY-MM-DD` (future_done, and the year when the settings have none). */
  asOf: IsoDate;
  /** The Google Sheet requires a plan year (`required`); the CLI falls back with a warning. */
  requireYear?: boolean;
}

export interface TabCounts {
  rows: number;
  accepted: number;
  rejected: number;
}

/** Where a recognised tab came from: its name and header as written. */
export interface TabSource {
  name: string;
  header: string[];
}

export interface ValidationResult {
  model: PlanModel;
  issues: Issue[];
  tabs: Record<RecordTabKey, TabCounts>;
  sources: Partial<Record<TabKey, TabSource>>;
}

/** Picks the four data tabs out of a workbook; unusable when none is there or one is there twice. */
export function recogniseTabs(workbook: RawWorkbook): Partial<Record<TabKey, RawTab>> {
  const found: Partial<Record<TabKey, RawTab>> = {};
  for (const [key, index] of Object.entries(recogniseTabNames(workbook.tabs.map((tab) => tab.name)))) {
    const tab = workbook.tabs[index];
    if (tab !== undefined) found[key as TabKey] = tab;
  }
  return found;
}

/** Which of the named tabs (by index) is each data tab; unusable when none is, or two are one. */
export function recogniseTabNames(names: readonly string[]): Partial<Record<TabKey, number>> {
  const found: Partial<Record<TabKey, number>> = {};
  names.forEach((name, index) => {
    const key = recogniseTab(name);
    if (key === undefined) return;
    const earlier = found[key];
    if (earlier !== undefined) {
      throw new UnusableInputError(
        'duplicate_tab',
        `「${names[earlier]}」和「${name}」都是${TAB_LABELS[key].zh}表，无法确定使用哪一个`,
        `Both "${names[earlier]}" and "${name}" are the ${TAB_LABELS[key].en} tab; cannot tell which to use`,
      );
    }
    found[key] = index;
  });
  if ((Object.keys(found) as TabKey[]).every((key) => OPTIONAL_TABS.has(key))) {
    throw new UnusableInputError(
      'no_tabs',
      '没有找到可识别的工作表（设置、共建单位、计划、活动）',
      'No recognisable tab found (Settings, Partners, Plan, Activities)',
    );
  }
  return found;
}

/** Validates a workbook; throws UnusableInputError only when no data tab can be recognised. */
export function validateWorkbook(workbook: RawWorkbook, options: ValidateOptions): ValidationResult {
  return validated(workbook, options).result();
}

/**
 * Validates as of today in the plan's own time zone (设置 → 时区, else the default zone), which is
 * only known once the settings are read; `today(zone)` is the calling runtime's clock. Returns the
 * date it validated as of.
 */
export function validateAsOfToday(
  workbook: RawWorkbook,
  today: (timezone: string) => IsoDate,
  options: Omit<ValidateOptions, 'asOf'> = {},
): { result: ValidationResult; asOf: IsoDate } {
  const validation = validated(workbook, { ...options, asOf: today });
  return { result: validation.result(), asOf: validation.asOf };
}

function validated(workbook: RawWorkbook, options: StreamValidateOptions): WorkbookValidation {
  const tabs = recogniseTabs(workbook);
  const validation = new WorkbookValidation(new Set(Object.keys(tabs) as TabKey[]), options);
  validation.settings(tabs.settings);
  for (const key of RECORD_TABS) {
    const tab = tabs[key];
    if (tab === undefined) continue;
    const feed = validation.tab(key, tab.name, tab.header);
    for (const raw of tab.rows) feed.row(raw);
    feed.end();
  }
  if (tabs.holidays !== undefined) {
    const feed = validation.holidays(tabs.holidays.name, tabs.holidays.header);
    for (const raw of tabs.holidays.rows) feed.row(raw);
    feed.end();
  }
  return validation;
}

/** Validation options where the as-of date may depend on the plan's time zone (§4: "today"). */
export interface StreamValidateOptions extends Omit<ValidateOptions, 'asOf'> {
  asOf: IsoDate | ((timezone: string) => IsoDate);
}

/** A data tab's rows, fed one at a time, then ended. */
export interface TabFeed {
  row(raw: RawRow): void;
  end(): void;
}

/**
 * Validation fed tab by tab — settings first, then partners, plan and activities, each ended
 * before the next, and the optional 节假日 tab at any point after the settings — and row by row:
 * each row is checked against the rows and tabs before it and let go, so a reader of a large file
 * never has to hold its rows. validateWorkbook is this over a workbook in memory.
 */
export class WorkbookValidation {
  private readonly issues: Issue[] = [];
  private readonly sources: Partial<Record<TabKey, TabSource>> = {};
  private readonly counts: Record<RecordTabKey, TabCounts> = {
    partners: { rows: 0, accepted: 0, rejected: 0 },
    plan: { rows: 0, accepted: 0, rejected: 0 },
    activities: { rows: 0, accepted: 0, rejected: 0 },
  };
  private readonly rowIssues: Record<RecordTabKey, Issue[]> = { partners: [], plan: [], activities: [] };
  private readonly partners: Partner[] = [];
  private readonly measures: Measure[] = [];
  private readonly activities: Activity[] = [];
  private readonly calendarDays: CalendarDay[] = [];
  private readonly holidayIssues: Issue[] = [];
  private yearAt: SettingAt | undefined;
  private settingsRead: Settings | undefined;
  private resolvedAsOf: IsoDate | undefined;

  /** `present`: the data tabs the workbook has (recogniseTabNames); the others are reported missing. */
  constructor(
    present: ReadonlySet<TabKey>,
    private readonly options: StreamValidateOptions,
  ) {
    for (const key of TAB_KEYS) {
      if (!present.has(key) && !OPTIONAL_TABS.has(key))
        this.issues.push(makeIssue(key, 1, '', '', 'missing_tab', { tab: TAB_LABELS[key].zh }));
    }
  }

  /** Reads the settings tab (absent: undefined) and settles the as-of date; returns the settings. */
  settings(tab: RawTab | undefined): Settings {
    if (tab)
      this.sources.settings = {
        name: tab.name,
        header: tab.header.map((cell) => headerAsWritten(cell) ?? ''),
      };
    const { settings, asOf, yearAt } = readSettings(tab, this.options, this.issues);
    this.settingsRead = settings;
    this.resolvedAsOf = asOf;
    this.yearAt = yearAt;
    return settings;
  }

  /** The as-of date, once the settings are read. */
  get asOf(): IsoDate {
    if (this.resolvedAsOf === undefined) throw new Error('WorkbookValidation: settings() first');
    return this.resolvedAsOf;
  }

  /** Starts a record tab: its rows follow. */
  tab(key: RecordTabKey, name: string, header: CellValue[]): TabFeed {
    const settings = this.settingsRead ?? this.settings(undefined);
    this.sources[key] = { name, header: header.map((cell) => headerAsWritten(cell) ?? '') };
    const resolver = partnerResolver(this.partners);
    const finish =
      key === 'partners'
        ? partnerCheck(this.partners)
        : key === 'plan'
          ? measureCheck(this.measures, settings.year, resolver)
          : activityCheck(this.activities, this.measures, resolver, settings.year, this.asOf);
    return recordTabFeed(key, header, this.issues, finish, this.counts[key], this.rowIssues[key]);
  }

  /** Starts the 节假日 tab (after the settings): its rows follow. */
  holidays(name: string, header: CellValue[]): TabFeed {
    if (this.settingsRead === undefined) this.settings(undefined);
    this.sources.holidays = { name, header: header.map((cell) => headerAsWritten(cell) ?? '') };
    return recordTabFeed(
      'holidays',
      header,
      this.holidayIssues,
      holidayCheck(this.calendarDays),
      { rows: 0, accepted: 0, rejected: 0 },
      this.holidayIssues,
    );
  }

  /** The result, once every tab is fed. */
  result(): ValidationResult {
    const read = this.settingsRead ?? this.settings(undefined);
    const days = this.calendarDays;
    const settings: Settings = days.length > 0 ? { ...read, holidays: [...days] } : read;
    const issues = [...this.issues];
    // One warning per workbook, on its plan year: every working day of the year is an estimate.
    if (!calendarKnows(settings.year, workCalendar(days))) {
      const at = this.yearAt;
      issues.push(
        makeIssue(
          'settings',
          at?.row ?? 1,
          at?.column ?? SETTINGS_COLUMNS.value.zh,
          'year',
          'unknown_calendar',
          {
            year: settings.year,
            tab: TAB_LABELS.holidays.zh,
          },
        ),
      );
    }
    for (const key of RECORD_TABS) for (const issue of this.rowIssues[key]) issues.push(issue);
    for (const issue of this.holidayIssues) issues.push(issue);
    const { partners, measures, activities } = this;
    return {
      model: { settings, partners, measures, activities },
      issues,
      tabs: this.counts,
      sources: this.sources,
    };
  }
}

/** What an activity row typed outside the sheet (the update-request form) is checked against. */
export interface ActivityRowContext {
  /** The plan's accepted partners and measures. */
  partners: Partner[];
  measures: Measure[];
  year: number;
  asOf: IsoDate;
  /** The row number its issues name (the form has none: 0). */
  row?: number;
}

/** Validates one activity given by field (as typed) with exactly the rules of an 活动 row. */
export function validateActivityRow(
  cells: Partial<Record<string, CellValue>>,
  context: ActivityRowContext,
): { activity: Activity | undefined; issues: Issue[] } {
  const columns = COLUMNS.activities;
  const activities: Activity[] = [];
  const issues: Issue[] = [];
  const rowIssues: Issue[] = [];
  const feed = recordTabFeed(
    'activities',
    columns.map((column) => column.zh),
    issues,
    activityCheck(
      activities,
      context.measures,
      partnerResolver(context.partners),
      context.year,
      context.asOf,
    ),
    { rows: 0, accepted: 0, rejected: 0 },
    rowIssues,
  );
  feed.row({ row: context.row ?? 0, cells: columns.map((column) => cells[column.field] ?? null) });
  return { activity: activities[0], issues: [...issues, ...rowIssues] };
}

/** A header cell as the sheet shows it (issues name columns as written), or undefined when empty. */
function headerAsWritten(cell: CellValue | undefined): string | undefined {
  if (typeof cell !== 'string') return cellText(cell);
  const text = cell.trim();
  return text === '' ? undefined : text;
}

/** One data row on its way through validation: normalised values and what was found wrong. */
class RowCheck {
  readonly values: Record<string, unknown> = {};
  readonly issues: Issue[] = [];
  /** Cells whose rule depends on another cell of the row; the tab's own check reads them. */
  deferred: Map<string, [ColumnDef, CellValue | undefined]> | undefined;
  rejected = false;
  /** Fields whose value was above its plausible bound: read, reported, and left out of the record. */
  readonly implausible = new Set<string>();
  /** Rejected before its cells were read (a required column is missing): no further checks. */
  unread = false;
  constructor(
    readonly tab: TableTabKey,
    readonly row: number,
    readonly headers: ReadonlyMap<string, string>,
    readonly cells: readonly CellValue[],
    readonly columnIndex: ReadonlyMap<string, number>,
  ) {}

  /** A cell's normalised text as typed, for messages that quote it. */
  typed(field: string): string | undefined {
    const index = this.columnIndex.get(field);
    return index === undefined ? undefined : cellText(this.cells[index]);
  }

  report(field: string, code: IssueCode, params: IssueParams = {}): void {
    const issue = makeIssue(this.tab, this.row, this.headers.get(field) ?? '', field, code, params);
    if (issue.severity === 'error') this.rejected = true;
    this.issues.push(issue);
  }

  text(field: string): string | undefined {
    return this.values[field] as string | undefined;
  }
  number(field: string): number | undefined {
    return this.values[field] as number | undefined;
  }
  /** Reads a deferred cell now that the rest of the row is known. */
  readDeferred(field: string): void {
    const entry = this.deferred?.get(field);
    if (entry) readCell(this, entry[0], entry[1]);
  }
  list(field: string): string[] {
    return (this.values[field] as string[] | undefined) ?? [];
  }
}

/** Reads the rows of a record tab, normalising each cell on its own, and hands each row to `finish`. */
function recordTabFeed(
  tabKey: TableTabKey,
  header: readonly CellValue[],
  issues: Issue[],
  finish: (check: RowCheck) => void,
  counts: TabCounts,
  rowIssues: Issue[],
): TabFeed {
  const located = locateColumns(tabKey, header);
  const headers = new Map<string, string>();
  const present: [ColumnDef, number][] = [];
  for (const column of COLUMNS[tabKey]) {
    const index = located.get(column.field);
    if (index === undefined) continue;
    headers.set(column.field, headerAsWritten(header[index]) ?? column.zh);
    present.push([column, index]);
  }
  const missing = COLUMNS[tabKey].filter((column) => column.requiredColumn && !located.has(column.field));
  const tabLabel = TAB_LABELS[tabKey].zh;
  for (const column of missing) {
    headers.set(column.field, column.zh);
    issues.push(makeIssue(tabKey, 1, column.zh, column.field, 'missing_column', { tab: tabLabel }));
  }
  return {
    row(raw) {
      if (present.every(([, index]) => isEmptyCell(raw.cells[index]))) return;
      const check = new RowCheck(tabKey, raw.row, headers, raw.cells, located);
      if (missing.length > 0) {
        for (const column of missing) check.report(column.field, 'missing_column', { tab: tabLabel });
        check.unread = true;
      } else {
        for (const [column, index] of present) {
          if (column.dependsOnRow) {
            check.deferred ??= new Map();
            check.deferred.set(column.field, [column, raw.cells[index]]);
          } else readCell(check, column, raw.cells[index]);
        }
      }
      finish(check);
      counts.rows++;
      if (check.rejected) counts.rejected++;
      counts.accepted = counts.rows - counts.rejected;
      for (const issue of check.issues) rowIssues.push(issue);
    },
    end() {},
  };
}

/** Normalises one cell into `check.values[field]`, reporting what is wrong with it alone. */
function readCell(check: RowCheck, column: ColumnDef, cell: CellValue | undefined): void {
  const { field, kind } = column;
  // Free text keeps its punctuation as typed; everything else is read after NFKC.
  const text = kind.type === 'text' ? freeCellText(cell) : cellText(cell);
  // UTF-16 length bounds the count of characters: count them only when it could matter.
  if (text !== undefined && text.length > MAX_CELL_LENGTH && [...text].length > MAX_CELL_LENGTH) {
    check.report(field, 'too_long', { limit: MAX_CELL_LENGTH, length: [...text].length });
    return;
  }
  if (text === undefined) {
    if (column.required) check.report(field, 'required');
    if (kind.type === 'list' || kind.type === 'emails') check.values[field] = [];
    return;
  }
  switch (kind.type) {
    case 'id':
      if ((text.length > MAX_ID_LENGTH && [...text].length > MAX_ID_LENGTH) || hasListSeparator(cell)) {
        check.report(field, 'invalid_id', { value: text, limit: MAX_ID_LENGTH });
      }
      check.values[field] = text;
      return;
    case 'text': {
      const length = kind.max !== undefined && text.length > kind.max ? [...text].length : 0;
      if (kind.max !== undefined && length > kind.max) {
        check.report(field, 'too_long', { limit: kind.max, length });
      }
      if (/^[=+\-@]/.test(text)) check.report(field, 'formula_like');
      check.values[field] = text;
      return;
    }
    case 'list':
      check.values[field] = parseList(cell);
      return;
    case 'emails': {
      const emails = parseList(cell);
      for (const email of emails) if (!isEmail(email)) check.report(field, 'invalid_email', { value: email });
      check.values[field] = emails;
      return;
    }
    case 'email':
      if (!isEmail(text)) check.report(field, 'invalid_email', { value: text });
      check.values[field] = text;
      return;
    case 'phone':
      if (!isPhone(text)) check.report(field, 'invalid_phone', { value: text });
      check.values[field] = text;
      return;
    case 'url':
      if (!isHttpUrl(text)) check.report(field, 'invalid_url', { value: text });
      check.values[field] = text;
      return;
    case 'date': {
      const date = parseDate(cell);
      if (date === INVALID) check.report(field, 'invalid_date', { value: text });
      else check.values[field] = date;
      return;
    }
    case 'number':
    case 'integer': {
      const value = parseNumber(cell);
      if (value === INVALID || value === undefined) check.report(field, 'invalid_number', { value: text });
      else if (kind.type === 'number' && kind.positive && value <= 0)
        check.report(field, 'invalid_number', { value: text });
      else if (kind.type === 'integer' && !Number.isInteger(value))
        check.report(field, 'not_integer', { value: text });
      else if (value < 0) check.report(field, 'negative_number', { value: text });
      // Beyond 2^53 a number no longer holds the integer typed (2^53+1 reads as 2^53): refused,
      // since whatever was kept would not be what the person wrote.
      else if (kind.type === 'integer' && !Number.isSafeInteger(value))
        check.report(field, 'unsafe_integer', { value: text });
      else if (kind.max !== undefined && value > kind.max) {
        // The row stays (a warning), but the value is left out of the record, so statistics do
        // not take it: one mistyped figure would otherwise swamp the plan's totals until someone
        // noticed. The sheet keeps what was typed for staff to correct.
        check.report(field, 'implausible_value', { value: text, limit: kind.max });
        check.implausible.add(field);
      } else check.values[field] = value;
      return;
    }
    case 'enum': {
      const value = parseEnum(kind.of, cell);
      if (value === INVALID) {
        const options = enumOptions(kind.of);
        check.report(field, 'invalid_enum', {
          value: text,
          options: options.zh.join('、'),
          optionsEn: options.en.join(', '),
        });
      } else {
        check.values[field] = value;
      }
      return;
    }
  }
}

/** Flags IDs already used by an earlier row of the same tab (accepted or not). */
function uniqueIds(field: string): (check: RowCheck) => void {
  const seen = new Map<string, number>();
  return (check) => {
    const id = check.text(field);
    if (id === undefined) return;
    const first = seen.get(id);
    if (first === undefined) seen.set(id, check.row);
    else check.report(field, 'duplicate_id', { value: id, row: first });
  };
}

/** Checks a partner row (IDs and names unique so far) and keeps it in `partners` when accepted. */
function partnerCheck(partners: Partner[]): (check: RowCheck) => void {
  const uniqueId = uniqueIds('partnerId');
  const names = new Map<string, number>();
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const name = check.text('name');
    if (name !== undefined) {
      // Names differing only in full- or half-width forms are the same name to a reference.
      const key = comparisonKey(name);
      const first = names.get(key);
      if (first === undefined) names.set(key, check.row);
      else check.report('name', 'duplicate_name', { value: name, row: first });
    }
    const emails = check.list('emails');
    if (emails.length === 0 && !check.issues.some((issue) => issue.field === 'emails')) {
      check.report('emails', 'no_email', { value: name ?? check.text('partnerId') ?? '' });
    }
    if (check.rejected) return;
    partners.push({
      partnerId: check.text('partnerId') as string,
      name: name as string,
      type: (check.text('type') ?? 'other') as Partner['type'],
      contact: check.text('contact'),
      phone: check.text('phone'),
      emails,
      pairedOn: check.text('pairedOn'),
      active: check.text('active') !== 'inactive',
      row: check.row,
    });
  };
}

/** Resolves a partner reference (an accepted partner's ID, else its exact name) to its ID. */
type PartnerResolver = (reference: string) => string | undefined;

function partnerResolver(partners: Partner[]): PartnerResolver {
  const byId = new Map(partners.map((p) => [p.partnerId, p.partnerId]));
  // A reference is read with NFKC (parseList); the names it may match are compared the same way.
  const byName = new Map(partners.map((p) => [comparisonKey(p.name), p.partnerId]));
  return (reference) => byId.get(reference) ?? byName.get(comparisonKey(reference));
}

function resolvePartners(check: RowCheck, resolve: PartnerResolver): string[] {
  const ids: string[] = [];
  for (const reference of check.list('partners')) {
    const id = resolve(reference);
    if (id === undefined) check.report('partners', 'unknown_partner', { value: reference });
    else if (!ids.includes(id)) ids.push(id);
  }
  return ids;
}

/** Checks a plan row and keeps it in `measures` when accepted. */
function measureCheck(
  measures: Measure[],
  year: number,
  resolve: PartnerResolver,
): (check: RowCheck) => void {
  const uniqueId = uniqueIds('measureId');
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const partners = resolvePartners(check, resolve);
    const metric = (check.text('metric') ?? 'count') as Measure['metric'];
    const recurrence = (check.text('recurrence') ?? 'none') as Measure['recurrence'];
    // A milestone's target is always 1: whatever was typed there is ignored, not checked.
    if (metric !== 'milestone') check.readDeferred('target');
    if (metric === 'milestone' && recurrence !== 'none') {
      check.report('recurrence', 'invalid_recurrence', {
        value: check.typed('recurrence') ?? recurrence,
      });
    }
    const start = check.text('start');
    const due = check.text('due');
    const effectiveStart = start ?? `${year}-01-01`;
    const effectiveDue = due ?? `${year}-12-31`;
    const unreadable = check.issues.some((i) => i.code === 'invalid_date');
    if (!unreadable && dayOf(effectiveDue) < dayOf(effectiveStart)) {
      check.report(due === undefined ? 'start' : 'due', 'date_range', {
        start: effectiveStart,
        due: effectiveDue,
      });
    }
    if (check.rejected) return;
    measures.push({
      measureId: check.text('measureId') as string,
      category: check.text('category') as Measure['category'],
      title: check.text('title') as string,
      owner: check.text('owner'),
      ownerEmail: check.text('ownerEmail'),
      partners,
      metric,
      target: metric === 'milestone' ? 1 : (check.number('target') ?? 1),
      recurrence,
      start: start,
      due: due,
      state: (check.text('status') ?? 'auto') as Measure['state'],
      doneOn: check.text('doneOn'),
      notes: check.text('notes'),
      row: check.row,
    });
  };
}

/** Checks an activity row and keeps it in `activities` when accepted. */
function activityCheck(
  activities: Activity[],
  measures: Measure[],
  resolve: PartnerResolver,
  year: number,
  asOf: IsoDate,
): (check: RowCheck) => void {
  const uniqueId = uniqueIds('activityId');
  const measureIds = new Set(measures.map((m) => m.measureId));
  const seen = new Map<string, number>();
  return (check) => {
    uniqueId(check);
    if (check.unread) return;
    const date = check.text('date');
    const measureId = check.text('measureId');
    const title = check.text('title');
    if (measureId !== undefined && !measureIds.has(measureId)) {
      check.report('measureId', 'unknown_measure', { value: measureId });
    }
    const partners = resolvePartners(check, resolve);
    const status = (check.text('status') ?? 'done') as Activity['status'];
    if (date !== undefined) {
      if (status === 'done' && date > asOf) check.report('date', 'future_done', { value: date, asOf });
      if (Number(date.slice(0, 4)) !== year) check.report('date', 'outside_plan_year', { value: date, year });
      if (measureId !== undefined && title !== undefined) {
        const key = `${date}\u0000${measureId}\u0000${comparisonKey(title)}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, check.row);
        else check.report('title', 'duplicate_activity', { row: first });
      }
    }
    const hours = check.number('hours');
    const participants = check.number('participants');
    // Hours are measured against the participants only when their number is believable.
    if (
      hours !== undefined &&
      !check.implausible.has('participants') &&
      hours > 24 * Math.max(participants ?? 0, 1)
    ) {
      check.report('hours', 'implausible_hours', { value: String(hours) });
    }
    if (check.rejected) return;
    activities.push({
      activityId: check.text('activityId'),
      date: date as string,
      measureId: measureId as string,
      partners,
      title: title as string,
      location: check.text('location'),
      participants: participants,
      beneficiaries: check.number('beneficiaries'),
      hours: hours,
      funds: check.number('funds'),
      status,
      recorder: check.text('recorder'),
      evidence: check.text('evidence'),
      notes: check.text('notes'),
      row: check.row,
    });
  };
}

/**
 * Checks a 节假日 row (a date given once in the tab) and keeps it in `days` when accepted. A date
 * given twice is an error on the later row: which of 休 and 班 the office meant is not ours to guess.
 */
function holidayCheck(days: CalendarDay[]): (check: RowCheck) => void {
  const seen = new Map<string, number>();
  return (check) => {
    if (check.unread) return;
    const date = check.text('date');
    if (date !== undefined) {
      const first = seen.get(date);
      if (first === undefined) seen.set(date, check.row);
      else check.report('date', 'duplicate_date', { value: date, row: first });
    }
    if (check.rejected) return;
    const name = check.text('name');
    days.push({
      date: date as string,
      kind: check.text('kind') as CalendarDay['kind'],
      ...(name !== undefined && { name }),
    });
  };
}

/** Where a setting's value stands: its row and the value column as written. */
interface SettingAt {
  row: number;
  column: string;
}

/** Reads the settings tab (key/value rows); bad values are reported and replaced by defaults. */
function readSettings(
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
  let digestFrequency: Settings['digestFrequency'] = 'monthly';
  const frequencyAt = raw.get('digestFrequency');
  if (frequencyAt) {
    const value = parseEnum('digestFrequency', frequencyAt.cell);
    if (value === INVALID || value === undefined) {
      const options = enumOptions('digestFrequency');
      report('digestFrequency', 'invalid_enum', {
        value: text('digestFrequency') ?? '',
        options: options.zh.join('、'),
        optionsEn: options.en.join(', '),
      });
    } else {
      digestFrequency = value as Settings['digestFrequency'];
    }
  }
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
  };
  const yearAt = raw.get('year');
  return { settings, asOf, yearAt: yearAt && { row: yearAt.row, column: yearAt.column } };
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
