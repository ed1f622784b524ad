/**
 * Validation of a whole workbook (§3): recognises the tabs, normalises every cell, checks each
 * row and the references between tabs, and returns the accepted rows as a typed PlanModel with
 * every issue. No row is dropped silently: each data row is accepted or rejected with an issue.
 *
 * The entry points live here; the settings, each record tab's check, one row's cells and the
 * references between rows and tabs live under validate/.
 */
import {
  COLUMNS,
  OPTIONAL_TABS,
  RECORD_TABS,
  type RecordTabKey,
  recogniseTab,
  SETTINGS_COLUMNS,
  TAB_KEYS,
  type TabKey,
} from './columns';
import { UnusableInputError } from './errors';
import { type EvidenceRule, TAB_LABELS } from './i18n';
import { type Issue, makeIssue } from './issues';
import type { Activity, CalendarDay, IsoDate, Measure, Partner, Settings } from './model';
import { activityCheck } from './validate/activities';
import { holidayCheck } from './validate/holidays';
import { partnerCheck } from './validate/partners';
import { measureCheck } from './validate/plan';
import { partnerResolver } from './validate/references';
import { headerAsWritten, recordTabFeed } from './validate/row';
import { readSettings, type SettingAt } from './validate/settings';
import type {
  StreamValidateOptions,
  TabCounts,
  TabFeed,
  TabSource,
  ValidateOptions,
  ValidationResult,
} from './validate/types';
import type { CellValue, RawTab, RawWorkbook } from './workbook';
import { calendarKnows, workCalendar } from './workdays';

// Importers keep reading the option and result types from here, beside the functions.
export type * from './validate/types';

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
          : activityCheck(
              this.activities,
              this.measures,
              resolver,
              settings.year,
              this.asOf,
              settings.evidenceRule,
            );
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
  /** 设置 → 佐证要求 (absent: warn). */
  evidenceRule?: EvidenceRule | undefined;
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
      context.evidenceRule,
    ),
    { rows: 0, accepted: 0, rejected: 0 },
    rowIssues,
  );
  feed.row({ row: context.row ?? 0, cells: columns.map((column) => cells[column.field] ?? null) });
  return { activity: activities[0], issues: [...issues, ...rowIssues] };
}
