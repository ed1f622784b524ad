/**
 * How the system marks what it writes into staff's workbook, identical from every writer (the
 * .xlsx and Google Sheets adapters, the add-on), so each recognises and clears the others' marks
 * and never touches staff's own notes and colours.
 */
import type { Severity } from './issues';

/** Every note (and protection) the system writes starts with this. */
export const ISSUE_NOTE_MARKER = '【共建助手】';

/** The fill of a marked cell (RGB hex). Unusual tints on purpose: staff rarely pick exactly these. */
export const ISSUE_FILL_RGB: Record<Severity, string> = { error: 'FFDCDC', warning: 'FFF4C2' };

/** The description of the warning-only protection on generated tabs. */
export const GENERATED_TAB_PROTECTION = `${ISSUE_NOTE_MARKER}自动生成的表，每次同步时整表重写，请勿手动修改`;

/**
 * The developer-metadata key of the marker that binds a Google Sheet to its plan: the add-on puts
 * it on the spreadsheet itself with the plan ID as value and DOCUMENT visibility, and the functions
 * write nothing into a sheet whose markers do not name the plan (functions/src/store/binding.ts
 * says why that is sound).
 */
export const PLAN_MARKER_KEY = 'gongjian.planId';

/** What a spreadsheet's plan markers say about a plan. */
export type PlanMarkerVerdict = 'bound' | 'missing' | 'other_plan';

/** Bound only when the sheet has a marker and every marker names this plan (two plans: neither). */
export function planMarkerVerdict(values: readonly string[], planId: string): PlanMarkerVerdict {
  if (values.length === 0) return 'missing';
  return values.every((value) => value === planId) ? 'bound' : 'other_plan';
}
