/**
 * The form under the domain rules of issue 18 (SPEC §3, §9), over HTTP on the Firestore emulator
 * and the fake Sheets API: a figure above its plausible bound is refused beside its field with
 * nothing written, and a partner link's own unit is credited whatever was ticked.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFormHandler, socketAddress } from '../../../functions/src/http/form';
import { mintLink } from '../../../functions/src/requests/links';
import type { Runtime } from '../../../functions/src/runtime';
import { type FakeSheets, startFakeSheets } from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator } from '../../support/firestore';
import { ACTIVITY_HEADER } from '../../support/headers';
import { type FormFields, guardOf, postForm } from '../../support/http';
import { activityRows, emulatorRuntime, NOW, planWorkbook, seedPlan, TOKEN } from './fixture';

const emulator = useFirestoreEmulator('form-domain');
let fake: FakeSheets;
let runtime: Runtime;
let server: Server;
let base: string;

beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
  runtime = emulatorRuntime(emulator, fake);
  const handler = createFormHandler({
    basePath: '',
    clientAddress: socketAddress,
    db: runtime.db,
    store: runtime.store,
    now: () => NOW,
    log: () => {},
    writeRows: runtime.writeSubmissionRows,
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await runtime?.close();
  await fake?.stop();
});

/** The fixture plan with measure M3 shared by P2 (区税务局) and P1 (第一小学). */
function sharedMeasureWorkbook() {
  const workbook = planWorkbook();
  const plan = workbook.tabs.find((tab) => tab.name === '计划');
  const m3 = plan?.rows.find((row) => row.cells[0] === 'M3');
  if (!m3) throw new Error('fixture changed: no M3');
  m3.cells[5] = 'P2、P1';
  return workbook;
}

let plans = 0;
async function partnerLink(partnerId: string, email: string): Promise<{ planId: string; token: string }> {
  const planId = `form-domain-${++plans}`;
  await seedPlan(runtime, fake, planId, sharedMeasureWorkbook());
  const { token } = await mintLink(
    { db: runtime.db, now: () => NOW },
    { planId, email, name: '赵科长', scope: { kind: 'partner', partnerId }, validDays: 30 },
  );
  return { planId, token };
}

async function guardFor(token: string): Promise<string> {
  return guardOf(await (await fetch(`${base}/r/${token}`)).text());
}

const post = (token: string, fields: FormFields) => postForm(`${base}/r/${token}`, fields);

/** Everything a post could write: link uses, submissions, activity records, the plan's version. */
async function writesOf(planId: string): Promise<string> {
  const db = runtime.db;
  const [submissions, activities, plan] = await Promise.all([
    db.collection(`plans/${planId}/submissions`).get(),
    db.collection(`plans/${planId}/activities`).get(),
    runtime.store.getPlan(planId),
  ]);
  return JSON.stringify([submissions.size, activities.size, plan?.version]);
}

const PARTNERS_COLUMN = ACTIVITY_HEADER.indexOf('共建单位');

const ACTIVITY = {
  kind: 'activity',
  date: '2026-06-12',
  measureId: 'M3',
  title: '文明劝导进校园',
  participants: '40',
};

describe('plausible numbers on the form', () => {
  it('1,000,000 participants: 422, the Chinese error beside 参与人数, what was typed kept, nothing written', async () => {
    const { planId, token } = await partnerLink('P2', 'tax@example.cn');
    const guard = await guardFor(token);
    const before = await writesOf(planId);
    const rowsBefore = activityRows(fake, planId).length;
    const response = await post(token, { ...ACTIVITY, guard, participants: '1000000', partners: ['P2'] });
    expect(response.status).toBe(422);
    const page = await response.text();
    // Beside its field: inside the 参与人数 block, described by the input.
    const field = /<div class="err"><label for="f-participants">[\s\S]*?<\/div>/.exec(page)?.[0] ?? '';
    expect(field).toContain('aria-invalid="true"');
    expect(field).toContain('value="1000000"');
    expect(field).toContain('「参与人数」1000000 超出合理范围（不超过 100000）');
    expect(await writesOf(planId)).toBe(before);
    expect(activityRows(fake, planId)).toHaveLength(rowsBefore);
  });

  it('2^53+1 beneficiaries and 1e20 元 are refused too; 100,000 participants is accepted', async () => {
    const { planId, token } = await partnerLink('P2', 'tax@example.cn');
    const guard = await guardFor(token);
    const before = await writesOf(planId);
    const huge = await post(token, {
      ...ACTIVITY,
      guard,
      beneficiaries: '9007199254740993',
      funds: '100000000000000000000',
    });
    expect(huge.status).toBe(422);
    const page = await huge.text();
    expect(page).toContain('「受益人数」的数值 9007199254740993 过大');
    expect(page).toContain('「投入资金」100000000000000000000 超出合理范围（不超过 100000000）');
    expect(await writesOf(planId)).toBe(before);

    const edge = await post(token, { ...ACTIVITY, guard, participants: '100000' });
    expect(edge.status).toBe(303);
  });
});

describe("a partner link's own unit", () => {
  it('P2 ticking only P1 is credited P2 as well; ticking none, P2 alone', async () => {
    const { planId, token } = await partnerLink('P2', 'tax@example.cn');
    const page = await (await fetch(`${base}/r/${token}`)).text();
    // Shown ticked and fixed on the page.
    expect(page).toMatch(/value="P2" checked disabled>&lt;b&gt;区税务局&lt;\/b&gt;（本单位）/);

    const onlyOther = await post(token, { ...ACTIVITY, guard: guardOf(page), partners: ['P1'] });
    expect(onlyOther.status).toBe(303);
    const none = await post(token, {
      ...ACTIVITY,
      title: '文明劝导进社区',
      guard: await guardFor(token),
    });
    expect(none.status).toBe(303);

    // The answer waits for its row at most a second (http/form.ts): both rows, once they are there.
    const rows = await eventually(
      () => {
        const now = activityRows(fake, planId);
        return now.some((row) => row.includes('文明劝导进社区')) &&
          now.some((row) => row.includes('文明劝导进校园'))
          ? now
          : undefined;
      },
      { timeoutMs: 30_000, what: 'both submitted rows' },
    );
    const credited = (title: string) => rows.find((row) => row.includes(title))?.[PARTNERS_COLUMN];
    expect(credited('文明劝导进校园')).toBe('P2、P1');
    expect(credited('文明劝导进社区')).toBe('P2');
    const records = await runtime.db.collection(`plans/${planId}/submissions`).get();
    const partners = records.docs.map((doc) => doc.get('activity.partners')).sort();
    expect(partners).toEqual([['P2'], ['P2', 'P1']]);
  });
});
