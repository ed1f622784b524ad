/**
 * The change log's pure part (shared/history.ts): a change per record, field by field in column
 * order, none for an unchanged record; replay; and the 变更记录 tab's rows, newest first, capped.
 */
import { describe, expect, it } from 'vitest';
import {
  type ChangeEntry,
  HISTORY_HEADERS,
  HISTORY_TAB_LIMIT,
  historyTable,
  recordChange,
  replayChanges,
} from '../../shared/history';

const before = { activityId: 'A1', title: '植树', participants: 10, partners: ['P01'], notes: '旧' };

describe('recordChange', () => {
  it('names each changed field with its old and new value, in column order, and a cleared one without new', () => {
    const after = { activityId: 'A1', title: '植树活动', participants: 12, partners: ['P01', 'P02'] };
    expect(recordChange('activities', 'A1', before, after)).toEqual({
      tab: 'activities',
      id: 'A1',
      op: 'updated',
      fields: [
        { field: 'partners', old: ['P01'], new: ['P01', 'P02'] },
        { field: 'title', old: '植树', new: '植树活动' },
        { field: 'participants', old: 10, new: 12 },
        { field: 'notes', old: '旧' },
      ],
    });
  });

  it('is nothing for the same content, and carries the record on creation and deletion', () => {
    expect(recordChange('activities', 'A1', before, { ...before })).toBeUndefined();
    expect(recordChange('activities', 'A1', undefined, before)).toMatchObject({
      op: 'created',
      data: before,
    });
    expect(recordChange('activities', 'A1', before, undefined)).toMatchObject({
      op: 'deleted',
      data: before,
    });
  });

  it('replays to the records: create, update, delete, create again', () => {
    const changes = [
      recordChange('activities', 'A1', undefined, before),
      recordChange('activities', 'A1', before, { ...before, participants: 3, notes: undefined }),
      recordChange('activities', 'A2', undefined, { title: '二' }),
      recordChange('activities', 'A2', { title: '二' }, undefined),
    ].filter((c) => c !== undefined);
    const replayed = replayChanges(changes);
    expect(replayed.activities).toEqual(
      new Map([['A1', { activityId: 'A1', title: '植树', participants: 3, partners: ['P01'] }]]),
    );
    expect(replayed.partners.size).toBe(0);
  });
});

describe('the 变更记录 tab', () => {
  const entry = (n: number): ChangeEntry => ({
    at: `2026-06-30T0${n % 10}:00:00.000Z`,
    by: 'staff@example.cn',
    source: 'sync',
    tab: 'activities',
    id: `A${n}`,
    op: 'updated',
    fields: [
      { field: 'participants', old: n, new: n + 1 },
      { field: 'title', old: '=SUM(A1)', new: '新' },
    ],
  });

  it('shows one row per field in the plan zone, user text as text, a whole record by its title', () => {
    const table = historyTable(
      [
        entry(1),
        { ...entry(2), op: 'deleted', fields: [], data: { title: '被删的活动' }, by: '张三（本地）' },
        { ...entry(3), op: 'created', fields: [], data: { title: '填报的活动' }, source: 'form' },
      ],
      'Asia/Shanghai',
    );
    expect(table[0]).toEqual([...HISTORY_HEADERS]);
    expect(table[1]).toEqual([
      '2026-06-30 09:00:00',
      'staff@example.cn',
      '同步',
      '活动',
      'A1',
      '参与人数',
      '1',
      '2',
    ]);
    expect(table[2]?.slice(5)).toEqual(['活动名称', '=SUM(A1)', '新']);
    expect(table[3]).toEqual([
      '2026-06-30 10:00:00',
      '张三（本地）',
      '同步',
      '活动',
      'A2',
      '（删除）',
      '被删的活动',
      null,
    ]);
    expect(table[4]?.slice(2)).toEqual(['填报', '活动', 'A3', '（新增）', null, '填报的活动']);
  });

  it('holds at most the latest 500 rows', () => {
    const many = Array.from({ length: 400 }, (_, i) => entry(i));
    const table = historyTable(many, 'Asia/Shanghai');
    expect(table).toHaveLength(HISTORY_TAB_LIMIT + 1);
    expect(table[1]?.[4]).toBe('A0');
  });
});
