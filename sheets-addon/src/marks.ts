/**
 * Validation marks in the sheet: an invalid cell gets a background colour and a note in Chinese.
 * Our part of a note starts with MARK and sits after whatever the user wrote there, so clearing a
 * mark removes only our part and never a user's own note; a background is only ours when it is
 * one of our two colours (unusual tints, not in Sheets' palette), and a cell the user had
 * coloured keeps its colour and gets the note only.
 *
 * The marker and the colours come from shared/marks.ts, as the server's workbook adapters' do, so
 * a mark made by a sync is cleared here once fixed, and the other way round.
 */
import { headerKey, type TabKey } from '../../shared/columns';
import { SEVERITY_LABELS } from '../../shared/i18n';
import type { Issue } from '../../shared/issues';
import { ISSUE_FILL_RGB, ISSUE_NOTE_MARKER } from '../../shared/marks';
import { type ApiCell, headerText, runsOf, type TabHandle } from './sheetIo';

export const MARK = ISSUE_NOTE_MARKER;
export const MARK_COLORS = {
  error: `#${ISSUE_FILL_RGB.error.toLowerCase()}`,
  warning: `#${ISSUE_FILL_RGB.warning.toLowerCase()}`,
} as const;
const OUR_COLORS = new Set<string>(Object.values(MARK_COLORS));
const DEFAULT_BACKGROUNDS = new Set(['', '#ffffff', 'white']);

/** The 0-based column an issue names in a header row, or -1 when it names none there. */
export function issueColumnIndex(header: readonly ApiCell[], column: string): number {
  if (column === '') return -1;
  const texts = header.map(headerText);
  const exact = texts.indexOf(column);
  if (exact >= 0) return exact;
  const key = headerKey(column);
  return texts.findIndex((text) => text !== '' && headerKey(text) === key);
}

/** Our part of a note removed; the user's part as it was. */
export function withoutMark(note: string): string {
  const at = note.indexOf(MARK);
  return at < 0 ? note : note.slice(0, at).replace(/\s+$/, '');
}

/** What marking needs of an issue (the server's issues have the same fields). */
export type MarkIssue = Pick<Issue, 'tab' | 'row' | 'column' | 'severity' | 'message'>;

function markText(issues: readonly MarkIssue[]): string {
  const lines = issues.map((issue) => `${SEVERITY_LABELS[issue.severity]}：${issue.message}`);
  return `${MARK}校验结果\n${lines.join('\n')}`;
}

/** The issues of one tab grouped by sheet row and 0-based column. */
export type CellIssues = Map<number, Map<number, MarkIssue[]>>;

/** Groups issues of a tab by the cell they point at; issues naming no cell are left out. */
export function cellIssues(
  issues: readonly MarkIssue[],
  tab: TabKey,
  header: readonly ApiCell[],
): CellIssues {
  const byCell: CellIssues = new Map();
  for (const issue of issues) {
    if (issue.tab !== tab || issue.row < 1) continue;
    const column = issueColumnIndex(header, issue.column);
    if (column < 0) continue;
    let row = byCell.get(issue.row);
    if (!row) {
      row = new Map();
      byCell.set(issue.row, row);
    }
    const list = row.get(column);
    if (list) list.push(issue);
    else row.set(column, [issue]);
  }
  return byCell;
}

export interface MarkCounts {
  marked: number;
  cleared: number;
}

/**
 * Brings the marks of the given sheet rows in line with their issues: marks where there is an
 * issue, none where there is not. Rows are read and written in consecutive blocks, one call each
 * for notes and backgrounds, and a block is written only when something in it changed.
 */
export function refreshMarks(handle: TabHandle, rows: readonly number[], issues: CellIssues): MarkCounts {
  const { sheet } = handle;
  const width = Math.max(sheet.getLastColumn(), handle.tab.header.length, 1);
  const counts: MarkCounts = { marked: 0, cleared: 0 };
  for (const [start, length] of runsOf(rows.filter((row) => row >= 1))) {
    const range = sheet.getRange(start, 1, length, width);
    const notes = range.getNotes();
    const backgrounds = range.getBackgrounds();
    const newNotes: (string | null)[][] = [];
    const newBackgrounds: (string | null)[][] = [];
    let changed = false;
    for (let r = 0; r < length; r++) {
      const rowIssues = issues.get(start + r);
      const noteRow: (string | null)[] = [];
      const backgroundRow: (string | null)[] = [];
      for (let c = 0; c < width; c++) {
        const note = notes[r]?.[c] ?? '';
        const background = (backgrounds[r]?.[c] ?? '').toLowerCase();
        const cellIssueList = rowIssues?.get(c);
        const userNote = withoutMark(note);
        const ours = OUR_COLORS.has(background);
        // A block is written whole, so every other cell gets back what it had — and a cell without
        // a fill gets null: '#ffffff' (what getBackgrounds reads there) would be an explicit white
        // fill, hiding alternating colours.
        const kept = DEFAULT_BACKGROUNDS.has(background) ? null : (backgrounds[r]?.[c] ?? null);
        let nextNote: string;
        let nextBackground = kept;
        if (cellIssueList && cellIssueList.length > 0) {
          const mark = markText(cellIssueList);
          nextNote = userNote === '' ? mark : `${userNote}\n\n${mark}`;
          const severity = cellIssueList.some((issue) => issue.severity === 'error') ? 'error' : 'warning';
          if (ours || DEFAULT_BACKGROUNDS.has(background)) nextBackground = MARK_COLORS[severity];
          if (nextNote !== note || nextBackground !== backgrounds[r]?.[c]) counts.marked += 1;
        } else {
          nextNote = userNote;
          if (ours) nextBackground = null;
          if (nextNote !== note || ours) counts.cleared += 1;
        }
        if (nextNote !== note || nextBackground !== kept) changed = true;
        noteRow.push(nextNote);
        backgroundRow.push(nextBackground);
      }
      newNotes.push(noteRow);
      newBackgrounds.push(backgroundRow);
    }
    if (changed) {
      range.setNotes(newNotes);
      range.setBackgrounds(newBackgrounds);
    }
  }
  return counts;
}

/** Every data row of a tab (2 … last row), the rows a whole-tab refresh covers. */
export function dataRows(sheet: GoogleAppsScript.Spreadsheet.Sheet): number[] {
  const last = sheet.getLastRow();
  return Array.from({ length: Math.max(last - 1, 0) }, (_, i) => i + 2);
}
