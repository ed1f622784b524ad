/**
 * The ledger model (shared/ledger.ts) and the summary's photo choice (shared/report.ts): which
 * activities, in which order, which fields say what (blank where the row is blank), which photos.
 */
import { describe, expect, it } from 'vitest';
import type { ReportBlock } from '../../shared/document';
import { buildLedger, defaultLedgerScope } from '../../shared/ledger';
import { buildYearReport } from '../../shared/report';
import { computeStats } from '../../shared/stats';
import { activity, measure, model, partner } from '../support/model';

const plan = model({
  partners: [
    partner({ partnerId: 'P1', name: '第一中学' }),
    partner({ partnerId: 'P2', name: '供电公司', row: 3 }),
  ],
  measures: [
    measure({ measureId: 'M1', title: '文明礼仪进校园', category: 'civility' }),
    measure({ measureId: 'M2', title: '老旧小区改造', category: 'practicalMatters', row: 3 }),
  ],
  activities: [
    activity({
      activityId: 'A3',
      date: '2026-05-01',
      title: '五月活动',
      measureId: 'M2',
      partners: ['P2'],
      row: 4,
    }),
    activity({
      activityId: 'A1',
      date: '2026-03-01',
      title: '礼仪课堂',
      partners: ['P1', 'P2'],
      location: '社区礼堂',
      participants: 30,
      beneficiaries: 60,
      hours: 12.5,
      funds: 800,
      recorder: '王芳',
      notes: '学生表演',
      row: 2,
    }),
    activity({ activityId: 'A2', date: '2026-03-01', title: '同日第二场', participants: 0, row: 3 }),
    activity({ activityId: 'A4', date: '2026-04-01', title: '计划中', status: 'planned', row: 5 }),
    activity({ activityId: 'A5', date: '2026-04-02', title: '待审核', status: 'pending', row: 6 }),
    activity({ date: '2026-07-01', title: '没有编号', row: 7 }),
  ],
});

const records = (blocks: ReportBlock[]) => blocks.flatMap((b) => (b.type === 'record' ? [b] : []));
const field = (block: Extract<ReportBlock, { type: 'record' }> | undefined, label: string) =>
  block?.fields.find((f) => f.label === label)?.value;

describe('the ledger model', () => {
  const photos = new Map([
    ['A1', ['1.jpg', '2.jpg', '3.jpg']],
    ['A4', ['1.jpg']],
  ]);
  const ledger = buildLedger(plan, { from: '2026-01-01', to: '2026-12-31' }, photos);

  it('holds the done activities of the period in date order, sheet order within a day', () => {
    expect(records(ledger.blocks).map((r) => field(r, '活动名称'))).toEqual([
      '礼仪课堂',
      '同日第二场',
      '五月活动',
      '没有编号',
    ]);
    expect(ledger.activities).toBe(4);
    const period = buildLedger(plan, { from: '2026-03-02', to: '2026-06-30' }, photos);
    expect(records(period.blocks).map((r) => field(r, '活动名称'))).toEqual(['五月活动']);
  });

  it('fills each 活动记录表 from the row, and leaves a blank row blank (not zero)', () => {
    const [first, second] = records(ledger.blocks);
    expect(first?.fields.map((f) => f.label)).toEqual([
      '活动名称',
      '时间',
      '地点',
      '关联事项',
      '组织/参与单位',
      '参与人数',
      '受益人数',
      '服务时长',
      '投入资金',
      '记录人',
      '记录编号',
      '活动内容/备注',
    ]);
    expect(field(first, '时间')).toBe('2026年3月1日');
    expect(field(first, '地点')).toBe('社区礼堂');
    expect(field(first, '关联事项')).toBe('M1 文明礼仪进校园');
    expect(field(first, '组织/参与单位')).toBe('第一中学、供电公司');
    expect(field(first, '参与人数')).toBe('30人');
    expect(field(first, '服务时长')).toBe('12.5小时');
    expect(field(first, '投入资金')).toBe('800元');
    expect(field(first, '记录人')).toBe('王芳');
    expect(field(first, '活动内容/备注')).toBe('学生表演');
    expect(field(second, '参与人数')).toBe('0人');
    expect(field(second, '受益人数')).toBe('');
    expect(field(second, '地点')).toBe('');
    expect(field(second, '记录人')).toBe('');
  });

  it('follows each record with its photos, two to a row, captioned; counts them on the cover', () => {
    const i = ledger.blocks.findIndex((b) => b.type === 'record' && field(b, '活动名称') === '礼仪课堂');
    const next = ledger.blocks[i + 1];
    expect(next?.type).toBe('photos');
    if (next?.type !== 'photos') return;
    expect(next.columns).toBe(2);
    expect(next.photos).toEqual([
      { activityId: 'A1', file: '1.jpg', caption: '礼仪课堂（1/3）' },
      { activityId: 'A1', file: '2.jpg', caption: '礼仪课堂（2/3）' },
      { activityId: 'A1', file: '3.jpg', caption: '礼仪课堂（3/3）' },
    ]);
    // A4 is planned, not done: its photo is not in the ledger.
    expect(ledger.photos).toBe(3);
    const cover = ledger.blocks
      .flatMap((b) => (b.type === 'paragraph' ? [b.runs.map((r) => r.text).join('')] : []))
      .join('\n');
    expect(cover).toContain('2026年1月1日至2026年12月31日');
    expect(cover).toContain(
      '已完成活动4次，照片3张；参与30人次，受益60人次，志愿服务12.5小时，投入资金800元',
    );
  });

  it('lists every activity in the contents: date, activity, measure, partner units, people', () => {
    const contents = ledger.blocks.find((b) => b.type === 'table');
    expect(contents?.type === 'table' && contents.rows[0]).toEqual([
      '1',
      '2026-03-01',
      '礼仪课堂',
      'M1 文明礼仪进校园',
      '第一中学、供电公司',
      '30',
    ]);
  });

  it('keeps one unit’s activities under --partner and names it on the cover', () => {
    const one = buildLedger(plan, { from: '2026-01-01', to: '2026-12-31', partnerId: 'P2' }, photos);
    expect(records(one.blocks).map((r) => field(r, '活动名称'))).toEqual(['礼仪课堂', '五月活动']);
    const first = one.blocks[0];
    expect(first?.type === 'paragraph' && first.runs[0]?.text).toBe('共建单位：供电公司');
  });

  it('defaults to the plan year so far, or the whole year once it is over', () => {
    expect(defaultLedgerScope(2026, '2026-06-30')).toEqual({ from: '2026-01-01', to: '2026-06-30' });
    expect(defaultLedgerScope(2026, '2027-02-01')).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(defaultLedgerScope(2026, '2025-12-01')).toEqual({ from: '2026-01-01', to: '2026-01-01' });
  });
});

describe('the year-end summary’s photo per category', () => {
  const many = model({
    measures: plan.measures,
    activities: [
      activity({ activityId: 'B1', title: '人最多但无照片', participants: 100, row: 2 }),
      activity({ activityId: 'B2', title: '有照片人较少', participants: 20, row: 3 }),
      activity({ activityId: 'B3', title: '有照片人更多', participants: 40, row: 4 }),
      activity({ activityId: 'B4', title: '另一类', measureId: 'M2', participants: 5, row: 5 }),
    ],
  });
  const photosOf = (photos: Map<string, string[]>) =>
    buildYearReport(many, computeStats(many, '2026-12-31'), photos).blocks.flatMap((b) =>
      b.type === 'photos' ? b.photos : [],
    );

  it('shows the first photo of the category’s activity with the most people that has one', () => {
    const shown = photosOf(
      new Map([
        ['B2', ['1.jpg']],
        ['B3', ['2.jpg', '10.jpg']],
        ['B4', ['1.jpg']],
      ]),
    );
    expect(shown.map((p) => [p.activityId, p.file])).toEqual([
      ['B4', '1.jpg'], // 实事共办 comes before 文明共创 in §3's order
      ['B3', '2.jpg'],
    ]);
    expect(shown[1]?.caption).toBe('3月1日“有照片人更多”现场照片');
  });

  it('shows none where no activity of the category has a photo', () => {
    expect(photosOf(new Map())).toEqual([]);
    expect(photosOf(new Map([['B4', ['1.jpg']]])).map((p) => p.activityId)).toEqual(['B4']);
  });
});
