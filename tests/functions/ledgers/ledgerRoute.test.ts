/**
 * The ledger through the API (issue 20 item 3): `POST /v1/plans/{id}/ledger` answers 202 at once,
 * the job document's creation fires the real trigger (the emulator delivers it through the bridge,
 * as in the local stack), the build stores `plans/{planId}/ledgers/{jobId}.docx` in the Storage
 * emulator and queues a `ledgerReady` email whose link downloads it from the form function; the
 * document says what `gongjian ledger` says on the same plan; a stranger is refused, a wrong mac
 * opens nothing, a retry builds once. The email is looked at in Chromium at a phone's width.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCsvFolder } from '../../../adapters/workbook/csv';
import { writeXlsx } from '../../../adapters/workbook/xlsx';
import { createApi } from '../../../functions/src/http/api';
import { mailDocId } from '../../../functions/src/mail/message';
import { CloudPhotoStore, ledgerObjectName } from '../../../functions/src/requests/cloudPhotoStore';
import { installRuntime, type Runtime } from '../../../functions/src/runtime';
import { ledgerJobRef } from '../../../functions/src/store/paths';
import { syncPlan } from '../../../functions/src/sync/syncPlan';
import { LedgerResponse } from '../../../shared/api';
import { emailKey } from '../../../shared/emails/email';
import type { RawWorkbook } from '../../../shared/workbook';
import { TRIGGERS } from '../../../stack/stack';
import { gongjian } from '../../cli/run-cli';
import { launchChromium } from '../../support/chromium';
import { pinnedClock } from '../../support/clock';
import { type FakeSheets, startFakeSheets } from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator, useFunctionsEnvironment } from '../../support/firestore';
import { answerOf, apiRequest } from '../../support/http';
import { phoneJpeg } from '../../support/phonePhotos';
import { testRuntime } from '../../support/runtime';
import { useStorageEmulator } from '../../support/storage';
import { NOW, planWorkbook, seedPlan, TOKEN } from '../requests/fixture';

const emulator = useFirestoreEmulator('ledger-route', { triggers: TRIGGERS });
const storage = useStorageEmulator('ledger-route');
let fake: FakeSheets;
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  useFunctionsEnvironment(emulator.projectId);
  fake = await startFakeSheets({ token: TOKEN });
  let handle: Runtime['form'] | undefined;
  server = createServer((req, res) => void handle?.(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  runtime = testRuntime(emulator, {
    env: { GONGJIAN_FORM_URL: base, FIREBASE_STORAGE_EMULATOR_HOST: storage.host },
    sheets: { rootUrl: fake.rootUrl, token: TOKEN },
    clock: pinnedClock(NOW),
  });
  handle = runtime.form;
  // The trigger builds with the runtime of this process, as on Cloud Functions and in the stack.
  installRuntime(runtime);
}, 90_000);
afterAll(async () => {
  // Trigger handlers finish with the runtime they started on before it closes.
  await emulator.bridge.idle();
  installRuntime(undefined);
  if (server) await new Promise((resolve) => server.close(resolve));
  await runtime?.close();
  await fake?.stop();
});

/** The runtime's API with "Bearer <email>" as the identity (auth.test.ts tests the verifier). */
function ask(planId: string, caller: string, body: unknown) {
  const api = createApi({
    store: runtime.store,
    verifyIdentity: async (header) => ({ email: header?.slice('Bearer '.length) ?? '', viaDevToken: false }),
    admins: [],
    maxBodyBytes: 1 << 20,
    now: () => NOW,
    sleep: async () => {},
    ledgers: { db: runtime.db, output: runtime.ledgers.output },
  });
  return answerOf(api, apiRequest('POST', `/v1/plans/${planId}/ledger`, { body, caller }));
}

let plans = 0;
/** A Sheets plan with two photos on A1 in Cloud Storage, where the form and the add-on put them. */
async function planWithPhotos(): Promise<{ planId: string; photos: Buffer[] }> {
  const planId = `ledger-${++plans}`;
  await seedPlan(runtime, fake, planId);
  const photos = [await phoneJpeg(1200, 800), await phoneJpeg(600, 900)];
  const store = new CloudPhotoStore({ db: runtime.db, bucket: () => storage.bucket(), formUrl: base });
  await store.put(planId, { kind: 'sheets', spreadsheetId: `sheet-${planId}` }, 'A1', photos);
  return { planId, photos };
}

/** The queued email of a job, once the build has queued it. */
function mailOf(planId: string, jobId: string) {
  return eventually(
    async () => {
      const doc = await runtime.db
        .collection('mail')
        .doc(mailDocId(emailKey('ledgerReady', planId, jobId)))
        .get();
      return doc.exists
        ? (doc.data() as { message: { text: string; html: string; subject: string } })
        : undefined;
    },
    {
      timeoutMs: 90_000,
      what: `the ledgerReady email (bridge: ${emulator.logs.bridge.slice(-5).join(' | ')})`,
    },
  );
}

/** The text of a .docx's body: every w:t run, in order. */
function documentText(docx: Uint8Array): string {
  const xml = new TextDecoder().decode(unzipSync(docx)['word/document.xml']);
  return [...xml.matchAll(/<w:t(?: [^>]*)?>([^<]*)<\/w:t>/g)].map((m) => m[1]).join('');
}

describe('POST /v1/plans/{planId}/ledger', () => {
  it('answers 202, builds from the trigger into Cloud Storage and emails a link that downloads the CLI’s document', async () => {
    const { planId } = await planWithPhotos();
    const answer = await ask(planId, 'owner@example.cn', {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const body = LedgerResponse.parse(answer.body);
    expect(body).toMatchObject({
      from: '2026-01-01',
      to: '2026-06-15',
      duplicate: false,
      mailTo: 'owner@example.cn',
    });

    const mail = await mailOf(planId, body.jobId);
    expect(mail.message.subject).toContain('活动台账已生成');
    const job = (await ledgerJobRef(runtime.db, planId, body.jobId).get()).data();
    expect(job).toMatchObject({ state: 'done', activities: 2, photos: 2 });
    const [exists] = await storage.bucket().file(ledgerObjectName(planId, body.jobId)).exists();
    expect(exists).toBe(true);

    const link = new RegExp(`${base}/l/${planId}/${body.jobId}/[A-Za-z0-9_-]{43}`).exec(
      mail.message.text,
    )?.[0];
    expect(link, mail.message.text).toBeDefined();
    const download = await fetch(link as string);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('attachment');
    const docx = new Uint8Array(await download.arrayBuffer());
    const parts = unzipSync(docx);
    const media = Object.keys(parts).filter(
      (name) => name.startsWith('word/media/') && name.endsWith('.jpg'),
    );
    expect(media).toHaveLength(2);

    // `gongjian ledger` on the same plan (the workbook as CSV files, the same photos beside it).
    const folder = mkdtempSync(join(tmpdir(), 'gongjian-ledger-route-'));
    const workbook = join(folder, 'plan');
    await writeCsvFolder(workbook, csvTabs(planWorkbook()));
    const stored = await Promise.all(
      [1, 2].map(
        async (n) => (await storage.bucket().file(`plans/${planId}/evidence/A1/${n}.jpg`).download())[0],
      ),
    );
    mkdirSync(join(workbook, '佐证材料', 'A1'), { recursive: true });
    for (const [i, bytes] of stored.entries())
      writeFileSync(join(workbook, '佐证材料', 'A1', `${i + 1}.jpg`), bytes);
    const out = join(folder, 'cli.docx');
    const run = gongjian(['ledger', workbook, '--from', '2026-01-01', '--to', '2026-06-15', '--out', out]);
    expect(run.code, run.stderr).toBe(0);
    const cliText = documentText(readFileSync(out));
    expect(cliText).toContain('敬老义诊');
    expect(documentText(docx)).toBe(cliText);

    // The email at a phone's width: nothing wider than the screen, the button opens the link.
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
      await page.setContent(mail.message.html);
      await page.screenshot({ path: join(folder, 'ledger-email-375.png'), fullPage: true });
      const button = page.locator('a', { hasText: '下载活动台账' }).first();
      expect(await button.getAttribute('href')).toBe(link);
      expect((await button.boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(40);
      expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      expect(await page.textContent('body')).toContain('照片');
    } finally {
      await browser.close();
    }
  }, 240_000);

  it('refuses a stranger (not the owner or an editor) and an unknown partner, queuing nothing', async () => {
    const { planId } = await planWithPhotos();
    const stranger = await ask(planId, 'viewer@example.cn', {});
    expect([stranger.status, (stranger.body.error as { code: string }).code]).toEqual([403, 'not_editor']);
    const partner = await ask(planId, 'owner@example.cn', { partner: 'P9' });
    expect([partner.status, (partner.body.error as { code: string }).code]).toEqual([404, 'unknown_partner']);
    const late = await ask(planId, 'owner@example.cn', { from: '2026-07-01' });
    expect([late.status, (late.body.error as { code: string }).code]).toEqual([400, 'invalid_body']);
    const jobs = await runtime.db.collection(`plans/${planId}/ledgers`).get();
    expect(jobs.size).toBe(0);
  }, 60_000);

  it('builds once for a request retried within the minute, and a wrong mac downloads nothing', async () => {
    const { planId } = await planWithPhotos();
    const body = { partner: '第一小学', to: '2026-05-31' };
    const [first, second] = await Promise.all([
      ask(planId, 'owner@example.cn', body),
      ask(planId, 'owner@example.cn', body),
    ]);
    expect([first.status, second.status]).toEqual([202, 202]);
    expect(second.body.jobId).toBe(first.body.jobId);
    expect([first.body.duplicate, second.body.duplicate].sort()).toEqual([false, true]);
    expect(first.body.partnerId).toBe('P1');
    const jobId = first.body.jobId as string;
    const mail = await mailOf(planId, jobId);
    const jobs = await runtime.db.collection(`plans/${planId}/ledgers`).get();
    expect(jobs.size).toBe(1);
    expect((await runtime.db.collection('mail').where('gongjian.planId', '==', planId).get()).size).toBe(1);
    expect((await ledgerJobRef(runtime.db, planId, jobId).get()).get('activities')).toBe(1);

    const link = new RegExp(`${base}/l/${planId}/${jobId}/[A-Za-z0-9_-]{43}`).exec(
      mail.message.text,
    )?.[0] as string;
    expect((await fetch(link)).status).toBe(200);
    const mac = link.slice(-43);
    const wrong = `${link.slice(0, -43)}${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
    const refused = await fetch(wrong);
    expect(refused.status).toBe(404);
    expect(await refused.text()).toContain('链接无效');
    // An evidence link's mac for the same ID opens no ledger (a key derived per purpose).
    const store = new CloudPhotoStore({ db: runtime.db, bucket: () => storage.bucket(), formUrl: base });
    const evidence = await store.linkOf(planId, { kind: 'sheets', spreadsheetId: 's' }, jobId);
    expect((await fetch(`${link.slice(0, -43)}${evidence.slice(-43)}`)).status).toBe(404);
  }, 240_000);
});

describe('POST /v1/plans/{planId}/ledger for a local workbook (the local stack)', () => {
  it('writes the ledger beside the .xlsx as gongjian ledger does, and the email names the file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'gongjian-ledger-local-'));
    const path = join(folder, 'plan.xlsx');
    await writeXlsx(path, csvTabs(planWorkbook()));
    mkdirSync(join(folder, '佐证材料', 'A2'), { recursive: true });
    writeFileSync(join(folder, '佐证材料', 'A2', '1.jpg'), await phoneJpeg(800, 600));
    const planId = 'ledger-local';
    await syncPlan(
      planWorkbook(),
      {
        planId,
        caller: 'owner@example.cn',
        now: NOW,
        existing: undefined,
        workbookLocation: { kind: 'xlsx', path },
        clock: pinnedClock(NOW),
      },
      runtime.store,
    );
    // The statistics trigger writes its tabs into the .xlsx: let it finish before the CLI reads it.
    await eventually(async () => (await runtime.db.doc(`plans/${planId}/stats/current`).get()).exists, {
      timeoutMs: 60_000,
      what: 'the local plan’s statistics',
    });
    await emulator.bridge.idle();
    const answer = await ask(planId, 'owner@example.cn', {});
    expect(answer.status, JSON.stringify(answer.body)).toBe(202);
    const mail = await mailOf(planId, answer.body.jobId as string);
    const out = join(folder, 'plan-活动台账.docx');
    expect(mail.message.text).toContain(`文件已保存在本机工作簿旁：${out}`);
    expect(mail.message.html).not.toContain('下载活动台账');
    const built = readFileSync(out);
    expect(Object.keys(unzipSync(built)).filter((name) => name.startsWith('word/media/'))).toHaveLength(1);

    const cli = join(folder, 'cli.docx');
    const run = gongjian(['ledger', path, '--from', '2026-01-01', '--to', '2026-06-15', '--out', cli]);
    expect(run.code, run.stderr).toBe(0);
    expect(documentText(built)).toBe(documentText(readFileSync(cli)));
  }, 240_000);
});

/** A workbook's tabs as the CSV and .xlsx writers take them. */
function csvTabs(workbook: RawWorkbook) {
  return workbook.tabs.map((tab) => ({
    name: tab.name,
    header: tab.header.map((cell) => String(cell ?? '')),
    rows: tab.rows.map((row) => row.cells),
  }));
}
