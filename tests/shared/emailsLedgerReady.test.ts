/**
 * The ledgerReady email (§7, §11): the download link as a button with the counts; the local
 * stack's file path as text (no button: a path is no http(s) link); a failure as a short Chinese
 * notice; one key per job whichever way it ended; text from the sheet and the error escaped.
 */
import { describe, expect, it } from 'vitest';
import { renderLedgerReady } from '../../shared/emails/ledgerReady';
import { model, partner, settings } from '../support/model';

const SCRIPT = '<script>alert(1)</script>';
const plan = model({
  settings: settings({ community: `幸福${SCRIPT}社区` }),
  partners: [partner({ partnerId: 'P01', name: '第一中学' })],
});
const base = { planId: 'p1', model: plan, jobId: 'job-1', to: ['staff@example.cn', 'not an address'] };
const built = {
  ok: true as const,
  from: '2026-01-01',
  to: '2026-06-15',
  activities: 1234,
  photos: 2000,
  skipped: 2,
};
const URL = 'https://form.example.cn/l/p1/job-1/' + 'k'.repeat(43);

describe('ledgerReady', () => {
  it('carries the download link as a button, the period and the counts, to the caller only', () => {
    const email = renderLedgerReady({
      ...base,
      outcome: { ...built, partner: '第一中学', where: { kind: 'url', url: URL } },
    });
    expect(email.kind).toBe('ledgerReady');
    expect(email.key).toBe('ledgerReady:p1:job-1');
    expect(email.to).toEqual(['staff@example.cn']);
    expect(email.subject).toContain('活动台账已生成（2026年1月1日至2026年6月15日）');
    expect(email.html).toContain(`href="${URL}"`);
    expect(email.text).toContain(URL);
    expect(email.text).toMatch(/1,234 次/);
    expect(email.text).toContain('2,000 张');
    expect(email.text).toContain('2 个文件不是可读取的 JPEG 照片');
    expect(email.text).toContain('共建单位：第一中学');
    expect(email.html).not.toContain(SCRIPT);
  });

  it('names the local file by its path, without a button', () => {
    const path = '/home/office/plan-活动台账.docx';
    const email = renderLedgerReady({
      ...base,
      outcome: { ...built, skipped: 0, where: { kind: 'file', path } },
    });
    expect(email.text).toContain(`文件已保存在本机工作簿旁：${path}`);
    expect(email.html).not.toContain('href=');
    expect(email.text).not.toContain('未放入');
  });

  it('says briefly why a build failed, under the same key', () => {
    const email = renderLedgerReady({ ...base, outcome: { ok: false, reason: `计划已删除${SCRIPT}` } });
    expect(email.key).toBe('ledgerReady:p1:job-1');
    expect(email.subject).toContain('活动台账未能生成');
    expect(email.text).toContain('您请求的活动台账未能生成：计划已删除');
    expect(email.html).not.toContain(SCRIPT);
    expect(email.html).toContain('&lt;script&gt;');
  });
});
