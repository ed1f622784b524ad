/**
 * Cell normalisation (§3): every raw cell passes through here before validation. Each parser
 * returns the value, `undefined` for an empty cell, or `INVALID` when the text cannot be read.
 */
import type { EnumKind } from './columns';
import { dayFromParts, dayFromSerial, isoFromParts, isoOf } from './dates';
import {
  ACTIVITY_STATUS_LABELS,
  CATEGORY_LABELS,
  DIGEST_FREQUENCY_LABELS,
  ENUM_SHORT_FORMS,
  EVIDENCE_RULE_LABELS,
  HOLIDAY_KIND_LABELS,
  MEASURE_STATE_LABELS,
  METRIC_LABELS,
  PARTNER_STATE_LABELS,
  PARTNER_TYPE_LABELS,
  RECURRENCE_LABELS,
} from './i18n';
import type { IsoDate } from './model';
import type { CellValue } from './workbook';

export const INVALID = Symbol('invalid');
export type Parsed<T> = T | undefined | typeof INVALID;

/**
 * IDs, numbers, dates, enumerations and emails (§3): Unicode NFKC (full-width digits and letters
 * become ASCII), whitespace collapsed and trimmed; an empty result is absent.
 */
export function normalizeText(text: string): string | undefined {
  // Plain ASCII without runs of spaces needs no work: the common case in large sheets.
  const normal = /^[\x21-\x7e]+(?: [\x21-\x7e]+)*$/.test(text)
    ? text
    : text.normalize('NFKC').replace(/\s+/g, ' ').trim();
  return normal === '' ? undefined : normal;
}

/**
 * Free text as typed (§3): whitespace collapsed and trimmed, nothing else — `，（）：；` stay as
 * they are in the tabs, the emails and the documents. An empty result is absent.
 */
export function normalizeFreeText(text: string): string | undefined {
  const normal = /^\S+(?: \S+)*$/.test(text) ? text : text.replace(/\s+/g, ' ').trim();
  return normal === '' ? undefined : normal;
}

/** Free text reduced for comparison (a partner named in a reference, duplicate titles): NFKC. */
export function comparisonKey(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : text.normalize('NFKC');
}

/** A cell as text: numbers in their shortest decimal form, date cells as `YYYY-MM-DD`. */
export function cellText(cell: CellValue | undefined): string | undefined {
  if (typeof cell === 'string') return normalizeText(cell);
  return nonTextCell(cell);
}

/** A free-text cell (title, name, location, notes, owner) as typed: see normalizeFreeText. */
export function freeCellText(cell: CellValue | undefined): string | undefined {
  if (typeof cell === 'string') return normalizeFreeText(cell);
  return nonTextCell(cell);
}

function nonTextCell(cell: CellValue | undefined): string | undefined {
  if (cell === null || cell === undefined || typeof cell === 'string') return undefined;
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(cell) : undefined;
  if (typeof cell === 'boolean') return cell ? 'TRUE' : 'FALSE';
  return dateCellText(cell);
}

/** A date cell's calendar date, or undefined for an invalid Date or a year outside 1–9999. */
function dateCellText(cell: Date): IsoDate | undefined {
  const year = cell.getUTCFullYear();
  if (Number.isNaN(year) || year < 1 || year > 9999) return undefined;
  return isoFromParts(year, cell.getUTCMonth() + 1, cell.getUTCDate());
}

/** True when the cell holds nothing once normalised. */
export function isEmptyCell(cell: CellValue | undefined): boolean {
  return cellText(cell) === undefined;
}

const NUMBER_TEXT = /^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$|^[+-]?\.\d+$/;

/** A number: numeric cells as they come; text like `1200`, `1,200`, `1200.5`, `１２００`. */
export function parseNumber(cell: CellValue | undefined): Parsed<number> {
  if (cell === null || cell === undefined) return undefined;
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : INVALID;
  if (typeof cell !== 'string') return INVALID;
  const text = normalizeText(cell);
  if (text === undefined) return undefined;
  return NUMBER_TEXT.test(text) ? Number(text.replace(/,/g, '')) : INVALID;
}

const MAX_SERIAL = 2_958_465; // 9999-12-31
const YMD = /^(\d{4}) ?[-/.] ?(\d{1,2}) ?[-/.] ?(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;
const YMD_CHINESE = /^(\d{4}) ?年 ?(\d{1,2}) ?月 ?(\d{1,2}) ?日?$/;
const SERIAL_TEXT = /^\d+(?:\.\d+)?$/;

/** A calendar date from a date cell, a spreadsheet serial, or text such as `2026/3/5`, `2026年3月5日`. */
export function parseDate(cell: CellValue | undefined): Parsed<IsoDate> {
  if (cell === null || cell === undefined) return undefined;
  if (cell instanceof Date) return dateCellText(cell) ?? INVALID;
  if (typeof cell === 'number') return fromSerial(cell);
  if (typeof cell !== 'string') return INVALID;
  const text = normalizeText(cell);
  if (text === undefined) return undefined;
  const m = YMD.exec(text) ?? YMD_CHINESE.exec(text);
  if (m) {
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    return dayFromParts(year, month, day) === undefined ? INVALID : isoFromParts(year, month, day);
  }
  return SERIAL_TEXT.test(text) ? fromSerial(Number(text)) : INVALID;
}

function fromSerial(serial: number): Parsed<IsoDate> {
  return Number.isFinite(serial) && serial >= 1 && serial <= MAX_SERIAL
    ? isoOf(dayFromSerial(serial))
    : INVALID;
}

/** An ID: text compared after normalisation; a numeric cell becomes its shortest decimal text. */
export function parseId(cell: CellValue | undefined): string | undefined {
  return cellText(cell);
}

const LIST_SEPARATORS = /[,，、;；\r\n]+/;

/** A list: split on `,` `，` `、` `;` `；` and line breaks before whitespace is collapsed. */
export function parseList(cell: CellValue | undefined): string[] {
  if (typeof cell !== 'string') {
    const text = cellText(cell);
    return text === undefined ? [] : [text];
  }
  const items: string[] = [];
  for (const part of cell.split(LIST_SEPARATORS)) {
    const item = normalizeText(part);
    if (item !== undefined) items.push(item);
  }
  return items;
}

/** True when raw text holds a list separator (which an ID must not). */
export function hasListSeparator(cell: CellValue | undefined): boolean {
  return typeof cell === 'string' && LIST_SEPARATORS.test(cell.trim());
}

/** RFC 5321's dot-atom local part: the characters an address may hold unquoted. */
const LOCAL_PART = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*";
/** A domain label: letters (any script, sent as punycode), digits and inner hyphens. */
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{N}-]*[\\p{L}\\p{N}])?';
const EMAIL = new RegExp(`^${LOCAL_PART}@${LABEL}(?:\\.${LABEL})+$`, 'u');

/**
 * An email address, the one rule validation and the mail sender share: an unquoted local part and
 * a dotted domain, within SMTP's lengths. Nothing a mail library could read differently — no
 * `<>`, quotes, comments or display names — so an address accepted here is exactly the address
 * the message goes to.
 */
export function isEmail(text: string): boolean {
  const at = text.lastIndexOf('@');
  return at > 0 && at <= 64 && text.length <= 254 && EMAIL.test(text);
}

const PHONE = /^[\d\s\-+()]*\d[\d\s\-+()]*$/;
/** Digits, spaces, `-`, `+` and parentheses, with at least one digit. */
export function isPhone(text: string): boolean {
  return PHONE.test(text);
}

const URL_TEXT = /^https?:\/\/[^\s/?#]+[^\s]*$/i;
/** An http(s) URL (checked by shape: Apps Script has no URL class). */
export function isHttpUrl(text: string): boolean {
  return URL_TEXT.test(text);
}

const ENUM_LABELS: Record<EnumKind, Record<string, string>> = {
  category: CATEGORY_LABELS,
  partnerType: PARTNER_TYPE_LABELS,
  partnerState: PARTNER_STATE_LABELS,
  metric: METRIC_LABELS,
  recurrence: RECURRENCE_LABELS,
  measureState: MEASURE_STATE_LABELS,
  activityStatus: ACTIVITY_STATUS_LABELS,
  digestFrequency: DIGEST_FREQUENCY_LABELS,
  evidenceRule: EVIDENCE_RULE_LABELS,
  holidayKind: HOLIDAY_KIND_LABELS,
};

/** For each enumeration: every accepted spelling (label, key, short form) → its key. */
const ENUM_LOOKUP = Object.fromEntries(
  (Object.keys(ENUM_LABELS) as EnumKind[]).map((kind) => {
    const lookup = new Map<string, string>();
    const add = (spelling: string, key: string) => lookup.set(spelling.normalize('NFKC').toLowerCase(), key);
    for (const [key, label] of Object.entries(ENUM_LABELS[kind])) {
      add(key, key);
      add(label, key);
    }
    for (const [form, key] of Object.entries(ENUM_SHORT_FORMS[kind])) add(form, key);
    return [kind, lookup];
  }),
) as Record<EnumKind, Map<string, string>>;

/** An enumeration value: Chinese label, English key (any case) or a short form → the key. */
export function parseEnum(kind: EnumKind, cell: CellValue | undefined): Parsed<string> {
  const text = cellText(cell);
  if (text === undefined) return undefined;
  return ENUM_LOOKUP[kind].get(text.toLowerCase()) ?? INVALID;
}

/** The Chinese label of an enumeration's key (the key itself if it has none): what staff type. */
export function enumLabel(kind: EnumKind, key: string): string {
  return ENUM_LABELS[kind][key] ?? key;
}

/** The labels and keys of an enumeration, for messages and dropdowns. */
export function enumOptions(kind: EnumKind): { zh: string[]; en: string[] } {
  const labels = ENUM_LABELS[kind];
  return { zh: Object.values(labels), en: Object.keys(labels) };
}
