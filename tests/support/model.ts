/**
 * Builders of typed records for domain tests: each fills every required field with a plain
 * default, so a test states only what it is about.
 */
import type { Activity, Measure, Partner, PlanModel, Settings } from '../../shared/model';

/** Plan settings for 2026 with the spec's defaults. */
export function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    year: 2026,
    timezone: 'Asia/Shanghai',
    leaderEmails: [],
    editors: [],
    digestFrequency: 'monthly',
    staleDays: 30,
    reminderDays: 7,
    ...overrides,
  };
}

/** A count measure M1 (practicalMatters, target 1, no recurrence). */
export function measure(overrides: Partial<Measure> = {}): Measure {
  return {
    measureId: 'M1',
    category: 'practicalMatters',
    title: '事项',
    partners: [],
    metric: 'count',
    target: 1,
    recurrence: 'none',
    state: 'auto',
    row: 2,
    ...overrides,
  };
}

/** A done activity of measure M1 on 2026-03-01. */
export function activity(overrides: Partial<Activity> = {}): Activity {
  return {
    date: '2026-03-01',
    measureId: 'M1',
    partners: [],
    title: '活动',
    status: 'done',
    row: 2,
    ...overrides,
  };
}

/** An active partner P1 without email. */
export function partner(overrides: Partial<Partner> = {}): Partner {
  return {
    partnerId: 'P1',
    name: '单位',
    type: 'other',
    emails: [],
    active: true,
    row: 2,
    ...overrides,
  };
}

/** A plan model of the given parts (default settings). */
export function model(parts: {
  measures?: Measure[];
  activities?: Activity[];
  partners?: Partner[];
  settings?: Settings;
}): PlanModel {
  return {
    settings: parts.settings ?? settings(),
    partners: parts.partners ?? [],
    measures: parts.measures ?? [],
    activities: parts.activities ?? [],
  };
}
