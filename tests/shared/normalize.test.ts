/**
 * Independent, table-driven tests of SPEC §3 "Normalisation (every cell, before validation)".
 * Expected values are worked out by hand from the spec.
 */
import { describe, expect, it } from 'vitest';
import type { EnumKind } from '../../shared/columns';
import { headerKey, locateColumns, recogniseTab } from '../../shared/columns';
import {
  cellText,
  INVALID,
  isEmptyCell,
  normalizeText,
  parseDate,
  parseEnum,
  parseId,
  parseList,
  parseNumber,
} from '../../shared/normalize';
import type { CellValue } from '../../shared/workbook';

const utc = (y: number, m: number, d: number, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h, min));

describe('text', () => {
  it.each<[string, string | undefined]>([
    ['区住建局', '区住建局'],
    ['ＡＢＣ　１２３', 'ABC 123'], // NFKC: full-width letters, digits and space
    ['  a \t b\n c  ', 'a b c'],
    [' a', 'a'],
    ['a ', 'a'],
    [' P02', 'P02'],
    ['x  y', 'x y'],
    ['老年活动室\u3000\u3000加层', '老年活动室 加层'],
    ['', undefined],
    ['   ', undefined],
    ['\u3000', undefined],
    ['\n\t', undefined],
  ])('normalizeText(%j) = %j', (input, expected) => {
    expect(normalizeText(input)).toBe(expected);
    expect(cellText(input)).toBe(expected);
  });

  it.each<[CellValue, string | undefined]>([
    [null, undefined],
    [1200, '1200'],
    [4.3, '4.3'],
    [0, '0'],
    [utc(2026, 3, 5), '2026-03-05'],
  ])('cellText(%j) = %j', (input, expected) => {
    expect(cellText(input)).toBe(expected);
  });

  it.each<[CellValue, boolean]>([
    [null, true],
    ['', true],
    [' \u3000 ', true],
    ['0', false],
    [0, false],
    ['x', false],
    [utc(2026, 1, 1), false],
  ])('isEmptyCell(%j) = %j', (input, expected) => {
    expect(isEmptyCell(input)).toBe(expected);
  });
});

describe('numbers', () => {
  it.each<[CellValue, number | undefined]>([
    ['1200', 1200],
    ['1,200', 1200],
    ['1,200,300.25', 1200300.25],
    ['1200.5', 1200.5],
    ['１２００', 1200],
    ['１，２００', 1200],
    [' 12 ', 12],
    [' 12', 12],
    ['12 ', 12],
    ['0', 0],
    ['-5', -5],
    ['0.5', 0.5],
    [1200, 1200],
    [0.1 + 0.2, 0.1 + 0.2], // numeric cells as they come, no rounding
    [-3.25, -3.25],
    [null, undefined],
    ['', undefined],
    ['  ', undefined],
  ])('parseNumber(%j) = %j', (input, expected) => {
    expect(parseNumber(input)).toBe(expected);
  });

  it.each<CellValue>([
    '1,20',
    '12a',
    'abc',
    '1.2.3',
    '1,2000',
    '12,',
    '--1',
    Number.NaN,
    Infinity,
    -Infinity,
    true,
  ])('parseNumber(%j) is invalid', (input) => {
    expect(parseNumber(input)).toBe(INVALID);
  });
});

describe('dates', () => {
  // Serial numbers are days since 1899-12-30. 1970-01-01 is serial 25569 (70 years of which 17
  // are leap: 1904…1968; 70 × 365 + 17 = 25567, plus the 2 days 1899-12-30 → 1900-01-01).
  // 2026-01-01 is 56 years (14 leap: 1972…2024) after 1970: 56 × 365 + 14 = 20454 days, so
  // serial 46023. 2026-03-05 is day 31 + 28 + 4 = 63 after 1 Jan: serial 46086.
  it.each<[CellValue, string]>([
    ['2026-03-05', '2026-03-05'],
    ['2026/3/5', '2026-03-05'],
    ['2026.3.5', '2026-03-05'],
    ['2026-3-5', '2026-03-05'],
    ['2026/03/05', '2026-03-05'],
    ['2026年3月5日', '2026-03-05'],
    ['2026年3月5', '2026-03-05'],
    ['2026年03月05日', '2026-03-05'],
    ['２０２６－０３－０５', '2026-03-05'],
    ['２０２６年３月５日', '2026-03-05'],
    [' 2026-03-05 ', '2026-03-05'],
    [46086, '2026-03-05'],
    ['46086', '2026-03-05'],
    [46086.75, '2026-03-05'], // a time of day is dropped
    [46023, '2026-01-01'],
    [46387, '2026-12-31'], // 46023 + 364
    [45658, '2025-01-01'], // 46023 − 365
    [1, '1899-12-31'],
    [61, '1900-03-01'], // 1900 is not a leap year: 1 + 31 + 28 = 60 is 28 Feb
    [utc(2026, 3, 5), '2026-03-05'],
    [utc(2026, 3, 5, 23, 59), '2026-03-05'], // the UTC fields carry the wall-clock value
    [utc(2028, 2, 29), '2028-02-29'],
    ['2028-02-29', '2028-02-29'],
    ['2026-12-31', '2026-12-31'],
  ])('parseDate(%j) = %s', (input, expected) => {
    expect(parseDate(input)).toBe(expected);
  });

  it.each<CellValue>([
    '2026-02-29',
    '2026-02-30',
    '2026-13-01',
    '2026-00-10',
    '2026-01-32',
    '2026-04-31',
    'tomorrow',
    '3/5/2026',
    '2026年13月1日',
    '20260305x',
    0,
    -1,
    Number.NaN,
    Infinity,
    -Infinity,
    true,
    new Date(Number.NaN),
  ])('parseDate(%j) is invalid', (input) => {
    expect(parseDate(input)).toBe(INVALID);
  });

  it.each<CellValue>([null, '', '   '])('parseDate(%j) is empty', (input) => {
    expect(parseDate(input)).toBeUndefined();
  });

  it('a date cell beyond year 9999 is not a calendar date YYYY-MM-DD', () => {
    // Serial numbers stop at 9999-12-31; a date cell must not yield '+010000-01'.
    const parsed = parseDate(utc(10000, 1, 1));
    expect(parsed === INVALID || (typeof parsed === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(parsed))).toBe(
      true,
    );
  });

  it('a year before 100 is not moved into the 1900s', () => {
    // Date.UTC maps years 0–99 to 1900–1999; a typed 0026 must not silently become 1926.
    expect(['0026-03-05', INVALID]).toContain(parseDate('0026-03-05'));
  });

  it('every date parseDate returns is YYYY-MM-DD', () => {
    const inputs: CellValue[] = [utc(1, 1, 1), utc(9999, 12, 31), 2_958_465, '9999-12-31', '0001-01-01'];
    for (const input of inputs) {
      const parsed = parseDate(input);
      if (parsed !== INVALID && parsed !== undefined) expect(parsed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    expect(parseDate(2_958_465)).toBe('9999-12-31');
  });
});

describe('lists', () => {
  it.each<[CellValue, string[]]>([
    ['P01,P02', ['P01', 'P02']],
    ['P01，P02', ['P01', 'P02']],
    ['P01、P02', ['P01', 'P02']],
    ['P01;P02', ['P01', 'P02']],
    ['P01；P02', ['P01', 'P02']],
    ['P01\nP02', ['P01', 'P02']],
    ['P01\r\nP02', ['P01', 'P02']],
    ['P01\rP02', ['P01', 'P02']],
    ['P01, P02', ['P01', 'P02']],
    ['P01 ,P02', ['P01', 'P02']],
    ['P01、 P02 ；P03', ['P01', 'P02', 'P03']],
    ['P01、、P02、', ['P01', 'P02']],
    ['、 ；\n', []],
    ['区  住建局 、 第一 \u3000 中学', ['区 住建局', '第一 中学']],
    ['ＰＯ１、Ｐ０２', ['PO1', 'P02']],
    ['a@example.cn, b@example.cn', ['a@example.cn', 'b@example.cn']],
    ['区住建局', ['区住建局']],
    ['', []],
    ['  ', []],
    [null, []],
    [4.3, ['4.3']],
  ])('parseList(%j) = %j', (input, expected) => {
    expect(parseList(input)).toEqual(expected);
  });
});

describe('IDs', () => {
  it.each<[CellValue, string | undefined]>([
    [4.3, '4.3'],
    ['4.3', '4.3'],
    ['4.30', '4.30'],
    [4.3, '4.3'],
    [1, '1'],
    [100, '100'],
    [' P01 ', 'P01'],
    [' P01', 'P01'],
    ['Ｐ０１', 'P01'],
    ['A 0001', 'A 0001'],
    [null, undefined],
    ['', undefined],
  ])('parseId(%j) = %j', (input, expected) => {
    expect(parseId(input)).toBe(expected);
  });

  it("'4.3' and '4.30' are two IDs", () => {
    expect(parseId('4.3')).not.toBe(parseId('4.30'));
    expect(parseId(4.3)).toBe(parseId('4.3'));
  });
});

describe('enumerations', () => {
  it.each<[EnumKind, CellValue, string]>([
    ['category', '党建共商', 'partyBuilding'],
    ['category', '实事共办', 'practicalMatters'],
    ['category', 'practicalmatters', 'practicalMatters'],
    ['category', 'CIVILITY', 'civility'],
    ['category', '其它', 'other'],
    ['partnerType', '机关', 'agency'],
    ['partnerType', '机关单位', 'agency'],
    ['partnerType', '事业单位', 'agency'],
    ['partnerType', '公司', 'enterprise'],
    ['partnerType', '企业', 'enterprise'],
    ['partnerType', '村', 'village'],
    ['partnerType', '社区', 'village'],
    ['partnerType', '村社', 'village'],
    ['partnerType', 'ＳＣＨＯＯＬ', 'school'],
    ['partnerType', 'SocialOrg', 'socialOrg'],
    ['partnerType', '其它', 'other'],
    ['partnerState', '在册', 'active'],
    ['partnerState', '退出', 'inactive'],
    ['partnerState', 'INACTIVE', 'inactive'],
    ['metric', '次数', 'count'],
    ['metric', '人数', 'participants'],
    ['metric', '参与人数', 'participants'],
    ['metric', '受益人数', 'beneficiaries'],
    ['metric', '资金', 'funds'],
    ['metric', '元', 'funds'],
    ['metric', '小时', 'hours'],
    ['metric', '时长', 'hours'],
    ['metric', 'Milestone', 'milestone'],
    ['recurrence', '无', 'none'],
    ['recurrence', '一次性', 'none'],
    ['recurrence', '每季', 'quarterly'],
    ['recurrence', '季度', 'quarterly'],
    ['recurrence', '每季度', 'quarterly'],
    ['recurrence', '半年', 'halfYearly'],
    ['recurrence', '每半年', 'halfYearly'],
    ['recurrence', 'HALFYEARLY', 'halfYearly'],
    ['recurrence', '月度', 'monthly'],
    ['recurrence', ' 每月 ', 'monthly'],
    ['recurrence', '年度', 'yearly'],
    ['recurrence', '每年', 'yearly'],
    ['measureState', '完成', 'done'],
    ['measureState', '已完成', 'done'],
    ['measureState', '取消', 'cancelled'],
    ['measureState', '进行中', 'auto'],
    ['activityStatus', '完成', 'done'],
    ['activityStatus', '计划', 'planned'],
    ['activityStatus', '计划中', 'planned'],
    ['activityStatus', '待审核', 'pending'],
    ['activityStatus', '待审', 'pending'],
    ['activityStatus', '审核', 'pending'],
    ['activityStatus', 'Pending', 'pending'],
    ['activityStatus', 'Cancelled', 'cancelled'],
    ['digestFrequency', '每周', 'weekly'],
    ['digestFrequency', 'Monthly', 'monthly'],
  ])('parseEnum(%s, %j) = %s', (kind, input, expected) => {
    expect(parseEnum(kind, input)).toBe(expected);
  });

  it.each<[EnumKind, CellValue]>([
    ['category', '党建'],
    ['partnerType', '医院'],
    ['metric', 'counts'],
    ['recurrence', '每两年'],
    ['activityStatus', '已结束'],
    ['activityStatus', '计划中!'],
    ['digestFrequency', '每天'],
    ['measureState', 1],
  ])('parseEnum(%s, %j) is invalid', (kind, input) => {
    expect(parseEnum(kind, input)).toBe(INVALID);
  });

  it('an empty cell is no value', () => {
    expect(parseEnum('category', null)).toBeUndefined();
    expect(parseEnum('category', ' ')).toBeUndefined();
  });
});

describe('headers and tab names', () => {
  it.each([
    ['服务时长(小时)', '服务时长'],
    ['服务时长（小时）', '服务时长'],
    [' 服务时长 ', '服务时长'],
    ['Hours', 'hours'],
    ['HOURS', 'hours'],
    ['Ｈｏｕｒｓ', 'hours'],
    ['Paired  on', 'paired on'],
  ])('headerKey(%j) = %j', (input, expected) => {
    expect(headerKey(input)).toBe(expected);
  });

  it.each([
    ['设置', 'settings'],
    ['Settings', 'settings'],
    ['共建单位', 'partners'],
    ['PARTNERS', 'partners'],
    ['计划', 'plan'],
    [' plan ', 'plan'],
    ['活动', 'activities'],
    ['Ａｃｔｉｖｉｔｉｅｓ', 'activities'],
  ])('recogniseTab(%j) = %s', (name, key) => {
    expect(recogniseTab(name)).toBe(key);
  });

  it.each(['汇总', 'Sheet1', '活动记录', ''])('recogniseTab(%j) is none', (name) => {
    expect(recogniseTab(name)).toBeUndefined();
  });

  it('locateColumns finds Chinese and English headers in any order and ignores unknown ones', () => {
    const found = locateColumns('activities', [
      '备用',
      'Title',
      '服务时长（小时）',
      'measure',
      '日期',
      null,
      'ID',
    ]);
    expect(Object.fromEntries(found)).toEqual({ title: 1, hours: 2, measureId: 3, date: 4, activityId: 6 });
  });
});
