/**
 * The form function over HTTP (no browser): its headers, the refusal pages of an unknown,
 * expired, revoked or forged link — each writing nothing —, the body and rate limits, and a
 * submission landing as a row once however often it is posted.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '@google-cloud/functions-framework';
import { getTestServer } from '@google-cloud/functions-framework/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFormHandler,
  formBasePath,
  guardFormServer,
  lastForwardedHop,
} from '../../../functions/src/http/form';
import { pageGuard } from '../../../functions/src/requests/formGuard';
import { type LinkScope, mintLink, revokeLinks, verifyLink } from '../../../functions/src/requests/links';
import type { Runtime } from '../../../functions/src/runtime';
import { type FakeSheets, startFakeSheets } from '../../support/fake-sheets';
import { eventually, useFirestoreEmulator } from '../../support/firestore';
import { type FormFields, guardOf, postForm } from '../../support/http';
import { postLarge } from '../../support/postLarge';
import { activityRows, emulatorRuntime, NOW, seedPlan, TOKEN } from './fixture';

const emulator = useFirestoreEmulator('form');
let fake: FakeSheets;
let runtime: Runtime;
let server: Server;
let base: string;
let clock = NOW;

beforeAll(async () => {
  fake = await startFakeSheets({ token: TOKEN });
});
afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
  await runtime?.close();
  await fake?.stop();
});

/**
 * A form handler as deployed (the trusted hop is the last X-Forwarded-For entry), its rate-limit
 * counters in this file's emulator. The counters outlive a handler (that is the point), so each
 * handler's addresses get their own prefix: the tests' windows do not add up.
 */
let handlers = 0;
function formHandler(limits?: { perLink?: number; perAddress?: number }, prefix = `h${++handlers}`) {
  runtime ??= emulatorRuntime(emulator, fake);
  return createFormHandler({
    basePath: '',
    db: runtime.db,
    store: runtime.store,
    now: () => clock,
    log: () => {},
    writeRows: runtime.writeSubmissionRows,
    clientAddress: (req) => `${prefix}/${lastForwardedHop(req)}`,
    ...(limits ? { limits } : {}),
  });
}

async function serve(limits?: { perLink?: number; perAddress?: number }): Promise<void> {
  const handler = formHandler(limits);
  if (server) await new Promise((resolve) => server.close(resolve));
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let plans = 0;
async function linkForPlan(
  validDays = 30,
  scope: LinkScope = { kind: 'partner', partnerId: 'P1' },
): Promise<{ planId: string; token: string }> {
  const planId = `form-${++plans}`;
  await seedPlan(runtime, fake, planId);
  const { token } = await mintLink(
    { db: runtime.db, now: () => clock },
    {
      planId,
      email: 'liaison@school.cn',
      name: '王老师',
      scope,
      validDays,
    },
  );
  return { planId, token };
}

/** Every document a request could write: link uses, submissions, activities, the plan's version. */
async function writesOf(planId: string): Promise<string> {
  const db = runtime.db;
  const [uses, submissions, activities, plan] = await Promise.all([
    db.collectionGroup('uses').get(),
    db.collection(`plans/${planId}/submissions`).get(),
    db.collection(`plans/${planId}/activities`).get(),
    runtime.store.getPlan(planId),
  ]);
  return JSON.stringify([uses.size, submissions.size, activities.size, plan?.version]);
}

/**
 * The plan's 活动 rows once there are `count` of them: a submission's answer waits for its row at
 * most a second (http/form.ts), so the row may land just after it.
 */
function rowsOf(planId: string, count: number) {
  return eventually(
    () => {
      const rows = activityRows(fake, planId);
      return rows.length === count ? rows : undefined;
    },
    { timeoutMs: 30_000, what: `${count} rows in 活动 of ${planId}` },
  );
}

const post = (token: string, fields: FormFields) => postForm(`${base}/r/${token}`, fields);

const VALID = {
  kind: 'activity',
  date: '2026-06-12',
  measureId: 'M1',
  title: '夏季义诊',
  location: '社区广场',
  participants: '25',
  partners: ['P1'],
};

describe('the form function', () => {
  beforeAll(async () => {
    await serve();
  });

  it('serves the form of a live link with strict headers', async () => {
    const { token } = await linkForPlan();
    const response = await fetch(`${base}/r/${token}`);
    expect(response.status).toBe(200);
    const csp = response.headers.get('content-security-policy') ?? '';
    for (const part of [
      "default-src 'none'",
      "style-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ]) {
      expect(csp).toContain(part);
    }
    expect(csp).not.toContain('script-src');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).toContain('王老师');
    expect(html).toContain('为老服务');
    expect(html).not.toContain('文明劝导'); // another unit's measure
    const css = await fetch(`${base}/form.css`);
    expect(css.headers.get('content-type')).toContain('text/css');
  });

  it('an unknown, expired or revoked link: a Chinese page, 404 / 410, and nothing written', async () => {
    const { planId, token } = await linkForPlan(1);
    const before = await writesOf(planId);
    const unknown = await fetch(`${base}/r/${'x'.repeat(43)}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toContain('链接无效');

    clock = new Date(NOW.getTime() + 86_400_000);
    const expired = await fetch(`${base}/r/${token}`);
    expect(expired.status).toBe(410);
    expect(await expired.text()).toContain('链接已过期');
    expect((await post(token, { ...VALID, guard: 'x' })).status).toBe(410);
    clock = NOW;

    await revokeLinks({ db: runtime.db, now: () => clock }, { planId, email: 'liaison@school.cn' });
    const revoked = await post(token, { ...VALID, guard: 'x' });
    expect(revoked.status).toBe(410);
    expect(await revoked.text()).toContain('链接已停用');
    expect(await writesOf(planId)).toBe(before);
  });

  it('a post without this page’s anti-forgery value is refused and writes nothing', async () => {
    const { planId, token } = await linkForPlan();
    const other = await linkForPlan();
    const foreign = guardOf(await (await fetch(`${base}/r/${other.token}`)).text());
    const before = await writesOf(planId);
    for (const guard of ['', 'abc.def', foreign]) {
      const response = await post(token, { ...VALID, guard });
      expect(response.status).toBe(403);
      expect(await response.text()).toContain('页面已失效');
    }
    expect(await writesOf(planId)).toBe(before);
  });

  it('an invalid post shows the errors and keeps the input; a valid one lands once however often it is posted', async () => {
    const { planId, token } = await linkForPlan();
    const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
    const bad = await post(token, { ...VALID, guard, participants: '二十', evidence: 'ftp://x' });
    expect(bad.status).toBe(422);
    const page = await bad.text();
    expect(page).toContain('「参与人数」不是有效的数字：二十');
    expect(page).toContain('佐证链接不是 http(s) 网址：ftp://x');
    expect(page).toContain('value="夏季义诊"');
    expect(activityRows(fake, planId)).toHaveLength(2);

    const started = performance.now();
    const first = await post(token, { ...VALID, guard });
    // The row is in the sheet when the answer comes: the request→row latency.
    process.stdout.write(
      `form POST → row in the sheet (fake Sheets API): ${Math.round(performance.now() - started)} ms\n`,
    );
    const responses = [
      first,
      ...(await Promise.all([post(token, { ...VALID, guard }), post(token, { ...VALID, guard })])),
    ];
    responses.push(await post(token, { ...VALID, guard }));
    for (const response of responses) {
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/r/${token}?ok=1`);
    }
    const rows = await rowsOf(planId, 3);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('夏季义诊');
    expect(rows[2]).toContain('王老师（填报）');
    const after = await eventually(
      async () => {
        const page = await (await fetch(`${base}/r/${token}?ok=1`)).text();
        return page.includes('已写入表格') ? page : undefined;
      },
      { what: 'the page to say the row is in the sheet' },
    );
    expect(after).toContain('已提交');
  });

  it('an owner marks a milestone done with a note: one row on that measure, the note kept', async () => {
    const { planId, token } = await linkForPlan(30, { kind: 'owner', ownerEmail: 'owner@example.cn' });
    const html = await (await fetch(`${base}/r/${token}`)).text();
    expect(html).toContain('里程碑事项已完成');
    const guard = guardOf(html);
    const missing = await post(token, { kind: 'milestone', guard, milestone: 'M2', note: '' });
    expect(missing.status).toBe(422);
    expect(await missing.text()).toContain('请填写完成情况说明');
    const other = await post(token, { kind: 'milestone', guard, milestone: 'M3', note: '完成' });
    expect(other.status).toBe(422); // another owner's measure is not in this link's scope
    const done = await post(token, { kind: 'milestone', guard, milestone: 'M2', note: '9 月 20 日验收通过' });
    expect(done.status).toBe(303);
    const rows = await rowsOf(planId, 3);
    expect(rows).toHaveLength(3);
    expect(rows[2]).toContain('M2');
    expect(rows[2]).toContain('里程碑完成：老年活动室加层');
    expect(rows[2]).toContain('9 月 20 日验收通过');
  });

  it('/r/<token>/ (a trailing slash) posts to the form’s own path: the action is path-absolute', async () => {
    const { planId, token } = await linkForPlan();
    const html = await (await fetch(`${base}/r/${token}/`)).text();
    const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
    expect(action).toBe(`/r/${token}`);
    const response = await fetch(new URL(action as string, `${base}/r/${token}/`), {
      method: 'POST',
      body: new URLSearchParams({ ...VALID, partners: 'P1', guard: guardOf(html) }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    await rowsOf(planId, 3);
    // Behind a path (GONGJIAN_FORM_URL=https://host/f/): the action keeps it.
    expect(formBasePath('https://form.example.cn/f/')).toBe('/f');
    expect(formBasePath('http://127.0.0.1:8080')).toBe('');
  });

  it('a used page posted again with other content: says it was submitted, shows what was saved, keeps what was typed', async () => {
    const { planId, token } = await linkForPlan();
    const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
    expect((await post(token, { ...VALID, guard })).status).toBe(303);
    const again = await post(token, { ...VALID, guard, title: '秋季义诊', participants: '40' });
    expect(again.status).toBe(409);
    expect(again.headers.get('content-security-policy')).toContain("default-src 'none'");
    const page = await again.text();
    expect(page).toContain('这张表单已经提交过');
    expect(page).toContain('2026-06-12 夏季义诊');
    expect(page).toContain('刚才填写的内容尚未保存');
    expect(page).toContain('value="秋季义诊"');
    expect(page).toContain('value="40"');
    // A fresh page value: submitting the kept input now is a new record.
    const fresh = guardOf(page);
    expect(fresh).not.toBe(guard);
    await rowsOf(planId, 3);
    expect((await post(token, { ...VALID, guard: fresh, title: '秋季义诊' })).status).toBe(303);
    expect((await rowsOf(planId, 4)).map((row) => row[4])).toEqual([
      '敬老义诊',
      '文明劝导',
      '夏季义诊',
      '秋季义诊',
    ]);
  });

  it('refuses a body over 64 KiB', async () => {
    const { token } = await linkForPlan();
    const guard = guardOf(await (await fetch(`${base}/r/${token}`)).text());
    const response = await post(token, { ...VALID, guard, notes: 'x'.repeat(70 * 1024) });
    expect(response.status).toBe(413);
  });
});

/** The headers every answer of the form carries, refusals included. */
function expectOurHeaders(response: { headers: { get(name: string): string | null } }): void {
  expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  expect(response.headers.get('referrer-policy')).toBe('no-referrer');
  expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
}

describe('the front door: functions-framework with the form guard, as the local stack serves it', () => {
  let door: Server;
  let doorBase: string;
  beforeAll(async () => {
    const handler = formHandler();
    http('formDoor', (req, res) => handler(req, res));
    door = getTestServer('formDoor');
    guardFormServer(door);
    await new Promise<void>((resolve) => door.listen(0, '127.0.0.1', resolve));
    doorBase = `http://127.0.0.1:${(door.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    door?.closeAllConnections();
    await new Promise((resolve) => door?.close(resolve));
  });

  it.each([
    { name: 'charset=gbk', type: 'application/x-www-form-urlencoded; charset=gbk', body: 'title=x' },
    { name: 'malformed JSON', type: 'application/json', body: '{"title":' },
    { name: 'bad Content-Encoding', type: 'application/x-www-form-urlencoded', body: 'not gzip', gzip: true },
    {
      name: 'unknown Content-Encoding',
      type: 'application/x-www-form-urlencoded',
      body: 'x',
      encoding: 'br2',
    },
  ])(
    'a post the framework would answer with its English page ($name): our Chinese page, our headers',
    async ({ type, body, gzip, encoding }) => {
      const { planId, token } = await linkForPlan();
      const before = await writesOf(planId);
      const response = await fetch(`${doorBase}/r/${token}`, {
        method: 'POST',
        body,
        headers: {
          'content-type': type,
          ...(gzip ? { 'content-encoding': 'gzip' } : {}),
          ...(encoding ? { 'content-encoding': encoding } : {}),
        },
      });
      expect(response.status).toBe(400);
      expectOurHeaders(response);
      const page = await response.text();
      expect(page).toContain('无法读取提交的内容');
      expect(page).not.toMatch(/Error|at \/|node_modules/);
      expect(await writesOf(planId)).toBe(before);
    },
  );

  it('a malformed path or another method: our 404 page, unread', async () => {
    for (const [path, method] of [
      ['/r/%E0%A4%A', 'GET'],
      ['/r/abc/def', 'GET'],
      ['/anything', 'POST'],
      [`/r/${'x'.repeat(43)}`, 'PUT'],
    ] as const) {
      const response = await fetch(`${doorBase}${path}`, {
        method,
        ...(method === 'GET' ? {} : { body: 'x' }),
      });
      expect(response.status, `${method} ${path}`).toBe(404);
      expectOurHeaders(response);
      expect(await response.text()).toContain('链接无效');
    }
  });

  it('the form still works through the door: page, stylesheet at both depths, a submission', async () => {
    const { planId, token } = await linkForPlan();
    const html = await (await fetch(`${doorBase}/r/${token}/`)).text();
    expect((await fetch(`${doorBase}/form.css`)).status).toBe(200);
    expect((await fetch(`${doorBase}/r/form.css`)).status).toBe(200);
    const response = await fetch(`${doorBase}/r/${token}`, {
      method: 'POST',
      body: new URLSearchParams({ ...VALID, partners: 'P1', guard: guardOf(html) }),
      redirect: 'manual',
    });
    expect(response.status).toBe(303);
    await rowsOf(planId, 3);
  });

  it.each([{ chunked: false }, { chunked: true }])(
    '200 MB posted to a made-up token (chunked: $chunked): 413, our page, cut after a socket buffer, memory flat',
    async ({ chunked }) => {
      const before = process.memoryUsage().rss;
      const answer = await postLarge(
        `${doorBase}/r/${'x'.repeat(43)}`,
        { 'content-type': 'application/x-www-form-urlencoded' },
        200 * 1024 * 1024,
        { chunked },
      );
      const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
      process.stdout.write(
        `200 MB post (chunked: ${chunked}): answered after ${(answer.bytesSent / 1024 / 1024).toFixed(1)} MB sent, RSS +${grown.toFixed(1)} MB\n`,
      );
      expect(answer.status).toBe(413);
      expect(answer.body).toContain('提交内容过大');
      expect(answer.headers['content-security-policy']).toContain("default-src 'none'");
      expect(answer.bytesSent).toBeLessThan(16 * 1024 * 1024);
      expect(grown).toBeLessThan(20);
    },
    60_000,
  );
});

describe('submissions at once', () => {
  it('50 different submissions at the same moment are all saved: 50 records, 50 rows, fewer version moves than submissions', async () => {
    await serve({ perLink: 1000, perAddress: 1000 });
    const { planId, token } = await linkForPlan();
    const verdict = await verifyLink({ db: runtime.db, now: () => clock }, token);
    if (!verdict.ok) throw new Error('the link should open');
    const versionBefore = (await runtime.store.getPlan(planId))?.version ?? 0;
    const timings: number[] = [];
    const statuses = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const started = performance.now();
        const response = await post(token, { ...VALID, title: `义诊 ${i}`, guard: pageGuard(verdict.link) });
        timings.push(performance.now() - started);
        return response.status;
      }),
    );
    timings.sort((a, b) => a - b);
    process.stdout.write(
      `50 parallel form posts: p50 ${Math.round(timings[24] ?? 0)} ms, p95 ${Math.round(timings[47] ?? 0)} ms\n`,
    );
    expect(statuses.filter((s) => s !== 303)).toEqual([]);
    const records = await runtime.db.collection(`plans/${planId}/activities`).get();
    expect(records.size).toBe(52);
    const titles = (await rowsOf(planId, 52)).map((row) => row[4]);
    expect(titles).toHaveLength(52);
    expect(new Set(titles).size).toBe(52);
    const versionAfter = (await runtime.store.getPlan(planId))?.version ?? 0;
    expect(versionAfter).toBeGreaterThan(versionBefore);
    // Coalesced: each move covers every commit made while the one before it ran, so fewer moves
    // than submissions however the commits spread out in time (measured: 2 to 11).
    process.stdout.write(`version moves for 50 submissions: ${versionAfter - versionBefore}\n`);
    expect(versionAfter - versionBefore).toBeLessThan(50);
    const pending = await runtime.db
      .collection(`plans/${planId}/submissions`)
      .where('versionPending', '==', true)
      .get();
    expect(pending.size).toBe(0);
  }, 60_000);
});

describe('rate limits', () => {
  /** Seconds in the Retry-After of a 429: within the 10-minute window. */
  function retryAfter(response: Response): number {
    const value = Number(response.headers.get('retry-after'));
    expect(value).toBeGreaterThan(0);
    expect(value).toBeLessThanOrEqual(600);
    return value;
  }

  it('per link: past the limit a link is answered 429 with a Chinese page and Retry-After', async () => {
    await serve({ perLink: 3, perAddress: 100 });
    const { token } = await linkForPlan();
    const responses: Response[] = [];
    for (let i = 0; i < 5; i++) responses.push(await fetch(`${base}/r/${token}`));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 429, 429]);
    retryAfter(responses[4] as Response);
    expectOurHeaders(responses[4] as Response);
  });

  it('per address: past the limit every link is refused to that address, with Retry-After', async () => {
    await serve({ perLink: 100, perAddress: 2 });
    const a = await linkForPlan();
    const b = await linkForPlan();
    const statuses = [
      (await fetch(`${base}/r/${a.token}`)).status,
      (await fetch(`${base}/r/${b.token}`)).status,
      (await fetch(`${base}/r/${b.token}`)).status,
    ];
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await fetch(`${base}/r/${a.token}`);
    expect(await limited.text()).toContain('操作太频繁');
    retryAfter(limited);
  });

  it('rotating the first X-Forwarded-For entry does not get past the limit: the front end’s hop is counted', async () => {
    await serve({ perLink: 100, perAddress: 3 });
    const { token } = await linkForPlan();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const forwarded = `10.0.0.${i}, 203.0.113.9`;
      statuses.push(
        (await fetch(`${base}/r/${token}`, { headers: { 'x-forwarded-for': forwarded } })).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
  });

  it('naming a victim’s address in X-Forwarded-For does not lock the victim out', async () => {
    await serve({ perLink: 100, perAddress: 3 });
    const { token } = await linkForPlan();
    for (let i = 0; i < 6; i++)
      await fetch(`${base}/r/${token}`, { headers: { 'x-forwarded-for': '198.51.100.7, 203.0.113.9' } });
    const victim = await fetch(`${base}/r/${token}`, { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(victim.status).toBe(200);
  });

  it('two instances share the counters (Firestore), so the limit holds across them', async () => {
    const prefix = `shared-${++handlers}`;
    const instances = [
      formHandler({ perLink: 100, perAddress: 2 }, prefix),
      formHandler({ perLink: 100, perAddress: 2 }, prefix),
    ];
    const servers = instances.map((handler) => createServer((req, res) => void handler(req, res)));
    try {
      const bases = await Promise.all(
        servers.map(async (one) => {
          await new Promise<void>((resolve) => one.listen(0, '127.0.0.1', resolve));
          return `http://127.0.0.1:${(one.address() as AddressInfo).port}`;
        }),
      );
      const { token } = await linkForPlan();
      const statuses: number[] = [];
      for (const at of [0, 1, 0, 1]) statuses.push((await fetch(`${bases[at]}/r/${token}`)).status);
      expect(statuses).toEqual([200, 200, 429, 429]);
    } finally {
      for (const one of servers) {
        one.closeAllConnections();
        await new Promise((resolve) => one.close(resolve));
      }
    }
  });
});
