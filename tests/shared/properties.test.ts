/**
 * Property tests of SPEC §3: normalisation and validation never throw on any cell a workbook
 * adapter can hand over, and for any sheet every counted row is accounted for —
 * `accepted + rejected = rows`, no row dropped silently, accepted rows in sheet order.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EnumKind } from '../../shared/columns';
import {
  COLUMNS,
  type ColumnDef,
  headerKey,
  locateColumns,
  type RecordTabKey,
  recogniseTab,
} from '../../shared/columns';
import { UnusableInputError } from '../../shared/errors';
import { PlanModel } from '../../shared/model';
import {
  cellText,
  enumOptions,
  hasListSeparator,
  isEmptyCell,
  parseDate,
  parseEnum,
  parseId,
  parseList,
  parseNumber,
} from '../../shared/normalize';
import { type ValidationResult, validateWorkbook } from '../../shared/validate';
import type { CellValue, RawTab, RawWorkbook } from '../../shared/workbook';

const NUM_RUNS = 200;
const RECORD_TABS: RecordTabKey[] = ['partners', 'plan', 'activities'];
const TAB_NAMES: Record<RecordTabKey | 'settings', string[]> = {
  settings: ['设置', 'Settings'],
  partners: ['共建单位', 'Partners'],
  plan: ['计划', 'PLAN'],
  activities: ['活动', 'activities'],
};
const ENUM_KINDS: EnumKind[] = [
  'category',
  'partnerType',
  'partnerState',
  'metric',
  'recurrence',
  'measureState',
  'activityStatus',
  'digestFrequency',
];

// ---------------------------------------------------------------------------------------------
// (a) Arbitrary cells, headers and tabs: nothing throws.

const awkwardText = fc.constantFrom(
  '',
  ' ',
  '\u3000',
  '\n',
  '\r\n',
  ' 12',
  '１２００',
  '1,200',
  '2026-03-05',
  '2026-02-30',
  '2026年3月5日',
  '46086',
  '99999999',
  '=SUM(A1)',
  '+',
  '-',
  '@',
  'P01、P02',
  'a@b.c',
  '@',
  'https://',
  'NaN',
  'Infinity',
  '\ud800',
  '\u200b',
  'ＡＢＣ',
  '区住建局',
  '里程碑',
  '每季度',
  'x'.repeat(5001),
);

const anyCell: fc.Arbitrary<CellValue> = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  awkwardText,
  fc.double(),
  fc.integer(),
  fc.constantFrom(Number.NaN, Infinity, -Infinity, -0, 0, 46086, 2_958_466, 1e21, -1),
  fc.boolean(),
  fc.date({ noInvalidDate: false }),
  fc.constant(new Date(Number.NaN)),
  fc.constant(null),
);

const allHeaderNames = [
  ...new Set(
    Object.values(COLUMNS).flatMap((columns) =>
      columns.flatMap((c) => [c.zh, c.en, c.field, c.en.toUpperCase(), `${c.zh}（单位）`]),
    ),
  ),
  '项目',
  '值',
  'Key',
  'Value',
  '计划年度',
  'Year',
];

const anyHeader: fc.Arbitrary<CellValue> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...allHeaderNames) },
  { weight: 1, arbitrary: anyCell },
);

const anyTabName = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...Object.values(TAB_NAMES).flat(), '汇总', 'Sheet1') },
  { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
);

const anyTab: fc.Arbitrary<RawTab> = fc.record({
  name: anyTabName,
  header: fc.array(anyHeader, { maxLength: 16 }),
  rows: fc
    .array(fc.array(anyCell, { maxLength: 16 }), { maxLength: 6 })
    .map((rows) => rows.map((cells, i) => ({ row: i + 2, cells }))),
});

const anyWorkbook: fc.Arbitrary<RawWorkbook> = fc.record({ tabs: fc.array(anyTab, { maxLength: 5 }) });
const anyAsOf = fc.constantFrom('2026-12-31', '2026-06-30', '2027-01-01', '2025-02-28');

/** Validates, allowing only UnusableInputError (the documented "no usable tab" outcome). */
function validateOrUnusable(workbook: RawWorkbook, asOf: string, requireYear: boolean) {
  try {
    return validateWorkbook(workbook, { asOf, requireYear });
  } catch (error) {
    if (error instanceof UnusableInputError) return undefined;
    throw error;
  }
}

describe('(a) nothing throws', () => {
  it('normalisation functions accept any cell', () => {
    fc.assert(
      fc.property(anyCell, (cell) => {
        cellText(cell);
        isEmptyCell(cell);
        parseNumber(cell);
        parseDate(cell);
        parseId(cell);
        parseList(cell);
        hasListSeparator(cell);
        headerKey(cell);
        recogniseTab(String(cell));
        for (const kind of ENUM_KINDS) parseEnum(kind, cell);
        for (const tab of RECORD_TABS) locateColumns(tab, [cell]);
      }),
      { numRuns: NUM_RUNS * 5 },
    );
  });

  it('validateWorkbook accepts any workbook (or reports it unusable) and accounts for every row', () => {
    fc.assert(
      fc.property(anyWorkbook, anyAsOf, fc.boolean(), (workbook, asOf, requireYear) => {
        const result = validateOrUnusable(workbook, asOf, requireYear);
        if (result === undefined) return;
        for (const tab of RECORD_TABS) {
          const counts = result.tabs[tab];
          expect(counts.accepted + counts.rejected).toBe(counts.rows);
          expect(modelRows(result, tab)).toHaveLength(counts.accepted);
        }
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the model validateWorkbook returns always fits the model schema (calendar dates YYYY-MM-DD)', () => {
    fc.assert(
      fc.property(anyWorkbook, anyAsOf, (workbook, asOf) => {
        const result = validateOrUnusable(workbook, asOf, false);
        if (result === undefined) return;
        const parsed = PlanModel.safeParse(result.model);
        expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('the model fits the schema for date cells of any year', () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (date) => {
        const result = validateWorkbook(
          {
            tabs: [
              {
                name: '共建单位',
                header: ['单位编号', '单位名称', '邮箱', '结对日期'],
                rows: [{ row: 2, cells: ['P01', '区住建局', 'a@example.cn', date] }],
              },
              {
                name: '计划',
                header: ['编号', '类别', '事项', '完成日期'],
                rows: [{ row: 2, cells: ['M1', '其他', '事项', date] }],
              },
              {
                name: '活动',
                header: ['日期', '关联事项', '活动名称'],
                rows: [{ row: 2, cells: [date, 'M1', '活动'] }],
              },
            ],
          },
          { asOf: '2026-12-31' },
        );
        const parsed = PlanModel.safeParse(result.model);
        expect(parsed.success, `${date.toISOString()}: ${JSON.stringify(result.model.activities)}`).toBe(
          true,
        );
      }),
      { numRuns: NUM_RUNS },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// (b) Sheets built from the real headers: every non-empty row accepted or rejected, in order.

const JUNK_HEADERS = ['内部备注', '序号', 'Remark2', '操作人'];

/** The spellings a column's header may take (§3 header matching). */
function spellings(column: ColumnDef): string[] {
  const fullWidth = [...column.en]
    .map((ch) => (ch === ' ' ? '\u3000' : String.fromCharCode(ch.charCodeAt(0) + 0xfee0)))
    .join('');
  return [column.zh, column.en, column.en.toUpperCase(), ` ${column.zh} `, `${column.zh}（单位）`, fullWidth];
}

const blank = fc.constantFrom<CellValue>(null, '', '  ', '\u3000', '\n');
const PARTNER_IDS = ['P01', 'P02', 'P03', 'P04', 'P05', 'P06', '4.3', '4.30'];
const PARTNER_NAMES = ['区住建局', '第一中学', 'xx村', 'ＡＢＣ公司', '区民政局', '实验小学', '供电公司'];
const MEASURE_IDS = ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', '4.3', '4.30'];

/** Mostly plausible values (so that rows are often accepted), some slips, blanks and noise. */
function cellFor(tab: RecordTabKey, column: ColumnDef): fc.Arbitrary<CellValue> {
  const kind = column.kind;
  let good: CellValue[];
  let bad: CellValue[];
  switch (kind.type) {
    case 'id':
      good =
        tab === 'partners'
          ? PARTNER_IDS
          : tab === 'plan' || column.field === 'measureId'
            ? MEASURE_IDS
            : ['A1', 'A2', 'A3', 'A4', 'A5', 'A6', 'A7', 'A8'];
      bad = [4.3, 'x、y', 'y'.repeat(33), 'M9'];
      break;
    case 'text':
      good = column.field === 'name' ? PARTNER_NAMES : ['联席会议', '文明礼仪培训', 12];
      bad = ['=1+1', 'x'.repeat(201), 'z'.repeat(5001)];
      break;
    case 'list':
      good = ['P01', 'P01、P02', '区住建局'];
      bad = ['区城管局', 'P01；P09', 'P02, P03'];
      break;
    case 'emails':
      good = ['a@example.cn', 'a@example.cn、b@example.cn'];
      bad = ['bad-address'];
      break;
    case 'email':
      good = ['owner@example.cn'];
      bad = ['owner@'];
      break;
    case 'phone':
      good = ['0571-86001234', 13800001234];
      bad = ['0571-86O91235'];
      break;
    case 'url':
      good = ['https://example.cn/a'];
      bad = ['example.cn/a'];
      break;
    case 'date':
      good = ['2026-03-05', '2026/7/1', 46086, new Date(Date.UTC(2026, 5, 30)), '2026-12-31'];
      bad = ['2025-12-31', '2026-13-01', 'tomorrow'];
      break;
    case 'number':
      good = ['12', 12, '1,200', 2.5, 30];
      bad = [0, -1, '12a', 100];
      break;
    case 'integer':
      good = [3, '3', 0, 40];
      bad = [2.5, -1, 'x'];
      break;
    case 'enum': {
      const options = enumOptions(kind.of);
      good = [...options.zh, ...options.en];
      bad = ['bogus'];
      break;
    }
  }
  return fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom(...good) },
    { weight: 1, arbitrary: fc.constantFrom(...bad) },
    { weight: column.required ? 1 : kind.type === 'list' ? 40 : 4, arbitrary: blank },
    { weight: 1, arbitrary: anyCell },
  );
}

interface SheetColumn {
  header: string;
  /** The column's field, or undefined for a junk column. */
  field: string | undefined;
  cell: fc.Arbitrary<CellValue>;
}

interface Sheet {
  tab: RecordTabKey;
  columns: SheetColumn[];
  rows: { row: number; cells: CellValue[] }[];
}

function sheetArb(tab: RecordTabKey): fc.Arbitrary<Sheet> {
  const columns = COLUMNS[tab];
  return fc
    .record({
      // A required column is seldom missing (then every row is rejected), others more often.
      chosen: fc.tuple(
        ...columns.map((c) =>
          fc.option(fc.constantFrom(...spellings(c)), { freq: c.requiredColumn ? 30 : 4, nil: null }),
        ),
      ),
      junk: fc.uniqueArray(fc.constantFrom(...JUNK_HEADERS), { maxLength: 2 }),
    })
    .chain(({ chosen, junk }) => {
      const sheetColumns: SheetColumn[] = [
        ...columns.flatMap((column, i) => {
          const header = chosen[i];
          return header === null || header === undefined
            ? []
            : [{ header, field: column.field, cell: cellFor(tab, column) }];
        }),
        ...junk.map((header) => ({ header, field: undefined, cell: anyCell })),
      ];
      return fc.shuffledSubarray(sheetColumns, {
        minLength: sheetColumns.length,
        maxLength: sheetColumns.length,
      });
    })
    .chain((ordered) => {
      const row = fc.tuple(...ordered.map((c) => c.cell), fc.nat(ordered.length), fc.nat(3));
      return fc.array(row, { maxLength: 10 }).map((raw) => {
        let next = 2;
        const rows = raw.map((entry) => {
          const values = entry.slice(0, ordered.length) as CellValue[];
          const keep = entry[ordered.length] as number;
          const gap = entry[ordered.length + 1] as number;
          const rowNumber = next + (gap === 3 ? 2 : 0); // sometimes skip sheet rows
          next = rowNumber + 1;
          // A ragged row: trailing cells may be missing, as adapters drop them.
          const cells = keep === 0 ? values.slice(0, Math.max(0, values.length - 1)) : values;
          return { row: rowNumber, cells };
        });
        return { tab, columns: ordered, rows };
      });
    });
}

/** The spec's "empty": nothing left after NFKC and trimming (the oracle, written independently). */
function isBlank(cell: CellValue | undefined): boolean {
  if (cell === null || cell === undefined) return true;
  if (typeof cell === 'string') return cell.normalize('NFKC').trim() === '';
  if (typeof cell === 'number') return !Number.isFinite(cell);
  if (cell instanceof Date) return Number.isNaN(cell.getTime());
  return false;
}

function modelRows(result: ValidationResult, tab: RecordTabKey): number[] {
  const records =
    tab === 'partners'
      ? result.model.partners
      : tab === 'plan'
        ? result.model.measures
        : result.model.activities;
  return records.map((r) => r.row);
}

const workbookArb = fc.record({
  partners: fc.option(sheetArb('partners'), { freq: 6, nil: null }),
  plan: fc.option(sheetArb('plan'), { freq: 6, nil: null }),
  activities: fc.option(sheetArb('activities'), { freq: 6, nil: null }),
  names: fc.tuple(...RECORD_TABS.map((tab) => fc.constantFrom(...TAB_NAMES[tab]))),
});

describe('(b) every row is accounted for', () => {
  it('accepted + rejected = rows = non-empty rows; rejected rows carry an error; accepted rows in order', () => {
    fc.assert(
      fc.property(workbookArb, anyAsOf, (generated, asOf) => {
        const sheets: Record<RecordTabKey, Sheet | null> = {
          partners: generated.partners,
          plan: generated.plan,
          activities: generated.activities,
        };
        const tabs: RawTab[] = [
          { name: '设置', header: ['项目', '值'], rows: [{ row: 2, cells: ['计划年度', 2026] }] },
        ];
        RECORD_TABS.forEach((tab, i) => {
          const sheet = sheets[tab];
          if (sheet) {
            tabs.push({
              name: generated.names[i] as string,
              header: sheet.columns.map((c) => c.header),
              rows: sheet.rows,
            });
          }
        });
        const result = validateWorkbook({ tabs }, { asOf });

        for (const tab of RECORD_TABS) {
          const sheet = sheets[tab];
          const counts = result.tabs[tab];
          expect(counts.accepted + counts.rejected).toBe(counts.rows);
          if (!sheet) {
            expect(counts).toEqual({ rows: 0, accepted: 0, rejected: 0 });
            expect(result.issues.some((i) => i.tab === tab && i.code === 'missing_tab' && i.row === 1)).toBe(
              true,
            );
            continue;
          }
          const recognised = sheet.columns.flatMap((c, index) => (c.field === undefined ? [] : [index]));
          const counted = sheet.rows
            .filter((r) => recognised.some((index) => !isBlank(r.cells[index])))
            .map((r) => r.row);
          expect(counts.rows).toBe(counted.length);

          const tabIssues = result.issues.filter((i) => i.tab === tab);
          // Issues are on the header row or on a counted row, never on a skipped one.
          for (const issue of tabIssues) expect([1, ...counted]).toContain(issue.row);
          const errorRows = new Set(
            tabIssues.filter((i) => i.severity === 'error' && i.row >= 2).map((i) => i.row),
          );
          const rejected = counted.filter((row) => errorRows.has(row));
          const accepted = counted.filter((row) => !errorRows.has(row));
          expect(counts.rejected).toBe(rejected.length);
          expect(modelRows(result, tab)).toEqual(accepted);

          // A missing required column rejects every counted row.
          const missing = COLUMNS[tab].filter(
            (c) => c.requiredColumn && !sheet.columns.some((sc) => sc.field === c.field),
          );
          if (missing.length > 0) {
            expect(counts.accepted).toBe(0);
            for (const column of missing) {
              expect(
                tabIssues.some((i) => i.row === 1 && i.code === 'missing_column' && i.field === column.field),
              ).toBe(true);
            }
            for (const row of counted) {
              expect(tabIssues.some((i) => i.row === row && i.code === 'missing_column')).toBe(true);
            }
          }
        }

        // Accepted rows only reference accepted rows.
        const partnerIds = new Set(result.model.partners.map((p) => p.partnerId));
        const measureIds = new Set(result.model.measures.map((m) => m.measureId));
        for (const m of result.model.measures)
          for (const p of m.partners) expect(partnerIds.has(p)).toBe(true);
        for (const a of result.model.activities) {
          expect(measureIds.has(a.measureId)).toBe(true);
          for (const p of a.partners) expect(partnerIds.has(p)).toBe(true);
        }
        // IDs of accepted rows are unique.
        expect(partnerIds.size).toBe(result.model.partners.length);
        expect(measureIds.size).toBe(result.model.measures.length);
      }),
      { numRuns: NUM_RUNS },
    );
  });
});
