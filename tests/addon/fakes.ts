/**
 * Fake Apps Script services for the add-on tests: the members the add-on calls (it is type-checked
 * against @types/google-apps-script; a member without a fake fails the tests), as strict as the
 * real services where leniency would hide a bug:
 * - empty cells read as '' and a cell without fill as '#ffffff', yet writing '#ffffff' is an
 *   explicit white fill (it hides alternating colours) and only `null` removes a fill;
 * - `Range.setValues` reads strings as if typed: `3.5` becomes a number, `1/2` a date, `TRUE` a
 *   boolean, `=…` a formula, a leading apostrophe makes text — except in cells formatted as text
 *   (`@`), which keep the string exactly;
 * - `Sheet.protect()` on a protected sheet returns its existing protection;
 * - simple triggers run in their AuthMode: in NONE no document, properties, session, identity
 *   token or UrlFetch; in LIMITED no properties, session, identity token or UrlFetch (stricter
 *   than documented for properties, on purpose: onEdit must not need them);
 * - a range outside the sheet throws;
 * - developer metadata: visibility and location types are enum objects (a string where one is
 *   expected throws, as Apps Script's signature check does); a finder made by the spreadsheet
 *   searches every location (spreadsheet and sheets) unless `withLocationType` narrows it, and
 *   sees DOCUMENT entries and PROJECT entries of this script's own project only.
 * The state is kept where the tests can look: sheet grids with notes, fills, formulas, number
 * formats, data validations, frozen rows and protections; menus, alerts and sidebars; document
 * properties; the lock; every request sent through UrlFetchApp.
 *
 * The fakes live in the test's realm and are handed to the bundle's vm context as globals, so
 * Dates and Errors they make are foreign to the script — as robust code must tolerate.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import vm from 'node:vm';

type Key = `${number},${number}`;
const key = (row: number, column: number): Key => `${row},${column}`;

/** A rectangle-wide setting (format, validation, weight): the last one covering a cell wins. */
interface Area<T> {
  row: number;
  column: number;
  numRows: number;
  numColumns: number;
  value: T;
}

function covering<T>(areas: readonly Area<T>[], row: number, column: number): T | undefined {
  for (let i = areas.length - 1; i >= 0; i--) {
    const a = areas[i] as Area<T>;
    if (row >= a.row && row < a.row + a.numRows && column >= a.column && column < a.column + a.numColumns) {
      return a.value;
    }
  }
  return undefined;
}

/** A data validation rule as built by the fake builder. */
export interface FakeRule {
  criteria: 'VALUE_IN_LIST' | 'VALUE_IN_RANGE';
  values?: string[];
  range?: { sheet: string; row: number; column: number; numRows: number; numColumns: number };
  showDropdown: boolean;
  allowInvalid: boolean;
  helpText: string;
}

export class FakeProtection {
  description = '';
  warningOnly = false;
  /** Who may edit (an admin's editor-list protection); empty for ours. */
  editors: string[] = [];
  setDescription(description: string): this {
    this.description = description;
    return this;
  }
  getDescription(): string {
    return this.description;
  }
  setWarningOnly(warningOnly: boolean): this {
    this.warningOnly = warningOnly;
    return this;
  }
}

export class FakeRange {
  constructor(
    readonly sheet: FakeSheet,
    readonly row: number,
    readonly column: number,
    readonly numRows: number,
    readonly numColumns: number,
  ) {
    if (row < 1 || column < 1 || numRows < 1 || numColumns < 1) {
      throw new Error('Exception: The starting row and column of the range must be at least 1.');
    }
    if (row + numRows - 1 > sheet.maxRows || column + numColumns - 1 > sheet.maxColumns) {
      throw new Error('Exception: The coordinates of the range are outside the dimensions of the sheet.');
    }
  }

  private grid<T>(read: (row: number, column: number) => T): T[][] {
    return Array.from({ length: this.numRows }, (_, r) =>
      Array.from({ length: this.numColumns }, (_, c) => read(this.row + r, this.column + c)),
    );
  }

  private write<T>(
    values: T[][],
    what: string,
    store: (row: number, column: number, value: T) => void,
  ): this {
    if (values.length !== this.numRows || values.some((row) => row.length !== this.numColumns)) {
      throw new Error(
        `Exception: The number of rows or columns in the ${what} does not match the range (${this.numRows}×${this.numColumns}).`,
      );
    }
    values.forEach((row, r) => {
      row.forEach((value, c) => {
        store(this.row + r, this.column + c, value);
      });
    });
    return this;
  }

  getValues(): unknown[][] {
    this.sheet.log('Range.getValues');
    return this.grid((r, c) => this.sheet.value(r, c));
  }
  /** Values as Sheets stores what a user types, unless the cell is formatted as text. */
  setValues(values: unknown[][]): this {
    this.sheet.log('Range.setValues');
    return this.write(values, 'data', (r, c, v) => this.sheet.enter(r, c, v));
  }
  /** Like Sheets: the text becomes the value of every cell of the range, its link the cell's link. */
  setRichTextValue(value: { text: string; link: string | null }): this {
    this.sheet.log('Range.setRichTextValue');
    if (typeof value?.text !== 'string')
      throw new Error('Exception: The parameters do not match Range.setRichTextValue.');
    return this.write(
      Array.from({ length: this.numRows }, () => Array.from({ length: this.numColumns }, () => value)),
      'rich text',
      (r, c, v) => {
        this.sheet.formulas.delete(key(r, c));
        if (v.text === '') this.sheet.values.delete(key(r, c));
        else this.sheet.values.set(key(r, c), v.text);
        if (v.link === null) this.sheet.links.delete(key(r, c));
        else this.sheet.links.set(key(r, c), v.link);
      },
    );
  }
  getNotes(): string[][] {
    return this.grid((r, c) => this.sheet.notes.get(key(r, c)) ?? '');
  }
  setNotes(notes: (string | null)[][]): this {
    this.sheet.log('Range.setNotes');
    return this.write(notes, 'notes', (r, c, note) => {
      if (note === null || note === '') this.sheet.notes.delete(key(r, c));
      else this.sheet.notes.set(key(r, c), String(note));
    });
  }
  getBackgrounds(): string[][] {
    return this.grid((r, c) => this.sheet.background(r, c));
  }
  setBackgrounds(colors: (string | null)[][]): this {
    this.sheet.log('Range.setBackgrounds');
    return this.write(colors, 'colors', (r, c, color) => {
      // Only null removes a fill; '#ffffff' is an explicit white one, as in Sheets.
      if (color === null) this.sheet.backgrounds.delete(key(r, c));
      else this.sheet.backgrounds.set(key(r, c), color.toLowerCase());
    });
  }
  setNumberFormat(format: string): this {
    this.sheet.formats.push(this.area(format));
    return this;
  }
  setDataValidation(rule: FakeRule | null): this {
    this.sheet.validations.push(this.area(rule));
    return this;
  }
  setFontWeight(weight: string | null): this {
    this.sheet.weights.push(this.area(weight));
    return this;
  }
  getRow(): number {
    return this.row;
  }
  getLastRow(): number {
    return this.row + this.numRows - 1;
  }
  getColumn(): number {
    return this.column;
  }
  getNumRows(): number {
    return this.numRows;
  }
  getNumColumns(): number {
    return this.numColumns;
  }
  getSheet(): FakeSheet {
    return this.sheet;
  }
  activate(): this {
    this.sheet.spreadsheet.activeRange = { sheet: this.sheet.name, row: this.row, column: this.column };
    return this;
  }
  private area<T>(value: T): Area<T> {
    return { row: this.row, column: this.column, numRows: this.numRows, numColumns: this.numColumns, value };
  }
}

export class FakeSheet {
  readonly values = new Map<Key, unknown>();
  /** Formulas entered through setValues (their value reads as an error: the fake computes none). */
  readonly formulas = new Map<Key, string>();
  readonly notes = new Map<Key, string>();
  /** Links set with setRichTextValue (the cell's value is the rich text's text). */
  readonly links = new Map<Key, string>();
  /** Explicit fills only; a cell without one reads as '#ffffff'. */
  readonly backgrounds = new Map<Key, string>();
  readonly formats: Area<string>[] = [];
  readonly validations: Area<FakeRule | null>[] = [];
  readonly weights: Area<string | null>[] = [];
  readonly protections: FakeProtection[] = [];
  frozenRows = 0;
  maxRows = 1000;
  maxColumns = 26;

  constructor(
    readonly spreadsheet: FakeSpreadsheet,
    public name: string,
    readonly sheetId: number,
  ) {}

  log(call: string): void {
    this.spreadsheet.services.log.push(`${call} ${this.name}`);
  }

  // --- the test's own access -------------------------------------------------------------
  value(row: number, column: number): unknown {
    return this.values.get(key(row, column)) ?? '';
  }
  /** Stores a value as it is (the test's own typing): '' and null clear, a leading apostrophe forces text. */
  setValue(row: number, column: number, value: unknown): void {
    this.formulas.delete(key(row, column));
    if (value === null || value === undefined || value === '') {
      this.values.delete(key(row, column));
      return;
    }
    this.values.set(
      key(row, column),
      typeof value === 'string' && value.startsWith("'") ? value.slice(1) : value,
    );
  }
  /** Stores a value the way setValues does: a string is read as typed unless the cell is text. */
  enter(row: number, column: number, value: unknown): void {
    if (typeof value !== 'string' || this.numberFormat(row, column) === '@') {
      this.formulas.delete(key(row, column));
      if (value === null || value === undefined || value === '') this.values.delete(key(row, column));
      else this.values.set(key(row, column), value);
      return;
    }
    if (value.startsWith('=')) {
      this.setValue(row, column, '#NAME?');
      this.formulas.set(key(row, column), value);
      return;
    }
    this.setValue(row, column, typedValue(value, this.spreadsheet.timeZone));
  }
  /** How many cells have an explicit fill (white included). */
  fillCount(): number {
    return this.backgrounds.size;
  }
  /** Writes rows of values from a starting row, growing the sheet as typing would. */
  fill(startRow: number, rows: unknown[][]): void {
    rows.forEach((cells, r) => {
      cells.forEach((cell, c) => {
        this.setValue(startRow + r, c + 1, cell);
      });
    });
    this.maxRows = Math.max(this.maxRows, startRow + rows.length - 1);
  }
  row(row: number): unknown[] {
    return Array.from({ length: this.getLastColumn() }, (_, c) => this.value(row, c + 1));
  }
  note(row: number, column: number): string {
    return this.notes.get(key(row, column)) ?? '';
  }
  background(row: number, column: number): string {
    return this.backgrounds.get(key(row, column)) ?? '#ffffff';
  }
  numberFormat(row: number, column: number): string | undefined {
    return covering(this.formats, row, column);
  }
  validation(row: number, column: number): FakeRule | null | undefined {
    return covering(this.validations, row, column);
  }

  // --- Apps Script's Sheet ---------------------------------------------------------------
  getName(): string {
    return this.name;
  }
  getSheetId(): number {
    return this.sheetId;
  }
  getRange(rowOrA1: number | string, column?: number, numRows = 1, numColumns = 1): FakeRange {
    if (typeof rowOrA1 === 'string') {
      const m = /^([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?$/.exec(rowOrA1);
      if (!m) throw new Error(`Exception: Range not found: ${rowOrA1}`);
      const c1 = columnNumber(m[1] as string);
      const r1 = Number(m[2]);
      const c2 = m[3] ? columnNumber(m[3]) : c1;
      const r2 = m[4] ? Number(m[4]) : r1;
      return new FakeRange(this, r1, c1, r2 - r1 + 1, c2 - c1 + 1);
    }
    return new FakeRange(this, rowOrA1, column ?? 1, numRows, numColumns);
  }
  getDataRange(): FakeRange {
    return new FakeRange(this, 1, 1, Math.max(this.getLastRow(), 1), Math.max(this.getLastColumn(), 1));
  }
  getLastRow(): number {
    let last = 0;
    for (const k of this.values.keys()) last = Math.max(last, Number(k.split(',')[0]));
    return last;
  }
  getLastColumn(): number {
    let last = 0;
    for (const k of this.values.keys()) last = Math.max(last, Number(k.split(',')[1]));
    return last;
  }
  getMaxRows(): number {
    return this.maxRows;
  }
  getMaxColumns(): number {
    return this.maxColumns;
  }
  insertColumnsAfter(after: number, howMany: number): this {
    if (after !== this.maxColumns) throw new Error('fake: only appending columns is supported');
    this.maxColumns += howMany;
    return this;
  }
  insertRowsAfter(after: number, howMany: number): this {
    if (after !== this.maxRows) throw new Error('fake: only appending rows is supported');
    this.maxRows += howMany;
    return this;
  }
  setFrozenRows(rows: number): void {
    this.frozenRows = rows;
  }
  getFrozenRows(): number {
    return this.frozenRows;
  }
  /** As Sheets: on a protected sheet this returns the existing protection, not a new one. */
  protect(): FakeProtection {
    const existing = this.protections[0];
    if (existing) return existing;
    const protection = new FakeProtection();
    this.protections.push(protection);
    return protection;
  }
  getProtections(type: string): FakeProtection[] {
    return type === 'SHEET' ? [...this.protections] : [];
  }
}

/** Midnight of a calendar date in a time zone, as the instant Sheets returns for a date cell. */
export function zonedMidnight(year: number, month: number, day: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day);
  const wall = formatDate(new Date(guess), timeZone, 'yyyy-MM-dd HH:mm:ss');
  const m = /^(\d+)-(\d+)-(\d+) (\d+):(\d+):(\d+)$/.exec(wall) as RegExpExecArray;
  const asUtc = Date.UTC(
    +(m[1] as string),
    +(m[2] as string) - 1,
    +(m[3] as string),
    +(m[4] as string),
    +(m[5] as string),
    +(m[6] as string),
  );
  return new Date(guess - (asUtc - guess));
}

/**
 * What Sheets makes of a string typed into a cell of automatic format (the zh_CN locale): numbers
 * with thousands separators and percentages, TRUE/FALSE, dates as y-m-d, y/m/d, y年m月d日 or m/d
 * (this year); anything else stays text. A leading apostrophe forces text.
 */
export function typedValue(text: string, timeZone: string): unknown {
  if (text.startsWith("'")) return text;
  const t = text.trim();
  if (/^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(t) && /\d/.test(t)) {
    return Number(t.replace(/,/g, ''));
  }
  const percent = /^([+-]?\d+(?:\.\d+)?)%$/.exec(t);
  if (percent) return Number(percent[1]) / 100;
  if (/^(?:true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  const ymd = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(t) ?? /^(\d{4})年(\d{1,2})月(\d{1,2})日?$/.exec(t);
  const md = /^(\d{1,2})\/(\d{1,2})$/.exec(t);
  const thisYear = Number(formatDate(new Date(), timeZone, 'yyyy'));
  const [year, month, day] = ymd
    ? [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])]
    : md
      ? [thisYear, Number(md[1]), Number(md[2])]
      : [0, 0, 0];
  if (month >= 1 && month <= 12 && day >= 1 && day <= 31) return zonedMidnight(year, month, day, timeZone);
  return text;
}

function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

/** An Apps Script enum value: an object of its own, named by its key. */
export interface FakeEnum<N extends string = string> {
  readonly name: N;
  toString(): string;
}
function fakeEnum<N extends string>(...names: N[]): Record<N, FakeEnum<N>> {
  return Object.fromEntries(
    names.map((name) => [name, Object.freeze({ name, toString: () => name })]),
  ) as unknown as Record<N, FakeEnum<N>>;
}

export const METADATA_VISIBILITY = fakeEnum('DOCUMENT', 'PROJECT');
export const METADATA_LOCATION_TYPE = fakeEnum('SPREADSHEET', 'SHEET', 'ROW', 'COLUMN');
/** The Cloud project of the add-on's script; metadata of other projects with PROJECT visibility is hidden. */
export const SCRIPT_PROJECT = 'addon-script-project';

function isEnumOf<N extends string>(all: Record<N, FakeEnum<N>>, value: unknown): value is FakeEnum<N> {
  return Object.values<FakeEnum<N>>(all).includes(value as FakeEnum<N>);
}

function signatureError(method: string, args: readonly unknown[]): Error {
  const types = args.map((a) =>
    typeof a === 'string' ? 'String' : typeof a === 'object' ? 'Object' : typeof a,
  );
  return new Error(
    `Exception: The parameters (${types.join(',')}) don't match the method signature for ${method}.`,
  );
}

/** One developer metadata entry (on the spreadsheet, or on a sheet by ID). */
export class FakeDeveloperMetadata {
  constructor(
    readonly spreadsheet: FakeSpreadsheet,
    readonly id: number,
    public key: string,
    public value: string | null,
    public visibility: FakeEnum<'DOCUMENT' | 'PROJECT'>,
    readonly sheetId: number | undefined,
    readonly project: string,
  ) {}
  getId(): number {
    return this.id;
  }
  getKey(): string {
    return this.key;
  }
  getValue(): string | null {
    return this.value;
  }
  getVisibility(): FakeEnum<'DOCUMENT' | 'PROJECT'> {
    return this.visibility;
  }
  getLocation() {
    const sheet = this.spreadsheet.sheets.find((s) => s.sheetId === this.sheetId) ?? null;
    return {
      getLocationType: () =>
        this.sheetId === undefined ? METADATA_LOCATION_TYPE.SPREADSHEET : METADATA_LOCATION_TYPE.SHEET,
      getSpreadsheet: () => (this.sheetId === undefined ? this.spreadsheet : null),
      getSheet: () => sheet,
      getRow: () => null,
      getColumn: () => null,
    };
  }
  setValue(value: string): this {
    if (typeof value !== 'string') throw signatureError('DeveloperMetadata.setValue', [value]);
    this.value = value;
    return this;
  }
  setVisibility(visibility: unknown): this {
    if (!isEnumOf(METADATA_VISIBILITY, visibility)) {
      throw signatureError('DeveloperMetadata.setVisibility', [visibility]);
    }
    this.visibility = visibility;
    return this;
  }
  remove(): void {
    const at = this.spreadsheet.developerMetadata.indexOf(this);
    if (at < 0) throw new Error('Exception: The developer metadata no longer exists.');
    this.spreadsheet.developerMetadata.splice(at, 1);
  }
}

export class FakeSpreadsheet {
  readonly sheets: FakeSheet[] = [];
  /** Every entry, whichever project wrote it; what the script sees goes through a finder. */
  readonly developerMetadata: FakeDeveloperMetadata[] = [];
  private nextMetadataId = 1_000;
  readonly toasts: string[] = [];
  /** The selection (a cell, or a block when numRows/numColumns say so). */
  activeRange:
    | { sheet: string; row: number; column: number; numRows?: number; numColumns?: number }
    | undefined;
  private nextSheetId = 0;
  readonly id = '1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcd';

  constructor(
    readonly services: FakeServices,
    readonly timeZone: string,
  ) {}

  /** A sheet by name (for tests; throws when absent). */
  sheet(name: string): FakeSheet {
    const sheet = this.sheets.find((s) => s.name === name);
    if (!sheet) throw new Error(`no sheet named ${name}`);
    return sheet;
  }
  addSheet(name: string): FakeSheet {
    if (this.sheets.some((s) => s.name === name)) {
      throw new Error(
        `Exception: A sheet with the name "${name}" already exists. Please enter another name.`,
      );
    }
    const sheet = new FakeSheet(this, name, this.nextSheetId === 0 ? 0 : 100_000 + this.nextSheetId * 7);
    this.nextSheetId += 1;
    this.sheets.push(sheet);
    return sheet;
  }

  getId(): string {
    return this.id;
  }
  getUrl(): string {
    return `https://docs.google.com/spreadsheets/d/${this.id}/edit`;
  }
  getSheets(): FakeSheet[] {
    this.services.log.push('Spreadsheet.getSheets');
    return [...this.sheets];
  }
  getSheetByName(name: string): FakeSheet | null {
    return this.sheets.find((s) => s.name === name) ?? null;
  }
  insertSheet(name: string): FakeSheet {
    this.services.log.push(`Spreadsheet.insertSheet ${name}`);
    return this.addSheet(name);
  }
  getSpreadsheetTimeZone(): string {
    return this.timeZone;
  }
  /** The selection, or null when nothing is selected (as Apps Script answers). */
  getActiveRange(): FakeRange | null {
    const active = this.activeRange;
    if (!active) return null;
    return new FakeRange(
      this.sheet(active.sheet),
      active.row,
      active.column,
      active.numRows ?? 1,
      active.numColumns ?? 1,
    );
  }

  /** Adds an entry as a writer of `project` would (tests seed other projects' entries this way). */
  seedMetadata(
    key: string,
    value: string | null,
    visibility: 'DOCUMENT' | 'PROJECT',
    options: { sheetId?: number; project?: string } = {},
  ): FakeDeveloperMetadata {
    const entry = new FakeDeveloperMetadata(
      this,
      this.nextMetadataId++,
      key,
      value,
      METADATA_VISIBILITY[visibility],
      options.sheetId,
      options.project ?? SCRIPT_PROJECT,
    );
    this.developerMetadata.push(entry);
    return entry;
  }
  /** addDeveloperMetadata(key[, value][, visibility]): on the spreadsheet itself, DOCUMENT by default. */
  addDeveloperMetadata(key: string, ...rest: unknown[]): this {
    const args = [key, ...rest];
    this.services.log.push(`Spreadsheet.addDeveloperMetadata ${key}`);
    let value: string | null = null;
    let visibility: FakeEnum<'DOCUMENT' | 'PROJECT'> = METADATA_VISIBILITY.DOCUMENT;
    const [second, third] = rest;
    if (typeof key !== 'string' || key === '' || rest.length > 2) {
      throw signatureError('Spreadsheet.addDeveloperMetadata', args);
    }
    if (rest.length === 1 && isEnumOf(METADATA_VISIBILITY, second)) visibility = second;
    else if (rest.length >= 1) {
      if (typeof second !== 'string') throw signatureError('Spreadsheet.addDeveloperMetadata', args);
      value = second;
      if (rest.length === 2) {
        if (!isEnumOf(METADATA_VISIBILITY, third))
          throw signatureError('Spreadsheet.addDeveloperMetadata', args);
        visibility = third;
      }
    }
    this.seedMetadata(key, value, visibility.name);
    return this;
  }
  /** A finder over every location of the spreadsheet, as Apps Script's. */
  createDeveloperMetadataFinder() {
    const tests: ((entry: FakeDeveloperMetadata) => boolean)[] = [
      (entry) => entry.visibility === METADATA_VISIBILITY.DOCUMENT || entry.project === SCRIPT_PROJECT,
    ];
    const finder = {
      withKey(key: string) {
        tests.push((entry) => entry.key === key);
        return finder;
      },
      withValue(value: string) {
        tests.push((entry) => entry.value === value);
        return finder;
      },
      withId(id: number) {
        tests.push((entry) => entry.id === id);
        return finder;
      },
      withVisibility(visibility: unknown) {
        if (!isEnumOf(METADATA_VISIBILITY, visibility)) {
          throw signatureError('DeveloperMetadataFinder.withVisibility', [visibility]);
        }
        tests.push((entry) => entry.visibility === visibility);
        return finder;
      },
      withLocationType(type: unknown) {
        if (!isEnumOf(METADATA_LOCATION_TYPE, type)) {
          throw signatureError('DeveloperMetadataFinder.withLocationType', [type]);
        }
        tests.push((entry) => entry.getLocation().getLocationType() === type);
        return finder;
      },
      find: () => {
        this.services.log.push('DeveloperMetadataFinder.find');
        return this.developerMetadata.filter((entry) => tests.every((test) => test(entry)));
      },
    };
    return finder;
  }
  toast(message: string): void {
    this.toasts.push(message);
  }
}

export class FakeHtmlOutput {
  title = '';
  width: number | undefined;
  height: number | undefined;
  constructor(
    readonly file: string,
    readonly content: string,
  ) {}
  setTitle(title: string): this {
    this.title = title;
    return this;
  }
  setWidth(width: number): this {
    this.width = width;
    return this;
  }
  setHeight(height: number): this {
    this.height = height;
    return this;
  }
  getContent(): string {
    return this.content;
  }
  /** The JSON the page reads from its data-payload attribute, decoded as a browser would. */
  payload<T = unknown>(): T {
    const m = /data-payload="([^"]*)"/.exec(this.content);
    if (!m) throw new Error(`${this.file}: no data-payload attribute`);
    const text = (m[1] as string)
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
    return JSON.parse(text) as T;
  }
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** HtmlService templates: only printing scriptlets `<?= name ?>`, escaped as Apps Script does. */
class FakeTemplate {
  [variable: string]: unknown;
  constructor(file: string, source: string) {
    Object.defineProperty(this, 'evaluate', {
      enumerable: false,
      value: () => {
        if (/<\?(?!=)/.test(source) || /<\?=\s*!|<\?!=/.test(source)) {
          throw new Error(`${file}: only escaped printing scriptlets <?= … ?> are expected`);
        }
        const content = source.replace(/<\?=\s*([A-Za-z_$][\w$]*)\s*\?>/g, (_, name: string) => {
          if (!(name in this)) throw new Error(`ReferenceError: "${name}" is not defined (${file}).`);
          return escapeHtml(String(this[name]));
        });
        return new FakeHtmlOutput(file, content);
      },
    });
  }
}

export interface FetchRequest {
  url: string;
  params: {
    method?: string;
    contentType?: string;
    payload?: string;
    headers?: Record<string, string>;
    muteHttpExceptions?: boolean;
    followRedirects?: boolean;
  };
  lockHeld: boolean;
}

export interface CannedResponse {
  status: number;
  body: unknown;
}

export interface FakeOptions {
  /** Where the built HTML pages are (the dist folder). */
  htmlDir: string;
  timeZone?: string;
  identityToken?: string | null;
  email?: string;
}

/** Formats a Date the way Utilities.formatDate does, for the patterns the add-on uses. */
function formatDate(date: Date, timeZone: string, pattern: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(date.getTime()))
      .map((part) => [part.type, part.value]),
  );
  return pattern.replace(/yyyy|MM|dd|HH|mm|ss/g, (token) => {
    const value = {
      yyyy: parts.year,
      MM: parts.month,
      dd: parts.day,
      HH: parts.hour,
      mm: parts.minute,
      ss: parts.second,
    }[token];
    if (value === undefined) throw new Error(`fake formatDate: no ${token}`);
    return value;
  });
}

export type AuthMode = 'NONE' | 'LIMITED' | 'FULL';

/** The buttons of each Ui.ButtonSet: what the person can click. */
const ALERT_CHOICES: Record<string, readonly string[]> = {
  OK: ['OK'],
  OK_CANCEL: ['OK', 'CANCEL', 'CLOSE'],
  YES_NO: ['YES', 'NO', 'CLOSE'],
  YES_NO_CANCEL: ['YES', 'NO', 'CANCEL', 'CLOSE'],
};

/** Every fake service and the state behind them. */
export class FakeServices {
  readonly log: string[] = [];
  /** The mode the running function has: a simple trigger's event says which; everything else is FULL. */
  authMode: AuthMode = 'FULL';
  readonly spreadsheet: FakeSpreadsheet;
  readonly properties = new Map<string, string>();
  readonly menus: { items: ({ caption: string; functionName: string } | 'separator')[]; added: boolean }[] =
    [];
  readonly alerts: { title: string; prompt: string; buttons: string }[] = [];
  /**
   * What the person clicks in the message boxes that ask (YES_NO, OK_CANCEL…), one answer a box in
   * order; a box that asks with no answer scripted fails the test, as nobody decided for them.
   */
  readonly answers: string[] = [];
  readonly sidebars: FakeHtmlOutput[] = [];
  readonly dialogs: { output: FakeHtmlOutput; title: string }[] = [];
  readonly requests: FetchRequest[] = [];
  readonly errors: string[] = [];
  /** How many Utilities.getUuid() calls were answered. */
  uuids = 0;
  lockHeld = false;
  /** Someone else holds the document lock: tryLock fails. */
  lockBusy = false;
  identityToken: string | null;
  /** Answers a request, or throws as UrlFetchApp does for transport failures. */
  respond: (request: FetchRequest) => CannedResponse = () => ({ status: 500, body: {} });

  constructor(readonly options: FakeOptions) {
    this.spreadsheet = new FakeSpreadsheet(this, options.timeZone ?? 'Asia/Shanghai');
    this.spreadsheet.addSheet('工作表1');
    this.identityToken = options.identityToken === undefined ? fakeJwt(options.email) : options.identityToken;
  }

  /** Refuses a call the current AuthMode does not allow, with Apps Script's words. */
  private require(call: string, allowed: readonly AuthMode[]): void {
    if (!allowed.includes(this.authMode)) {
      throw new Error(`Exception: You do not have permission to call ${call} (AuthMode.${this.authMode}).`);
    }
  }

  /** Runs a simple trigger as Apps Script does: in the AuthMode its event names. */
  asTrigger<T>(mode: AuthMode, run: () => T): T {
    const before = this.authMode;
    this.authMode = mode;
    try {
      return run();
    } finally {
      this.authMode = before;
    }
  }

  /** The globals of the script's context: the services, and a console that keeps errors. */
  globals(): Record<string, unknown> {
    const services = this;
    const full = ['FULL'] as const;
    const ui = {
      ButtonSet: { OK: 'OK', OK_CANCEL: 'OK_CANCEL', YES_NO: 'YES_NO', YES_NO_CANCEL: 'YES_NO_CANCEL' },
      Button: { OK: 'OK', CANCEL: 'CANCEL', YES: 'YES', NO: 'NO', CLOSE: 'CLOSE' },
      createAddonMenu() {
        services.log.push('Ui.createAddonMenu');
        const menu = { items: [] as FakeServices['menus'][number]['items'], added: false };
        services.menus.push(menu);
        const api = {
          addItem(caption: string, functionName: string) {
            menu.items.push({ caption, functionName });
            return api;
          },
          addSeparator() {
            menu.items.push('separator');
            return api;
          },
          addToUi() {
            menu.added = true;
          },
        };
        return api;
      },
      // Apps Script's forms: alert(prompt), alert(prompt, buttons), alert(title, prompt, buttons).
      alert(...args: unknown[]) {
        const [title, prompt, buttons] =
          args.length >= 3 ? args : args.length === 2 ? ['', args[0], args[1]] : ['', args[0], 'OK'];
        const choices = ALERT_CHOICES[String(buttons)];
        if (typeof prompt !== 'string' || typeof title !== 'string' || !choices) {
          throw new Error('Exception: The parameters (title, prompt, buttons) do not match Ui.alert.');
        }
        services.alerts.push({ title, prompt, buttons: String(buttons) });
        if (buttons === 'OK') return 'OK';
        const answer = services.answers.shift();
        if (answer === undefined || !choices.includes(answer)) {
          throw new Error(`fake Ui.alert: no answer among ${choices.join('/')} scripted for "${prompt}"`);
        }
        return answer;
      },
      showSidebar(output: FakeHtmlOutput) {
        services.sidebars.push(output);
      },
      showModalDialog(output: FakeHtmlOutput, title: string) {
        services.dialogs.push({ output, title });
      },
    };
    return {
      SpreadsheetApp: {
        ProtectionType: { SHEET: 'SHEET', RANGE: 'RANGE' },
        DeveloperMetadataVisibility: METADATA_VISIBILITY,
        DeveloperMetadataLocationType: METADATA_LOCATION_TYPE,
        getActive() {
          services.require('SpreadsheetApp.getActive', ['LIMITED', 'FULL']);
          services.log.push('SpreadsheetApp.getActive');
          return services.spreadsheet;
        },
        getUi() {
          services.log.push('SpreadsheetApp.getUi');
          return ui;
        },
        /** A rich text builder: setLinkUrl(url) links the whole text, which must be set first. */
        newRichTextValue() {
          const value = { text: '', link: null as string | null };
          const builder = {
            setText(text: string) {
              if (typeof text !== 'string') throw new Error('Exception: Invalid argument: text');
              value.text = text;
              return builder;
            },
            setLinkUrl(url: string | null) {
              if (value.text === '') throw new Error('Exception: The text of the rich text value is empty.');
              value.link = url;
              return builder;
            },
            build: () => ({ ...value }),
          };
          return builder;
        },
        newDataValidation() {
          const rule: Partial<FakeRule> = { showDropdown: false, allowInvalid: true, helpText: '' };
          const builder = {
            requireValueInList(values: string[], showDropdown = true) {
              Object.assign(rule, { criteria: 'VALUE_IN_LIST', values: [...values], showDropdown });
              return builder;
            },
            requireValueInRange(range: FakeRange, showDropdown = true) {
              Object.assign(rule, {
                criteria: 'VALUE_IN_RANGE',
                range: {
                  sheet: range.sheet.name,
                  row: range.row,
                  column: range.column,
                  numRows: range.numRows,
                  numColumns: range.numColumns,
                },
                showDropdown,
              });
              return builder;
            },
            setAllowInvalid(allow: boolean) {
              rule.allowInvalid = allow;
              return builder;
            },
            setHelpText(text: string) {
              rule.helpText = text;
              return builder;
            },
            build() {
              if (!rule.criteria) throw new Error('Exception: no criteria');
              return { ...rule } as FakeRule;
            },
          };
          return builder;
        },
      },
      HtmlService: {
        createTemplateFromFile(file: string) {
          services.log.push(`HtmlService.createTemplateFromFile ${file}`);
          let source: string;
          try {
            source = readFileSync(join(services.options.htmlDir, `${file}.html`), 'utf8');
          } catch {
            throw new Error(`Exception: No HTML file named ${file} was found.`);
          }
          return new FakeTemplate(file, source);
        },
      },
      PropertiesService: {
        getDocumentProperties() {
          services.require('PropertiesService.getDocumentProperties', full);
          services.log.push('PropertiesService.getDocumentProperties');
          return {
            getProperty: (name: string) => services.properties.get(name) ?? null,
            setProperties(values: Record<string, string>) {
              for (const [name, value] of Object.entries(values))
                services.properties.set(name, String(value));
              return this;
            },
          };
        },
      },
      LockService: {
        getDocumentLock() {
          services.log.push('LockService.getDocumentLock');
          let mine = false;
          return {
            tryLock(_ms: number) {
              if (services.lockBusy || services.lockHeld) return false;
              services.lockHeld = true;
              mine = true;
              return true;
            },
            releaseLock() {
              if (mine) services.lockHeld = false;
              mine = false;
            },
          };
        },
      },
      UrlFetchApp: {
        fetch(url: string, params: FetchRequest['params']) {
          services.require('UrlFetchApp.fetch', full);
          const request: FetchRequest = { url, params: { ...params }, lockHeld: services.lockHeld };
          services.requests.push(request);
          const { status, body } = services.respond(request);
          const text = typeof body === 'string' ? body : JSON.stringify(body);
          if (status >= 400 && !params.muteHttpExceptions) {
            throw new Error(
              `Exception: Request failed for ${url} returned code ${status}. Truncated server response: ${text}`,
            );
          }
          return { getResponseCode: () => status, getContentText: () => text };
        },
      },
      ScriptApp: {
        AuthMode: { NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL', CUSTOM_FUNCTION: 'CUSTOM_FUNCTION' },
        getIdentityToken() {
          services.require('ScriptApp.getIdentityToken', full);
          services.log.push('ScriptApp.getIdentityToken');
          return services.identityToken;
        },
      },
      Utilities: {
        formatDate,
        getUuid: () => `0000-${String(++services.uuids).padStart(8, '0')}`,
      },
      Session: {
        getActiveUser() {
          services.require('Session.getActiveUser', full);
          return { getEmail: () => services.options.email ?? 'staff@example.cn' };
        },
      },
      console: {
        log() {},
        info() {},
        warn() {},
        error(...args: unknown[]) {
          services.errors.push(args.map(String).join(' '));
        },
      },
    };
  }
}

/**
 * Takes the IANA time-zone data out of a context's Intl, as a runtime built without it (whether
 * Apps Script's V8 has it is not documented): a DateTimeFormat for any zone but UTC throws the
 * RangeError V8 throws for an unknown zone, and no zone is listed as supported.
 */
export function withoutTimeZoneData(context: object): void {
  vm.runInContext(
    `(() => {
      const Original = Intl.DateTimeFormat;
      const utc = /^(?:utc|etc\\/utc|gmt|etc\\/gmt)$/i;
      function check(options) {
        if (options && options.timeZone !== undefined && !utc.test(String(options.timeZone))) {
          throw new RangeError('Invalid time zone specified: ' + options.timeZone);
        }
      }
      const DateTimeFormat = function DateTimeFormat(locales, options) {
        check(options);
        return new Original(locales, Object.assign({}, options, { timeZone: 'UTC' }));
      };
      DateTimeFormat.prototype = Original.prototype;
      DateTimeFormat.supportedLocalesOf = Original.supportedLocalesOf;
      Intl.DateTimeFormat = DateTimeFormat;
      const supported = Intl.supportedValuesOf;
      Intl.supportedValuesOf = (key) => (key === 'timeZone' ? [] : supported(key));
      for (const name of ['toLocaleString', 'toLocaleDateString', 'toLocaleTimeString']) {
        const original = Date.prototype[name];
        Date.prototype[name] = function (locales, options) {
          check(options);
          return original.call(this, locales, Object.assign({}, options, { timeZone: 'UTC' }));
        };
      }
    })();`,
    context,
  );
}

/** An unsigned JWT shaped like Apps Script's identity token (the server is faked too). */
export function fakeJwt(email = 'staff@example.cn'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'fake' })}.${part({ iss: 'https://accounts.google.com', aud: 'fake-client.apps.googleusercontent.com', email, email_verified: true })}.c2lnbmF0dXJl`;
}
