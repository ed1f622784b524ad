/**
 * The mass-deletion guard's decision (shared/deletionGuard.ts), its setting 删除确认比例 as the 设置
 * tab spells it, its sentence, and what the generated tabs say of a held deletion. The property
 * test compares the integer decision with exact rational arithmetic (BigInt), so a share that is
 * exactly 删除确认比例 — 11 of 55 at 20 % — is held, never lost to a rounding error.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DELETION_GUARD_PERCENT,
  DEFAULT_DELETION_GUARD_ROWS,
  deletionGuardOf,
  deletionNeedsConfirmation,
  pendingDeletionSentence,
} from '../../shared/deletionGuard';
import { computeStats } from '../../shared/stats';
import {
  PENDING_DELETION_CODE,
  PENDING_DELETION_KEY,
  summaryStatuses,
  summaryTables,
} from '../../shared/summary';
import { validateWorkbook } from '../../shared/validate';
import type { CellValue, RawWorkbook } from '../../shared/workbook';

describe('when a deletion waits for confirmation', () => {
  const held = (deleting: number, stored: number, percent = 20, rows = 10) =>
    deletionNeedsConfirmation(deleting, stored, { percent, rows });

  it('holds exactly 20 % when that is more than 10 rows, and not a row less', () => {
    expect(held(11, 55)).toBe(true); // 11 / 55 = 20 % exactly
    expect(held(11, 56)).toBe(false); // 19.6 %
    expect(held(12, 60)).toBe(true);
    expect(held(11, 54)).toBe(true);
  });

  it('needs more than 10 rows: 10 never waits, 11 does', () => {
    expect(DEFAULT_DELETION_GUARD_ROWS).toBe(10);
    expect(held(10, 11)).toBe(false); // 91 % but only 10 rows
    expect(held(10, 50)).toBe(false);
    expect(held(11, 50)).toBe(true);
    expect(held(11, 12)).toBe(true);
  });

  it('holds the deletion of every row of a tab that had any, however few', () => {
    expect(held(1, 1)).toBe(true);
    expect(held(3, 3)).toBe(true);
    expect(held(10, 10)).toBe(true);
    expect(held(2, 3)).toBe(false);
  });

  it('an empty tab, or nothing deleted, never waits', () => {
    expect(held(0, 0)).toBe(false);
    expect(held(0, 40)).toBe(false);
  });

  it('follows the setting: 0 % holds any deletion over 10 rows, 100 % only a whole tab', () => {
    expect(held(11, 100_000, 0)).toBe(true);
    expect(held(10, 100_000, 0)).toBe(false);
    expect(held(99, 100, 100)).toBe(false);
    expect(held(100, 100, 100)).toBe(true);
    expect(held(25, 200, 12.5)).toBe(true); // 12.5 % exactly
    expect(held(24, 200, 12.5)).toBe(false);
    // The row floor is a setting too: 0 rows holds 20 % of a small tab, 100 lets 100 rows go.
    expect(held(2, 10, 20, 0)).toBe(true);
    expect(held(1, 10, 20, 0)).toBe(false);
    expect(held(100, 200, 20, 100)).toBe(false);
    expect(held(101, 200, 20, 100)).toBe(true);
  });

  it('equals the rule in exact arithmetic, and more deleted never waits less', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 0, max: 10_000 }), // percent × 100: two decimals
        (a, b, hundredths) => {
          const stored = Math.max(a, b);
          const deleting = Math.min(a, b);
          const percent = hundredths / 100;
          // deleting / stored ≥ hundredths / 10,000, cross-multiplied in BigInt.
          const share = BigInt(deleting) * 10_000n >= BigInt(hundredths) * BigInt(stored);
          const expected = stored > 0 && deleting > 0 && (deleting === stored || (deleting > 10 && share));
          const guard = { percent, rows: 10 };
          expect(deletionNeedsConfirmation(deleting, stored, guard)).toBe(expected);
          if (expected && deleting < stored) {
            expect(deletionNeedsConfirmation(deleting + 1, stored, guard)).toBe(true);
          }
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('a deletion of exactly 删除确认比例 is held, one row fewer is not (over 10 rows)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 1, max: 1_000 }), (percent, k) => {
        // percent % of 100·k records is percent·k of them, exactly.
        const stored = 100 * k;
        const exact = percent * k;
        const guard = { percent, rows: DEFAULT_DELETION_GUARD_ROWS };
        fc.pre(exact - 1 > guard.rows && exact < stored);
        expect(deletionNeedsConfirmation(exact, stored, guard)).toBe(true);
        expect(deletionNeedsConfirmation(exact - 1, stored, guard)).toBe(false);
      }),
      { numRuns: 1_000 },
    );
  });
});

describe('设置 → 删除确认比例 and 删除确认行数', () => {
  const settingsWith = (value: CellValue, key = '删除确认比例') => {
    const workbook: RawWorkbook = {
      tabs: [
        {
          name: '设置',
          header: ['项目', '值'],
          rows: [
            { row: 2, cells: ['计划年度', 2026] },
            ...(value === null ? [] : [{ row: 3, cells: [key, value] }]),
          ],
        },
        { name: '活动', header: ['日期', '关联事项', '活动名称'], rows: [] },
      ],
    };
    const result = validateWorkbook(workbook, { asOf: '2026-06-30' });
    const { percent, rows } = deletionGuardOf(result.model.settings);
    return { percent, rows, issues: result.issues.filter((i) => i.tab === 'settings') };
  };

  it('default to 20 % and 10 rows', () => {
    expect(DEFAULT_DELETION_GUARD_PERCENT).toBe(20);
    expect(settingsWith(null)).toEqual({ percent: 20, rows: 10, issues: [] });
  });

  it('删除确认行数 is a whole number of rows', () => {
    expect(settingsWith(0, '删除确认行数').rows).toBe(0);
    expect(settingsWith('50', 'Deletion guard rows').rows).toBe(50);
    expect(settingsWith(2.5, '删除确认行数')).toMatchObject({
      rows: 10,
      issues: [{ code: 'not_integer', field: 'deletionGuardRows' }],
    });
    expect(settingsWith(-1, '删除确认行数')).toMatchObject({
      rows: 10,
      issues: [{ code: 'negative_number', field: 'deletionGuardRows' }],
    });
  });

  it('reads a percentage as typed, as a percentage cell stores it, or as a plain number', () => {
    expect(settingsWith('30%').percent).toBe(30);
    expect(settingsWith('３０％').percent).toBe(30);
    expect(settingsWith(0.3).percent).toBe(30); // a cell formatted 30% holds 0.3
    expect(settingsWith(30).percent).toBe(30);
    expect(settingsWith('12.5%').percent).toBe(12.5);
    expect(settingsWith('0%').percent).toBe(0);
    expect(settingsWith(1).percent).toBe(100);
  });

  it('refuses what is no share, keeping 20 %', () => {
    for (const bad of ['150%', 'abc', -5, '-1%']) {
      const { percent, issues } = settingsWith(bad);
      expect(percent).toBe(20);
      expect(issues).toMatchObject([{ code: 'invalid_number', field: 'deletionGuardPercent', row: 3 }]);
    }
  });
});

describe('what a held deletion says', () => {
  it('is the sentence of the issue, in Chinese and English', () => {
    expect(pendingDeletionSentence({ tab: 'activities', count: 30, total: 30 })).toEqual([
      '本次同步将删除「活动」中的 30 行（共 30 行）。如确属有意，请确认后再同步。',
      'This sync would delete 30 of the 30 rows of "活动" (Activities). If that is intended, confirm and sync again.',
    ]);
    expect(pendingDeletionSentence({ tab: 'plan', count: 12, total: 40 }, true)[0]).toBe(
      '要删除的行在确认之后有了变化，没有删除。本次同步将删除「计划」中的 12 行（共 40 行）。如确属有意，请确认后再同步。',
    );
  });

  it('汇总 and 校验 name it and say the figures still include the rows', () => {
    const workbook: RawWorkbook = {
      tabs: [
        { name: '设置', header: ['项目', '值'], rows: [{ row: 2, cells: ['计划年度', 2026] }] },
        {
          name: '计划',
          header: ['编号', '类别', '事项'],
          rows: [{ row: 2, cells: ['1', '党建共商', '事项'] }],
        },
        { name: '活动', header: ['日期', '关联事项', '活动名称'], rows: [] },
      ],
    };
    const result = validateWorkbook(workbook, { asOf: '2026-06-30' });
    const stats = computeStats(result.model, '2026-06-30');
    const pending = [{ tab: 'activities' as const, count: 30, total: 30, token: 'a'.repeat(32) }];
    const without = summaryTables(result, stats);
    const tables = summaryTables(result, stats, pending);

    expect(tables.overview.slice(0, without.overview.length)).toEqual(without.overview);
    expect(tables.overview.slice(without.overview.length)).toEqual([
      [PENDING_DELETION_KEY, expect.stringContaining('「活动」中的 30 行（共 30 行）')],
    ]);
    expect(String(tables.overview.at(-1)?.[1])).toContain('统计数字仍包含这些行');
    expect(without.overview.some((row) => row[0] === PENDING_DELETION_KEY)).toBe(false);

    const first = tables.validation[1] ?? [];
    expect(first.slice(0, 5)).toEqual(['活动', null, null, '警告', PENDING_DELETION_CODE]);
    expect(String(first[5])).toContain(
      '本次同步将删除「活动」中的 30 行（共 30 行）。如确属有意，请确认后再同步。',
    );
    expect(String(first[5])).toContain('统计数字仍包含这些行');
    // The issues follow, and each severity fill still lands on its own row.
    expect(tables.validation.slice(2)).toEqual(without.validation.slice(1));
    const statuses = summaryStatuses(result, stats, pending).validation ?? [];
    expect(statuses[0]).toEqual({ row: 1, column: 3, status: 'warning' });
    for (const cell of statuses) expect(tables.validation[cell.row]?.[cell.column]).toBeTruthy();
    expect(statuses).toHaveLength(tables.validation.length - 1);
  });
});
