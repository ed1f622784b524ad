/**
 * The typed records validation yields and everything downstream consumes (statistics, summary
 * tabs, emails, the record store). Dates are calendar dates `YYYY-MM-DD`.
 */
import * as z from 'zod';
import {
  ACTIVITY_STATUS_LABELS,
  CATEGORY_LABELS,
  DIGEST_FREQUENCY_LABELS,
  EVIDENCE_RULE_LABELS,
  HOLIDAY_KIND_LABELS,
  MEASURE_STATE_LABELS,
  METRIC_LABELS,
  PARTNER_TYPE_LABELS,
  RECURRENCE_LABELS,
} from './i18n';

const keysOf = <T extends Record<string, string>>(labels: T) =>
  z.enum(Object.keys(labels) as [keyof T & string, ...(keyof T & string)[]]);

/** A calendar date as `YYYY-MM-DD`. */
export const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
export type IsoDate = string;

export const Partner = z.object({
  partnerId: z.string(),
  name: z.string(),
  type: keysOf(PARTNER_TYPE_LABELS),
  contact: z.string().optional(),
  phone: z.string().optional(),
  emails: z.array(z.string()),
  pairedOn: IsoDate.optional(),
  active: z.boolean(),
  row: z.number().int(),
});
export type Partner = z.infer<typeof Partner>;

export const Measure = z.object({
  measureId: z.string(),
  category: keysOf(CATEGORY_LABELS),
  title: z.string(),
  owner: z.string().optional(),
  ownerEmail: z.string().optional(),
  /** Resolved partner IDs. */
  partners: z.array(z.string()),
  metric: keysOf(METRIC_LABELS),
  target: z.number(),
  recurrence: keysOf(RECURRENCE_LABELS),
  /** As typed; absent means 1 Jan / 31 Dec of the plan year (§4). */
  start: IsoDate.optional(),
  due: IsoDate.optional(),
  state: keysOf(MEASURE_STATE_LABELS),
  doneOn: IsoDate.optional(),
  notes: z.string().optional(),
  row: z.number().int(),
});
export type Measure = z.infer<typeof Measure>;

export const Activity = z.object({
  /** Absent until the system assigns one. */
  activityId: z.string().optional(),
  date: IsoDate,
  measureId: z.string(),
  /** Resolved partner IDs. */
  partners: z.array(z.string()),
  title: z.string(),
  location: z.string().optional(),
  participants: z.number().optional(),
  beneficiaries: z.number().optional(),
  hours: z.number().optional(),
  funds: z.number().optional(),
  status: keysOf(ACTIVITY_STATUS_LABELS),
  recorder: z.string().optional(),
  evidence: z.string().optional(),
  notes: z.string().optional(),
  row: z.number().int(),
});
export type Activity = z.infer<typeof Activity>;

/** A row of the 节假日 tab (§3): a day off (休) or a make-up working day (班), with its name. */
export const CalendarDay = z.object({
  date: IsoDate,
  kind: keysOf(HOLIDAY_KIND_LABELS),
  name: z.string().optional(),
});
export type CalendarDay = z.infer<typeof CalendarDay>;

export const Settings = z.object({
  community: z.string().optional(),
  year: z.number().int(),
  timezone: z.string(),
  leaderEmails: z.array(z.string()),
  editors: z.array(z.string()),
  senderName: z.string().optional(),
  digestFrequency: keysOf(DIGEST_FREQUENCY_LABELS),
  staleDays: z.number(),
  reminderDays: z.number(),
  /** 总结抄送领导: the year-end summary email also goes to the leaders (absent: no). */
  reportToLeaders: z.boolean().optional(),
  /** 填报需审核: rows reported through an update request land as 待审核 pending (absent: no). */
  reviewReports: z.boolean().optional(),
  /** 佐证要求: a done activity without evidence is let pass, warned (absent: warn) or refused. */
  evidenceRule: keysOf(EVIDENCE_RULE_LABELS).optional(),
  /** 填报链接有效天数: how long an update-request link stays valid (absent: DEFAULT_REQUEST_LINK_DAYS). */
  requestLinkDays: z.number().int().optional(),
  /** 变更记录保留天数: how long change entries are kept (§12; absent: DEFAULT_HISTORY_DAYS). */
  historyDays: z.number().int().optional(),
  /**
   * 删除确认比例, in percent (0–100, at most two decimals): a sync deleting this share of a tab's
   * records waits for confirmation (deletionGuard.ts; absent: DEFAULT_DELETION_GUARD_PERCENT).
   */
  deletionGuardPercent: z.number().min(0).max(100).optional(),
  /** 删除确认行数: a deletion of at most this many rows never waits (absent: DEFAULT_DELETION_GUARD_ROWS). */
  deletionGuardRows: z.number().int().min(0).optional(),
  /**
   * The accepted rows of the optional 节假日 tab (absent: none): the office's days off and make-up
   * working days, over the package's calendar (workdays.ts calendarOf). Kept with the settings so
   * every runtime that reads a plan — the daily mail round included — counts the same working days.
   */
  holidays: z.array(CalendarDay).optional(),
});
export type Settings = z.infer<typeof Settings>;

/** The accepted rows of a workbook: what statistics and summaries are computed from. */
export const PlanModel = z.object({
  settings: Settings,
  partners: z.array(Partner),
  measures: z.array(Measure),
  activities: z.array(Activity),
});
export type PlanModel = z.infer<typeof PlanModel>;

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';
export const DEFAULT_STALE_DAYS = 30;
export const DEFAULT_REMINDER_DAYS = 7;
export const DEFAULT_REQUEST_LINK_DAYS = 30;
export const DEFAULT_HISTORY_DAYS = 730;

/** How many days an update-request link minted under these settings stays valid. */
export function requestLinkDays(settings: Settings): number {
  return settings.requestLinkDays ?? DEFAULT_REQUEST_LINK_DAYS;
}

/** How many days a change entry written under these settings is kept (§12). */
export function historyDays(settings: Settings): number {
  return settings.historyDays ?? DEFAULT_HISTORY_DAYS;
}
