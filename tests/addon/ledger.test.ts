/**
 * 生成活动台账 (sheets-addon/src/ledger.ts, Ledger.html): the bundled add-on in a vm with the fake
 * Apps Script services (fakes.ts), as uploadEvidence.test.ts runs it.
 * - The menu item opens the dialog with the sheet's partner units; the dialog's fields become the
 *   route's body (empty dates left out: the server's default, the plan year so far), checked with
 *   the route's own schema; the answer becomes 「正在生成，完成后将发送下载链接到您的邮箱」.
 * - A bad date is refused before any request; a refusal shows the server's own sentence.
 * - The dialog in headless Chromium: what it sends, and what it shows, as text.
 * The route itself, against the emulators, is tests/functions/ledgers/ledgerRoute.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerRequest, LedgerResponse } from '../../shared/api';
import { launchChromium } from '../support/chromium';
import { FakeServices } from './fakes';

const ROOT = resolve(import.meta.dirname, '../..');
const API_URL = 'https://api.example.cn/gongjian';
const PLAN_ID = 'xx-2026';

let outdir: string;
let code: string;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'gongjian-addon-ledger-'));
  execFileSync(process.execPath, ['scripts/build-addon.mjs', '--outdir', outdir], {
    cwd: ROOT,
    stdio: 'pipe',
  });
  code = readFileSync(join(outdir, 'Code.js'), 'utf8');
});
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function load() {
  const services = new FakeServices({ htmlDir: outdir });
  const context = vm.createContext(services.globals(), { codeGeneration: { strings: false, wasm: false } });
  vm.runInContext(code, context, { filename: 'Code.js' });
  const call = <T>(name: string, ...args: unknown[]) => (context[name] as (...a: unknown[]) => T)(...args);
  call('initSheets');
  call('saveSettings', { apiUrl: API_URL, planId: PLAN_ID });
  const partners = services.spreadsheet.sheet('共建单位');
  partners.setValue(2, 1, 'P01');
  partners.setValue(2, 2, '第一小学');
  return { services, call };
}

const ANSWER = LedgerResponse.parse({
  planId: PLAN_ID,
  jobId: 'job-123456',
  from: '2026-01-01',
  to: '2026-06-15',
  partnerId: 'P01',
  mailTo: 'staff@example.cn',
  duplicate: false,
});

describe('生成活动台账', () => {
  it('is on the menu, offers the sheet’s partner units, sends the route’s body and says the link will be emailed', () => {
    const { services, call } = load();
    call('onOpen');
    expect(
      services.menus.flatMap((menu) => menu.items.map((item) => (item === 'separator' ? '' : item.caption))),
    ).toContain('生成活动台账');
    call('showLedger');
    const dialog = services.dialogs.at(-1);
    expect(dialog?.title).toBe('生成活动台账');
    expect(dialog?.output.payload()).toEqual({ partners: [{ id: 'P01', name: '第一小学' }] });

    services.respond = () => ({ status: 202, body: ANSWER });
    const lines = call<string[]>('generateLedger', { from: '', to: ' 2026-06-15 ', partner: '第一小学' });
    const request = services.requests.at(-1);
    expect(request?.url).toBe(`${API_URL}/v1/plans/${PLAN_ID}/ledger`);
    const body = JSON.parse(request?.params.payload ?? '{}');
    expect(body).toEqual({ to: '2026-06-15', partner: '第一小学' });
    expect(LedgerRequest.parse(body)).toEqual(body);
    expect(lines[0]).toContain('正在生成，完成后将发送下载链接到您的邮箱');
    expect(lines.join('')).toContain('2026-01-01 至 2026-06-15');
  });

  it('refuses an impossible period before sending, and shows the server’s sentence for an unknown partner', () => {
    const { services, call } = load();
    const sent = services.requests.length;
    expect(() => call('generateLedger', { from: '2026-07-01', to: '2026-06-01' })).toThrow(
      '起始日期不晚于截止日期',
    );
    expect(() => call('generateLedger', { from: '2026-02-30' })).toThrow('YYYY-MM-DD');
    expect(services.requests).toHaveLength(sent);
    services.respond = () => ({
      status: 404,
      body: { error: { code: 'unknown_partner', message: '计划中没有编号或名称为「P9」的共建单位' } },
    });
    expect(() => call('generateLedger', { partner: 'P9' })).toThrow('计划中没有编号或名称为「P9」的共建单位');
  });

  it('the dialog sends its fields and shows a refusal and the answer as text (headless Chromium)', async () => {
    const { call, services } = load();
    call('showLedger');
    // The first request is refused, the second taken.
    const html = (services.dialogs.at(-1)?.output.getContent() ?? '')
      .replace(/<link rel="stylesheet"[^>]*>/, '')
      .replace(
        '<head>',
        `<head><script>
          window.sent = [];
          var handlers = {};
          var run = {
            withSuccessHandler(f) { handlers.ok = f; return run; },
            withFailureHandler(f) { handlers.fail = f; return run; },
            generateLedger(form) {
              window.sent.push(form);
              if (window.sent.length === 1) handlers.fail(new Error('计划中没有「<b>P9</b>」'));
              else handlers.ok(['正在生成，完成后将发送下载链接到您的邮箱（<b>x</b>）。']);
            },
          };
          window.google = { script: { run: run, host: { close() {} } } };
        </script>`,
      );
    const seen = `({
      sent: window.sent,
      bold: document.querySelectorAll('b').length,
      status: document.getElementById('status').textContent,
      refused: document.getElementById('status').className === 'error',
      buttonOff: document.getElementById('generate').disabled,
    })`;
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 812 } });
      await page.setContent(html);
      expect(await page.getAttribute('#partners option', 'value')).toBe('P01');
      await page.fill('#from', '2026-03-01');
      await page.fill('#partner', 'P9');
      await page.click('#generate');
      await page.waitForFunction(`document.getElementById('status').textContent.includes('P9')`);
      expect(await page.evaluate(seen)).toMatchObject({
        bold: 0,
        status: '计划中没有「<b>P9</b>」',
        refused: true,
        buttonOff: false,
      });
      await page.fill('#partner', 'P01');
      await page.click('#generate');
      await page.waitForFunction(`document.getElementById('status').textContent.includes('正在生成')`);
      // Taken: the ledger is on its way, so the button stays off rather than build it twice.
      expect(await page.evaluate(seen)).toEqual({
        sent: [
          { from: '2026-03-01', to: '', partner: 'P9' },
          { from: '2026-03-01', to: '', partner: 'P01' },
        ],
        bold: 0,
        status: '正在生成，完成后将发送下载链接到您的邮箱（<b>x</b>）。',
        refused: false,
        buttonOff: true,
      });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
