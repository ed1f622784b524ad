/**
 * A1 notation, the one home for it: column letters and indexes, sheet names as references write
 * them, cell references and ranges. Used by the generated tabs' references, the Sheets and .xlsx
 * adapters, the add-on and the tests' fake Sheets server.
 */

/** The spreadsheet column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index0: number): string {
  if (!Number.isInteger(index0) || index0 < 0) throw new RangeError(`Invalid column index: ${index0}`);
  let letters = '';
  for (let n = index0 + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

/** The 0-based column index of spreadsheet column letters (either case): A → 0, AA → 26. */
export function columnIndex(letters: string): number {
  if (!/^[A-Za-z]+$/.test(letters)) throw new RangeError(`Invalid column letters: ${letters}`);
  let n = 0;
  for (const letter of letters.toUpperCase()) n = n * 26 + letter.charCodeAt(0) - 64;
  return n - 1;
}

/** A sheet name as a formula reference writes it: quoted (`'By category'`) unless it is a plain word. */
export function quoteTabName(tabName: string): string {
  const plain =
    /^[\p{L}_][\p{L}\p{N}_]*$/u.test(tabName) &&
    // Names that read as a cell reference (A1, R1C1, R, C) must be quoted too.
    !/^[a-z]{1,3}\d+$/i.test(tabName) &&
    !/^(r\d*c?\d*|c\d*)$/i.test(tabName);
  return plain ? tabName : quotedTabName(tabName);
}

/** A sheet name always quoted (`'活动'`): a range naming a whole sheet, whatever the name looks like. */
export function quotedTabName(tabName: string): string {
  return `'${tabName.replace(/'/g, "''")}'`;
}

/** The A1 reference of a cell: `活动!C7`, `'By category'!A1` (row is the sheet row, column 0-based). */
export function cellReference(tabName: string, row: number, index0: number): string {
  return `${quoteTabName(tabName)}!${columnLetter(index0)}${row}`;
}

/** The fragment linking to one cell of a spreadsheet's sheet (`#gid=123&range=C7`; row is the sheet row, column 0-based). */
export function cellLink(sheetId: number, row: number, index0: number): string {
  return `#gid=${sheetId}&range=${columnLetter(index0)}${row}`;
}

/** A range split at its `!`: the sheet name unquoted (undefined when none is named) and the cells part. */
export interface SplitRange {
  tab: string | undefined;
  cells: string;
}

/** Splits `'Bob''s plan'!A1:B2`, `活动!C7` or `A1:B2` into its sheet name and its cells. */
export function splitRange(range: string): SplitRange {
  const quoted = /^'((?:[^']|'')*)'(?:!(.*))?$/s.exec(range);
  if (quoted) return { tab: (quoted[1] ?? '').replace(/''/g, "'"), cells: quoted[2] ?? '' };
  const bang = range.lastIndexOf('!');
  return bang < 0
    ? { tab: undefined, cells: range }
    : { tab: range.slice(0, bang), cells: range.slice(bang + 1) };
}

/** One end of a range: a 0-based column and a sheet row, each absent when the range leaves it open. */
export interface CellPosition {
  column: number | undefined;
  row: number | undefined;
}

/** One end of a range (`C7`, `$C$7`, `c7`, `C`, `7`), or undefined when it is not one. */
export function parseCell(cell: string): CellPosition | undefined {
  // A loop, not a regular expression: the .xlsx reader calls this for every cell it streams.
  let i = cell.charCodeAt(0) === 36 ? 1 : 0; // $
  const lettersAt = i;
  let column = 0;
  for (; i < cell.length; i++) {
    const code = cell.charCodeAt(i) | 32; // lower case
    if (code < 97 || code > 122) break;
    column = column * 26 + code - 96;
  }
  const letters = i - lettersAt;
  if (letters > 3) return undefined;
  if (cell.charCodeAt(i) === 36 && letters > 0) i++;
  const digitsAt = i;
  let row = 0;
  for (; i < cell.length; i++) {
    const code = cell.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
    row = row * 10 + code - 48;
  }
  if (letters === 0 && i === digitsAt) return undefined;
  return { column: letters === 0 ? undefined : column - 1, row: i === digitsAt ? undefined : row };
}

/** A cell reference such as `活动!C7` or `'By category'!A1` read back, or undefined when it is not one. */
export function parseCellReference(
  reference: string,
): { tab: string; row: number; column: number } | undefined {
  const { tab, cells } = splitRange(reference);
  const cell = /^[A-Z]+\d+$/.test(cells) ? parseCell(cells) : undefined;
  if (tab === undefined || tab === '' || cell?.row === undefined || cell.column === undefined)
    return undefined;
  return { tab, row: cell.row, column: cell.column };
}
