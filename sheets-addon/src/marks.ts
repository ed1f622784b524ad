/**
 * Validation marks in the sheet, applied through SpreadsheetApp as shared/marks.ts plans them — the
 * planner the server's Sheets and .xlsx adapters use too, so a mark made by a sync is cleared here
 * once fixed, and the other way round. Our part of a note sits after whatever staff wrote there and
 * only it is ever removed; a background is only ours when it is one of our two colours (unusual
 * tints, not in Sheets' palette), and a cell staff coloured keeps its colour and gets the note only.
 */
import { issueColumn, type TabKey } from '../../shared/columns';
import {
  type CellIssues,
  fillOwner,
  headerTexts,
  ISSUE_FILL_RGB,
  type MarkIssue,
  planCellMark,
  planMarks,
} from '../../shared/marks';
import { type ApiCell, runsOf, type TabHandle } from './sheetIo';

export type { CellIssues, MarkIssue } from '../../shared/marks';

const MARK_COLORS = {
  error: `#${ISSUE_FILL_RGB.error.toLowerCase()}`,
  warning: `#${ISSUE_FILL_RGB.warning.toLowerCase()}`,
} as const;
/** What getBackgrounds reads in a cell without a fill. */
const DEFAULT_BACKGROUNDS = new Set(['', '#ffffff', 'white']);

/** The 0-based column an issue names in a header row, or -1 when it names none there. */
export function issueColumnIndex(header: readonly ApiCell[], column: string): number {
  return issueColumn(headerTexts(header), column);
}

/** Groups issues of a tab by the cell they point at; issues naming no cell are left out. */
export function cellIssues(
  issues: readonly MarkIssue[],
  tab: TabKey,
  header: readonly ApiCell[],
): CellIssues {
  const texts = headerTexts(header);
  const own = issues.filter((issue) => issue.tab === tab);
  return planMarks(own, () => ({ header: texts })).cells.get(tab) ?? new Map();
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
        const read = backgrounds[r]?.[c] ?? '';
        const background = read.toLowerCase();
        const owner = fillOwner(DEFAULT_BACKGROUNDS.has(background) ? undefined : background);
        const cellIssueList = rowIssues?.get(c) ?? [];
        const mark = planCellMark({ note, fill: owner }, cellIssueList);
        // A block is written whole, so every other cell gets back what it had — and a cell without
        // a fill gets null: '#ffffff' (what getBackgrounds reads there) would be an explicit white
        // fill, hiding alternating colours.
        const kept = owner === 'none' ? null : read;
        const nextBackground =
          mark.fill === 'staff' ? read : mark.fill === 'none' ? null : MARK_COLORS[mark.fill];
        const differs = mark.note !== note || nextBackground !== kept;
        if (cellIssueList.length > 0 && (mark.note !== note || nextBackground !== read)) counts.marked += 1;
        if (cellIssueList.length === 0 && (mark.note !== note || owner === 'ours')) counts.cleared += 1;
        if (differs) changed = true;
        noteRow.push(mark.note);
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
