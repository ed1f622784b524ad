/**
 * Calendar dates without time or zone. Internally a date is a day number (days since
 * 1970-01-01), which makes "all arithmetic on calendar days" (§4) plain integer arithmetic.
 */
import type { IsoDate } from './model';

const MS_PER_DAY = 86_400_000;
/** Day number of the spreadsheet epoch 1899-12-30 (serial 0). */
const SERIAL_EPOCH = -25_569;

/** The day number of a valid calendar date, or undefined when it does not exist (2026-02-30). */
export function dayFromParts(year: number, month: number, day: number): number | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  const ms = utcMs(year, month, day);
  const date = new Date(ms);
  if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1) return undefined;
  return ms / MS_PER_DAY;
}

/** Date.UTC without its quirk of reading years 0–99 as 1900–1999. */
function utcMs(year: number, month: number, day: number): number {
  const ms = Date.UTC(year, month - 1, day);
  return year >= 100 ? ms : new Date(ms).setUTCFullYear(year);
}

/** The day number of an ISO date `YYYY-MM-DD` (assumed well-formed). */
export function dayOf(iso: IsoDate): number {
  return utcMs(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10))) / MS_PER_DAY;
}

/** The ISO text `YYYY-MM-DD` of a day number. */
export function isoOf(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Parses a strict `YYYY-MM-DD` that names a real date; undefined otherwise. */
export function parseIsoDate(text: string): IsoDate | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  return dayFromParts(Number(m[1]), Number(m[2]), Number(m[3])) === undefined ? undefined : text;
}

/** The day number of a spreadsheet serial (days since 1899-12-30; a time fraction is dropped). */
export function dayFromSerial(serial: number): number {
  return Math.floor(serial) + SERIAL_EPOCH;
}

/** The spreadsheet serial of a day number. */
export function serialOf(day: number): number {
  return day - SERIAL_EPOCH;
}

/** Year, month (1–12) and day of a day number. */
export function partsOf(day: number): { year: number; month: number; day: number } {
  const date = new Date(day * MS_PER_DAY);
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}
