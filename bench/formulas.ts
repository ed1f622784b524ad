/**
 * The spreadsheet way of computing the same statistics: the accepted activities in a HyperFormula
 * sheet and one COUNTIFS/SUMIFS/MAXIFS formula per number, the way an office would build a
 * summary tab by hand. Its values are compared, number by number, with the engine's Stats.
 */
import { type CellValue, DetailedCellError, HyperFormula, type Sheets } from 'hyperformula';
import { dayFromSerial, dayOf, isoOf, serialOf } from '../shared/dates';
import type { PlanModel } from '../shared/model';
import type { Stats } from '../shared/stats-types';

/** Relative tolerance of §4 ("whoever compares results allows a relative tolerance of 1e-9"). */
export const RELATIVE_TOLERANCE = 1e-9;

const SUM_FIELDS = ['participants', 'beneficiaries', 'hours', 'funds'] as const;

/** Activities sheet columns (A…H). */
const COL = {
  date: 'A',
  measure: 'B',
  status: 'C',
  participants: 'D',
  beneficiaries: 'E',
  hours: 'F',
  funds: 'G',
  partners: 'H',
} as const;

const ACTIVITIES_SHEET = 'Activities';
const CHECKS_SHEET = 'Checks';

type Group = 'measures' | 'partners' | 'months';

/** One formula and the engine number it must equal. */
interface Check {
  group: Group;
  label: string;
  formula: string;
  /** The engine's number (a date as its serial, none as 0, which is what MAXIFS yields). */
  expected: (stats: Stats) => number | undefined;
  isDate?: boolean;
}

export interface Disagreement {
  label: string;
  engine: string;
  sheet: string;
}

export interface FormulaRun {
  activities: number;
  formulas: number;
  /** `buildFromSheets`, which parses and evaluates every formula. */
  buildMs: number;
  /** Reading every formula's value back. */
  readMs: number;
  compared: number;
  comparedBy: Record<Group, number>;
  disagreements: Disagreement[];
}

const serialOfIso = (iso: string) => serialOf(dayOf(iso));

/** Whether two numbers agree within the relative tolerance. */
export function agrees(a: number, b: number): boolean {
  if (a === b) return true;
  return Math.abs(a - b) <= RELATIVE_TOLERANCE * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * The two sheets: the accepted activities (date serial, measure number, status key, the four
 * numbers, and the partner numbers as `,3,17,` so `*,3,*` matches exactly one partner) and one
 * check formula per row. Partners are numbered rather than named because HyperFormula's wildcard
 * matching leaves `|` unescaped in its regular expression (`*|P01|*` matches every cell), and
 * partner IDs may hold `*`, `?` or `~`.
 */
export function buildFormulaSheets(model: PlanModel, asOf: string): { sheets: Sheets; checks: Check[] } {
  const year = model.settings.year;
  const measureNumber = new Map(model.measures.map((m, i) => [m.measureId, i + 1]));
  const partnerNumber = new Map(model.partners.map((p, i) => [p.partnerId, i + 1]));

  const activityRows = model.activities.map((a) => {
    const partners = a.partners.map((id) => partnerNumber.get(id)).filter((n) => n !== undefined);
    return [
      serialOfIso(a.date),
      measureNumber.get(a.measureId) ?? 0,
      a.status,
      a.participants ?? null,
      a.beneficiaries ?? null,
      a.hours ?? null,
      a.funds ?? null,
      partners.length > 0 ? `,${partners.join(',')},` : null,
    ];
  });
  const last = Math.max(activityRows.length + 1, 2);
  const range = (column: string) => `${ACTIVITIES_SHEET}!$${column}$2:$${column}$${last}`;
  const asOfSerial = serialOfIso(asOf);
  const doneByAsOf = `${range(COL.status)},"done",${range(COL.date)},"<=${asOfSerial}"`;

  const checks: Check[] = [];
  const measureStats = (stats: Stats, id: string) => stats.measures.find((m) => m.measureId === id);
  model.measures.forEach((measure, index) => {
    const n = index + 1;
    const id = measure.measureId;
    const count = `=COUNTIFS(${range(COL.measure)},${n},${doneByAsOf})`;
    checks.push({
      group: 'measures',
      label: `measure ${id} activities`,
      formula: count,
      expected: (s) => measureStats(s, id)?.activities,
    });
    if (measure.recurrence !== 'none' || measure.metric === 'milestone') return;
    const formula =
      measure.metric === 'count'
        ? count
        : `=SUMIFS(${range(COL[measure.metric])},${range(COL.measure)},${n},${doneByAsOf})`;
    checks.push({
      group: 'measures',
      label: `measure ${id} achieved (${measure.metric})`,
      formula,
      expected: (s) => measureStats(s, id)?.achieved,
    });
  });

  const partnerStats = (stats: Stats, id: string) => stats.partners.find((p) => p.partnerId === id);
  model.partners.forEach((partner, index) => {
    const id = partner.partnerId;
    const naming = `${range(COL.partners)},"*,${index + 1},*"`;
    checks.push({
      group: 'partners',
      label: `partner ${id} activities`,
      formula: `=COUNTIFS(${naming},${doneByAsOf})`,
      expected: (s) => partnerStats(s, id)?.activities,
    });
    for (const field of SUM_FIELDS) {
      checks.push({
        group: 'partners',
        label: `partner ${id} ${field}`,
        formula: `=SUMIFS(${range(COL[field])},${naming},${doneByAsOf})`,
        expected: (s) => partnerStats(s, id)?.[field],
      });
    }
    checks.push({
      group: 'partners',
      label: `partner ${id} lastActivity`,
      formula: `=MAXIFS(${range(COL.date)},${naming},${doneByAsOf})`,
      expected: (s) => {
        const p = partnerStats(s, id);
        if (!p) return undefined;
        return p.lastActivity === null ? 0 : serialOfIso(p.lastActivity);
      },
      isDate: true,
    });
  });

  for (let month = 1; month <= 12; month++) {
    const label = `${year}-${String(month).padStart(2, '0')}`;
    const first = serialOf(Date.UTC(year, month - 1, 1) / 86_400_000);
    const lastDay = serialOf(Date.UTC(year, month, 0) / 86_400_000);
    const inMonth = `${range(COL.date)},">=${first}",${range(COL.date)},"<=${lastDay}",${doneByAsOf}`;
    const monthStats = (s: Stats) => s.months.find((m) => m.month === label);
    checks.push({
      group: 'months',
      label: `month ${label} activities`,
      formula: `=COUNTIFS(${inMonth})`,
      expected: (s) => monthStats(s)?.activities,
    });
    for (const field of SUM_FIELDS) {
      checks.push({
        group: 'months',
        label: `month ${label} ${field}`,
        formula: `=SUMIFS(${range(COL[field])},${inMonth})`,
        expected: (s) => monthStats(s)?.[field],
      });
    }
  }

  const header = ['date', 'measure', 'status', ...SUM_FIELDS, 'partners'];
  const sheets: Sheets = {
    [ACTIVITIES_SHEET]: [header, ...activityRows],
    [CHECKS_SHEET]: [['check', 'value'], ...checks.map((c) => [c.label, c.formula])],
  };
  return { sheets, checks };
}

function show(value: number | undefined, isDate: boolean | undefined): string {
  if (value === undefined) return '(missing)';
  if (isDate) return value === 0 ? 'none' : isoOf(dayFromSerial(value));
  return String(value);
}

function showSheet(value: CellValue, isDate: boolean | undefined): string {
  if (value instanceof DetailedCellError) return `${value.value} (${value.message})`;
  if (typeof value === 'number') return show(value, isDate);
  return JSON.stringify(value);
}

/**
 * Builds and evaluates the formula workbook for the model's accepted rows and compares every
 * formula's value with the engine's Stats (computed for the same model and as-of date).
 */
export function runFormulaComparison(model: PlanModel, stats: Stats, asOf: string): FormulaRun {
  const { sheets, checks } = buildFormulaSheets(model, asOf);

  const buildStart = performance.now();
  const hf = HyperFormula.buildFromSheets(sheets, { licenseKey: 'gpl-v3' });
  const buildMs = performance.now() - buildStart;

  const readStart = performance.now();
  const sheet = hf.getSheetId(CHECKS_SHEET);
  if (sheet === undefined) throw new Error('HyperFormula lost the checks sheet');
  const values = checks.map((_, i) => hf.getCellValue({ sheet, row: i + 1, col: 1 }));
  const readMs = performance.now() - readStart;
  hf.destroy();

  const comparedBy: Record<Group, number> = { measures: 0, partners: 0, months: 0 };
  const disagreements: Disagreement[] = [];
  checks.forEach((check, i) => {
    const sheetValue = values[i] ?? null;
    const expected = check.expected(stats);
    comparedBy[check.group]++;
    const ok = expected !== undefined && typeof sheetValue === 'number' && agrees(expected, sheetValue);
    if (!ok) {
      disagreements.push({
        label: check.label,
        engine: show(expected, check.isDate),
        sheet: showSheet(sheetValue, check.isDate),
      });
    }
  });

  return {
    activities: model.activities.length,
    formulas: checks.length,
    buildMs,
    readMs,
    compared: checks.length,
    comparedBy,
    disagreements,
  };
}
