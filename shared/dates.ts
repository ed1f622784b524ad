/**
 * Calendar dates without time or zone. Internally a date is a day number (days since
 * 1970-01-01), which makes "all arithmetic on calendar days" (§4) plain integer arithmetic.
 * Conversions are the proleptic-Gregorian civil algorithms (H. Hinnant, "chrono-compatible
 * low-level date algorithms"): no Date objects, so no allocation in hot loops and no Date.UTC
 * quirk of reading years 0–99 as 1900–1999.
 */
import type { IsoDate } from './model';

/** Day number of the spreadsheet epoch 1899-12-30 (serial 0). */
const SERIAL_EPOCH = -25_569;

function isLeapYear(year: number): boolean {
  return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Days from 1970-01-01 to a (valid) civil date. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The day number of a valid calendar date, or undefined when it does not exist (2026-02-30). */
export function dayFromParts(year: number, month: number, day: number): number | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1) return undefined;
  const last = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] as number);
  return day > last ? undefined : daysFromCivil(year, month, day);
}

/** Year, month (1–12) and day of a day number. */
export function partsOf(dayNumber: number): { year: number; month: number; day: number } {
  const z = dayNumber + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** The ISO text `YYYY-MM-DD` of a valid calendar date's parts. */
export function isoFromParts(year: number, month: number, day: number): IsoDate {
  return `${String(year).padStart(4, '0')}-${month < 10 ? '0' : ''}${month}-${day < 10 ? '0' : ''}${day}`;
}

/** The day number of an ISO date `YYYY-MM-DD` (assumed well-formed). */
export function dayOf(iso: IsoDate): number {
  return daysFromCivil(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)), Number(iso.slice(8, 10)));
}

/** The ISO text `YYYY-MM-DD` of a day number. */
export function isoOf(dayNumber: number): IsoDate {
  const { year, month, day } = partsOf(dayNumber);
  return isoFromParts(year, month, day);
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
