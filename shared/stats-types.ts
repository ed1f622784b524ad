/** The statistics of §4 as the CLI's `stats --json` prints them (numbers unrounded). */
import type { Category, MeasureStatus } from './i18n';
import type { IsoDate } from './model';

export interface Totals {
  activities: number;
  participants: number;
  beneficiaries: number;
  hours: number;
  funds: number;
}

export interface RollUp extends Totals, Record<MeasureStatus, number> {
  measures: number;
  completionRate: number;
  averageProgress: number;
  /** Counted (done) activities with evidence: a 佐证链接, a photo folder's link included (SPEC §11). */
  withEvidence: number;
  /** withEvidence / activities: the evidence coverage; 0 without activities. */
  evidenceCoverage: number;
}

export interface CategoryStats extends RollUp {
  category: Category;
  label: string;
}

export interface MeasureStats {
  measureId: string;
  category: Category;
  status: MeasureStatus;
  activities: number;
  achieved: number;
  target: number;
  progress: number;
  expectedProgress: number;
  missedPeriods: string[];
}

export interface PartnerStats extends Totals {
  partnerId: string;
  lastActivity: IsoDate | null;
  daysSinceLastActivity: number | null;
  stale: boolean;
  measures: number;
  measuresDone: number;
}

export interface MonthStats extends Totals {
  month: string;
}

export interface Stats {
  asOf: IsoDate;
  year: number;
  plan: RollUp;
  categories: CategoryStats[];
  measures: MeasureStats[];
  partners: PartnerStats[];
  months: MonthStats[];
}
