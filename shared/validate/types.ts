/**
 * What validation is asked and what it answers: the options, the per-tab counts and sources, the
 * result, and the feed a reader hands rows to. Their own module so that the tab checks under
 * validate/ and the entry points in validate.ts share them without importing each other.
 */

import type { RecordTabKey, TabKey } from '../columns';
import type { Issue } from '../issues';
import type { IsoDate, PlanModel } from '../model';
import type { RawRow } from '../workbook';

/** What a validation is asked: as of which date, and how strictly the plan year is required. */
export interface ValidateOptions {
  /** The as-of date `YYYY-MM-DD` (future_done, and the year when the settings have none). */
  asOf: IsoDate;
  /** The Google Sheet requires a plan year (`required`); the CLI falls back with a warning. */
  requireYear?: boolean;
}

/** A record tab's data rows, and how many were accepted and rejected. */
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

/** The accepted rows as a typed plan, every issue, and what was read from each tab. */
export interface ValidationResult {
  model: PlanModel;
  issues: Issue[];
  tabs: Record<RecordTabKey, TabCounts>;
  sources: Partial<Record<TabKey, TabSource>>;
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
