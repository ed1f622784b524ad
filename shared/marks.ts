/**
 * How the system marks what it writes into staff's workbook — the one write-back planner. Every
 * writer (the Sheets API adapter, the .xlsx adapter, the Apps Script add-on) asks this module which
 * cell each issue marks, what the note says, how its own earlier note is recognised and removed and
 * which fill the cell gets, and only applies the answer in its own API. So each writer recognises and clears the others' marks, and none touches staff's own
 * notes and colours. Which ID cells a writer may fill is the planner's other half, idWrites.ts.
 */
import { issueColumn, type TabKey } from './columns';
import { SEVERITY_LABELS } from './i18n';
import type { Issue, Severity } from './issues';
import { cellText } from './normalize';
import type { CellValue } from './workbook';

/** Every note (and protection) the system writes starts with this. */
export const ISSUE_NOTE_MARKER = '【共建助手】';

/** The first line of our note on a marked cell, the same from every writer. */
export const ISSUE_NOTE_HEADING = `${ISSUE_NOTE_MARKER}校验结果（下次同步时自动更新）`;

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

// ---------------------------------------------------------------------------------------------
// Which cell an issue marks.

/** What marking needs of an issue (the add-on's issues, from the API, have these fields too). */
export type MarkIssue = Pick<Issue, 'tab' | 'row' | 'column' | 'severity' | 'message'>;

/** A header row as the planner matches it: trimmed text per column ('' where empty), trailing empty ones dropped. */
export function headerTexts(cells: readonly CellValue[]): string[] {
  const texts = cells.map((cell) =>
    cell === null ? '' : typeof cell === 'string' ? cell.trim() : (cellText(cell) ?? ''),
  );
  while (texts.length > 0 && texts[texts.length - 1] === '') texts.pop();
  return texts;
}

/** A data tab as a writer sees it: its header row (trimmed texts) and, when bounded, its grid size. */
export interface MarkTab {
  header: readonly string[];
  /** Sheet rows that exist (a Google Sheet's grid); undefined where rows are unbounded (.xlsx). */
  rowCount?: number;
  /** Columns that exist, likewise. */
  columnCount?: number;
}

/** Per sheet row, per 0-based column, the issues of one cell. */
export type CellIssues<I extends MarkIssue = MarkIssue> = Map<number, Map<number, I[]>>;

/** Where a list of issues goes: per tab the cells it marks, and the issues that name no cell. */
export interface MarkPlan<I extends MarkIssue = MarkIssue> {
  cells: Map<TabKey, CellIssues<I>>;
  /** Issues naming no cell: the header row, no column, a tab or column not in the workbook. */
  unmarked: I[];
}

/** Groups issues by the cell they mark (data rows only: row 1 is the header, never marked). */
export function planMarks<I extends MarkIssue>(
  issues: readonly I[],
  tabOf: (tab: TabKey) => MarkTab | undefined,
): MarkPlan<I> {
  const plan: MarkPlan<I> = { cells: new Map(), unmarked: [] };
  const tabs = new Map<TabKey, MarkTab | undefined>();
  for (const issue of issues) {
    if (!tabs.has(issue.tab)) tabs.set(issue.tab, tabOf(issue.tab));
    const tab = tabs.get(issue.tab);
    const inRows = Number.isInteger(issue.row) && issue.row >= 2 && issue.row <= (tab?.rowCount ?? Infinity);
    const column = tab && inRows ? issueColumn(tab.header, issue.column) : -1;
    if (!tab || column < 0 || column >= (tab.columnCount ?? Infinity)) {
      plan.unmarked.push(issue);
      continue;
    }
    const byRow = plan.cells.get(issue.tab) ?? new Map<number, Map<number, I[]>>();
    plan.cells.set(issue.tab, byRow);
    const byColumn = byRow.get(issue.row) ?? new Map<number, I[]>();
    byRow.set(issue.row, byColumn);
    const list = byColumn.get(column);
    if (list) list.push(issue);
    else byColumn.set(column, [issue]);
  }
  return plan;
}

// ---------------------------------------------------------------------------------------------
// What a marked cell holds.

/** Whether a note holds a part of ours. */
export function hasIssueNote(note: string): boolean {
  return note.includes(ISSUE_NOTE_MARKER);
}

/** Staff's part of a note: everything before our marker, trailing white space dropped ('' when none). */
export function staffNote(note: string): string {
  const at = note.indexOf(ISSUE_NOTE_MARKER);
  return (at < 0 ? note : note.slice(0, at)).replace(/\s+$/, '');
}

/** Our note for the issues of one cell: the heading, then one line per issue. */
export function issueNote(issues: readonly MarkIssue[]): string {
  const lines = issues.map((issue) => `${SEVERITY_LABELS[issue.severity]}：${issue.message}`);
  return `${ISSUE_NOTE_HEADING}\n${lines.join('\n')}`;
}

/** Staff's part of a note, then ours after a blank line (ours alone when staff wrote nothing). */
export function withIssueNote(staff: string, ours: string): string {
  return staff === '' ? ours : `${staff}\n\n${ours}`;
}

/** Whether a colour (`#ffdcdc`, `FFDCDC` or ARGB `FFFFDCDC`, any case) is one of our fills. */
export function isIssueFill(color: string | null | undefined): boolean {
  if (!color) return false;
  const hex = color.replace(/^#/, '').toUpperCase();
  const rgb = hex.length === 8 ? hex.slice(2) : hex;
  return rgb === ISSUE_FILL_RGB.error || rgb === ISSUE_FILL_RGB.warning;
}

/** Whose fill a cell has: none, ours (an issue fill) or staff's (any other colour, kept as it is). */
export type FillOwner = 'none' | 'ours' | 'staff';

/** Whose a cell's fill is, from its colour in any notation isIssueFill reads (undefined: the cell has no fill). */
export function fillOwner(color: string | null | undefined): FillOwner {
  if (color === null || color === undefined) return 'none';
  return isIssueFill(color) ? 'ours' : 'staff';
}

/** A cell as a writer read it: its note ('' when none) and whose fill it has. */
export interface MarkedCell {
  note: string;
  fill: FillOwner;
}

/** What a cell should hold: its whole note ('' for none) and its fill (ours of a severity, none, or staff's untouched). */
export interface CellMark {
  note: string;
  fill: Severity | 'none' | 'staff';
}

/**
 * A cell's note and fill once its marks match its issues (none: our marks leave it). Staff's note
 * part and staff's fill stay; a cell staff coloured gets the note only, since restoring the colour
 * later would need it stored somewhere.
 */
export function planCellMark(cell: MarkedCell, issues: readonly MarkIssue[] = []): CellMark {
  const staff = staffNote(cell.note);
  if (issues.length === 0) return { note: staff, fill: cell.fill === 'staff' ? 'staff' : 'none' };
  const severity: Severity = issues.some((issue) => issue.severity === 'error') ? 'error' : 'warning';
  return {
    note: withIssueNote(staff, issueNote(issues)),
    fill: cell.fill === 'staff' ? 'staff' : severity,
  };
}
