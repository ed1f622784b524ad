/** Which ID cells the writers may fill (shared/idWrites.ts), the write-back planner's other half. */
import { describe, expect, it } from 'vitest';
import { ID_HEADER, type IdTab, planIdWrites } from '../../shared/idWrites';
import type { CellValue } from '../../shared/workbook';

describe('planIdWrites', () => {
  /** A tab from rows of cells (sheet row 2 first): 活动名称 in column 0, 记录编号 in column 1 when `withIds`. */
  function tab(rows: CellValue[][], withIds: boolean): IdTab {
    return {
      header: withIds ? ['活动名称', ID_HEADER] : ['活动名称', '日期', '', '备注'],
      value: (row, column) => rows[row - 2]?.[column] ?? null,
      nextFreeColumn: () => Math.max(0, ...rows.map((cells) => cells.length)),
    };
  }

  it('writes only into empty ID cells of rows that still hold something', () => {
    const rows: CellValue[][] = [
      ['植树', null],
      ['义诊', 'A-7'],
      [null, null],
      ['讲座', 'A-9'],
    ];
    const plan = planIdWrites(
      [
        { row: 2, activityId: 'A-1' },
        { row: 3, activityId: 'A-2' },
        { row: 4, activityId: 'A-3' },
        { row: 5, activityId: 'A-9' },
        { row: 1, activityId: 'A-4' },
        { row: 6.5, activityId: 'A-5' },
        { row: 6, activityId: ' ' },
      ],
      tab(rows, true),
    );
    expect(plan.column).toBe(1);
    expect(plan.added).toBe(false);
    expect([...plan.writes]).toEqual([[2, 'A-1']]);
    expect(plan.skipped).toEqual([
      { row: 3, activityId: 'A-2', reason: 'occupied', existing: 'A-7' },
      { row: 4, activityId: 'A-3', reason: 'empty_row' },
      { row: 1, activityId: 'A-4', reason: 'invalid' },
      { row: 6.5, activityId: 'A-5', reason: 'invalid' },
      { row: 6, activityId: ' ', reason: 'invalid' },
    ]);
  });

  it('adds an ID column after the used ones only when an ID is written', () => {
    const rows: CellValue[][] = [['植树', '周六', null, '备注']];
    expect(planIdWrites([{ row: 2, activityId: 'A-1' }], tab(rows, false))).toEqual({
      column: 4,
      added: true,
      writes: new Map([[2, 'A-1']]),
      skipped: [],
    });
    const none = planIdWrites([{ row: 3, activityId: 'A-1' }], tab(rows, false));
    expect(none.column).toBeUndefined();
    expect(none.added).toBe(false);
  });

  it('gives a row one ID even when asked twice', () => {
    const plan = planIdWrites(
      [
        { row: 2, activityId: 'A-1' },
        { row: 2, activityId: 'A-1' },
        { row: 2, activityId: 'A-2' },
      ],
      tab([['植树']], false),
    );
    expect([...plan.writes]).toEqual([[2, 'A-1']]);
    expect(plan.skipped).toEqual([{ row: 2, activityId: 'A-2', reason: 'occupied', existing: 'A-1' }]);
  });

  it('skips every ID when there is no activities tab', () => {
    expect(planIdWrites([{ row: 2, activityId: 'A-1' }], undefined).skipped).toEqual([
      { row: 2, activityId: 'A-1', reason: 'no_tab' },
    ]);
  });
});
