/**
 * The staff's daily 待审核 list (§7, shared/emails/pendingReview.ts) as the planner plans it: one
 * mail a working day while reported rows wait, to the owner and the editors, at most ten listed
 * (the rest counted), thumbnails only for the Content-IDs it is given, every sheet value escaped.
 * 2026-07-01 is a Wednesday, 2026-07-04 a Saturday.
 */
import { describe, expect, it } from 'vitest';
import type { RenderedEmail } from '../../shared/emails/email';
import { safeContentId } from '../../shared/emails/layout';
import { PENDING_LISTED, renderPendingReview } from '../../shared/emails/pendingReview';
import { planEmails } from '../../shared/emails/plan';
import { escapeHtml } from '../../shared/markup';
import type { Activity, PlanModel } from '../../shared/model';
import { computeStats } from '../../shared/stats';
import { activity, measure, partner, settings } from '../support/model';

const WEDNESDAY = '2026-07-01';
const SATURDAY = '2026-07-04';
const HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>';

function pending(n: number, more: Partial<Activity> = {}): Activity {
  return activity({
    activityId: `R00000000${String(n).padStart(2, '0')}`,
    date: '2026-06-20',
    title: `填报活动${n}`,
    status: 'pending',
    recorder: `居民${n}（填报）`,
    partners: ['P1'],
    row: 10 + n,
    ...more,
  });
}

function model(activities: Activity[], editors = ['editor@example.cn', 'EDITOR@example.cn']): PlanModel {
  return {
    settings: settings({ community: '幸福社区', editors, reviewReports: true }),
    partners: [partner({ partnerId: 'P1', name: '第一中学', emails: ['school@example.cn'] })],
    measures: [measure({ measureId: 'M1', due: '2026-12-31' })],
    activities: [activity({ title: '已完成的活动', row: 2 }), ...activities],
  };
}

function plan(m: PlanModel, date = WEDNESDAY, owner = 'owner@example.cn') {
  return planEmails({
    planId: 'p1',
    model: m,
    stats: computeStats(m, date),
    date,
    owner,
    workbook: { kind: 'sheets', spreadsheetId: 'sheet123' },
  });
}

function reviews(m: PlanModel, date = WEDNESDAY) {
  return plan(m, date).emails.filter((e) => e.kind === 'pendingReview');
}

function only(m: PlanModel): { planned: ReturnType<typeof reviews>[number]; email: RenderedEmail } {
  const [planned, ...others] = reviews(m);
  expect(others).toEqual([]);
  if (!planned) throw new Error('expected a 待审核 list');
  return { planned, email: planned.render() };
}

describe('the 待审核 list as planned', () => {
  it('pending rows on a working day: one mail to the owner and the editors, keyed plan · day', () => {
    const { planned, email } = only(model([pending(1), pending(2)]));
    expect(planned.key).toBe(`pendingReview:p1:${WEDNESDAY}`);
    expect(email.key).toBe(planned.key);
    expect(email.to).toEqual(['owner@example.cn', 'editor@example.cn']);
    expect(email.cc).toEqual([]);
    expect(email.subject).toBe(`【待审核】幸福社区有 2 条填报活动待审核（${WEDNESDAY}）`);
    for (const text of ['填报活动1', '填报活动2', '2026-06-20', '第一中学', '居民1（填报）']) {
      expect(email.text).toContain(text);
      expect(email.html).toContain(text);
    }
    expect(email.text).not.toContain('已完成的活动');
    // The sheet's address as a button, and its Content-IDs named for whoever makes the thumbnails.
    expect(email.html).toContain('href="https://docs.google.com/spreadsheets/d/sheet123/edit"');
    expect([...(planned.thumbnails ?? new Map())]).toEqual([
      ['R0000000001', 'thumb1@gongjian.local'],
      ['R0000000002', 'thumb2@gongjian.local'],
    ]);
  });

  it('no pending rows, a day off or nobody to tell: no mail', () => {
    expect(reviews(model([]))).toEqual([]);
    expect(reviews(model([pending(1)]), SATURDAY)).toEqual([]);
    const m = model([pending(1)], []);
    expect(plan(m, WEDNESDAY, 'not an address').emails.filter((e) => e.kind === 'pendingReview')).toEqual([]);
  });

  it(`more than ${PENDING_LISTED}: the first ${PENDING_LISTED} in sheet order, the rest counted`, () => {
    // Listed in reverse to show the order is the sheet's, not the list's.
    const rows = Array.from({ length: 13 }, (_, i) => pending(i + 1)).reverse();
    const { planned, email } = only(model(rows));
    expect(email.subject).toContain('有 13 条');
    for (let n = 1; n <= 10; n++) expect(email.text).toContain(`填报活动${n}\n`);
    for (const n of [11, 12, 13]) expect(email.text).not.toContain(`填报活动${n}`);
    expect(email.text).toContain('还有 3 条待审核的活动未列出');
    expect(planned.thumbnails?.size).toBe(PENDING_LISTED);
  });

  it('draws an <img> for each thumbnail given, a placeholder for the rest', () => {
    const { planned, email: without } = only(model([pending(1), pending(2), pending(3)]));
    expect(without.html).not.toContain('<img');
    expect(without.html.match(/无照片/g)).toHaveLength(3);
    const email = planned.render(
      undefined,
      new Map([['thumb2@gongjian.local', { width: 240, height: 180 }]]),
    );
    const images = [
      ...email.html.matchAll(/<img src="cid:([^"]+)" alt="([^"]*)" width="(\d+)" height="(\d+)"/g),
    ];
    // Drawn at half its pixels: 120 × 90 CSS px for a 240 × 180 thumbnail.
    expect(images.map((m) => m.slice(1))).toEqual([['thumb2@gongjian.local', '填报活动2', '120', '90']]);
    expect(email.html.match(/无照片/g)).toHaveLength(2);
  });

  it('a hostile title and recorder are text, in the body and in the alt attribute', () => {
    const { planned } = only(model([pending(1, { title: HOSTILE, recorder: HOSTILE })]));
    const email = planned.render(
      undefined,
      new Map([['thumb1@gongjian.local', { width: 240, height: 240 }]]),
    );
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img src=x');
    expect(email.html).toContain(`alt="${escapeHtml(HOSTILE)}"`);
    expect(email.html).toContain(escapeHtml(HOSTILE));
    expect(email.html.match(/<img /g)).toHaveLength(1);
    expect(email.text).toContain(HOSTILE);
  });

  it('a local workbook is named by its path; an unsafe Content-ID draws no image', () => {
    const m = model([pending(1)]);
    const email = renderPendingReview({
      planId: 'p1',
      model: m,
      stats: computeStats(m, WEDNESDAY),
      date: WEDNESDAY,
      workbook: { kind: 'xlsx', path: '/home/staff/台账/幸福社区.xlsx' },
    });
    expect(email.text).toContain('/home/staff/台账/幸福社区.xlsx（本机上的 Excel 工作簿');
    expect(email.html).not.toContain('<a href');
    expect(safeContentId('thumb1@gongjian.local')).toBe('thumb1@gongjian.local');
    expect(safeContentId('x"><script>@a')).toBeUndefined();
    expect(safeContentId('../etc/passwd')).toBeUndefined();
  });
});
