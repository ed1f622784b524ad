/**
 * One row of a table tab on its way through validation: each cell normalised on its own against
 * its column's kind, the row handed to its tab's check (validate/partners.ts, plan.ts,
 * activities.ts, holidays.ts) with the values read and the issues found.
 */

import {
  COLUMNS,
  type ColumnDef,
  locateColumns,
  MAX_CELL_LENGTH,
  MAX_ID_LENGTH,
  type TableTabKey,
} from '../columns';
import { isEvidenceFolderLink } from '../evidence';
import { TAB_LABELS } from '../i18n';
import { type Issue, type IssueCode, type IssueParams, makeIssue, type Severity } from '../issues';
import {
  cellText,
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
} from '../normalize';
import type { CellValue } from '../workbook';
import type { TabCounts, TabFeed } from './types';

/** A header cell as the sheet shows it (issues name columns as written), or undefined when empty. */
export function headerAsWritten(cell: CellValue | undefined): string | undefined {
  if (typeof cell !== 'string') return cellText(cell);
  const text = cell.trim();
  return text === '' ? undefined : text;
}

/** One data row on its way through validation: normalised values and what was found wrong. */
export class RowCheck {
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

  /** Reports an issue; `severity` only where a setting decides it (佐证要求), else the code's. */
  report(field: string, code: IssueCode, params: IssueParams = {}, severity?: Severity): void {
    const issue = makeIssue(this.tab, this.row, this.headers.get(field) ?? '', field, code, params, severity);
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
export function recordTabFeed(
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
      // A photo folder's relative link (SPEC §11) is evidence as good as a URL.
      if (!isHttpUrl(text) && !isEvidenceFolderLink(text))
        check.report(field, 'invalid_url', { value: text });
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
